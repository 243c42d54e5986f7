"""Thin tasks: they take ids, return early when the work is done, and call one service."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from config.queue import task_also_named


# Large exports can take minutes; the time limit stays under the broker's visibility timeout
# (CELERY_VISIBILITY_TIMEOUT, an hour) so a running export is not handed to a second worker.
@task_also_named("dispatch.run_export", name="assessment.run_export", soft_time_limit=1500, time_limit=1800)
def run_export(job_id: int) -> str:
    from assessment.export_jobs import export_job_run

    job = export_job_run(job_id=job_id)
    return job.status if job else "skipped"


@task_also_named("dispatch.reconcile_exports", name="assessment.reconcile_exports", soft_time_limit=60, time_limit=90)
def reconcile_exports() -> int:
    """Queue again the exports still waiting after a while: their message was lost (a broker down
    when the auditor asked). Only jobs queued for a while: a message merely waiting behind others
    would otherwise run twice (harmless, the later run supersedes the earlier, but wasted)."""
    from assessment.models import ExportJob, ExportStatus

    cutoff = timezone.now() - max(settings.RECONCILE_AFTER, timedelta(minutes=10))
    ids = list(
        ExportJob.objects.filter(status=ExportStatus.QUEUED, created_at__lte=cutoff).values_list("pk", flat=True)
    )
    for job_id in ids:
        run_export.delay(job_id)
    return len(ids)


@task_also_named("dispatch.purge_old_exports", name="assessment.purge_old_exports", soft_time_limit=300, time_limit=360)
def purge_old_exports() -> int:
    from assessment.export_jobs import export_jobs_purge

    return export_jobs_purge(older_than=timedelta(days=settings.EXPORT_RETENTION_DAYS))


@shared_task(name="assessment.notify_hot_topic_clusters", soft_time_limit=300, time_limit=360)
def notify_hot_topic_clusters() -> int:
    """Tell the supervisors of the clusters of similar demands found since the last run."""
    from assessment.clusters import notify_new_clusters

    return notify_new_clusters()


# Callback visits (回访): queued by name from dispatch and demands, which cannot import this app.
@shared_task(name="assessment.schedule_visit", soft_time_limit=30, time_limit=60)
def schedule_visit(demand_id: int) -> str:
    from assessment.visits import visit_schedule

    visit = visit_schedule(demand_id=demand_id)
    return visit.status if visit else "none"


@shared_task(name="assessment.visit_citizen_rated", soft_time_limit=30, time_limit=60)
def visit_citizen_rated(demand_id: int, answer_round: int, rating: int) -> str:
    from assessment.visits import visit_citizen_rated as counted

    visit = counted(demand_id=demand_id, answer_round=answer_round, rating=rating)
    return visit.status if visit else "none"


@shared_task(name="assessment.cancel_superseded_visits", soft_time_limit=30, time_limit=60)
def cancel_superseded_visits(demand_id: int) -> int:
    from assessment.visits import visits_cancel_superseded

    return visits_cancel_superseded(demand_id=demand_id)


@shared_task(name="assessment.reconcile_visits", soft_time_limit=240, time_limit=300)
def reconcile_visits() -> dict[str, int]:
    from assessment.visits import visits_reconcile

    return visits_reconcile()


# A first refresh builds every day: at city scale that is minutes (rebuild_daily_figures is the
# faster way to do it); later ones rebuild the few days touched since.
@shared_task(name="assessment.refresh_daily_figures", soft_time_limit=1500, time_limit=1800)
def refresh_daily_figures() -> int:
    from assessment.daily import refresh
    from assessment.monthly import closed_months
    from assessment.rates import build_month

    done = refresh()
    if done is None:
        return -1
    # The closed months whose days changed: their stored figures are rebuilt from the new days.
    for month in closed_months(done.days, timezone.localdate(done.through)):
        build_month(month)
    return len(done.days)
