from celery import shared_task

from responsibility_lists.services import import_job_run, versions_retire_superseded


@shared_task(name="responsibility_lists.retire_superseded", soft_time_limit=60, time_limit=90)
def retire_superseded() -> int:
    """Mark versions replaced by a scheduled version that has now taken effect as retired."""
    return versions_retire_superseded()


@shared_task(name="responsibility_lists.run_import", soft_time_limit=600, time_limit=660)
def run_import(job_id: int) -> str:
    job = import_job_run(job_id=job_id)
    return job.status if job else "skipped"
