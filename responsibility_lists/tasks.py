from celery import shared_task

from responsibility_lists.services import versions_retire_superseded


@shared_task(name="responsibility_lists.retire_superseded", soft_time_limit=60, time_limit=90)
def retire_superseded() -> int:
    """Mark versions replaced by a scheduled version that has now taken effect as retired."""
    return versions_retire_superseded()
