"""Tasks that moved out of dispatch answer to their old names too: a message queued by the release
before the move, or a beat still running its schedule, is run by a worker of this release."""

from __future__ import annotations

import pytest
from django.conf import settings

from config.celery import app

MOVED = {
    "dispatch.train_router": "routing.train_router",
    "dispatch.run_impact_preview": "routing.run_impact_preview",
    "dispatch.run_export": "assessment.run_export",
    "dispatch.reconcile_exports": "assessment.reconcile_exports",
    "dispatch.purge_old_exports": "assessment.purge_old_exports",
}


@pytest.mark.parametrize(("old", "new"), MOVED.items())
def test_a_moved_task_runs_the_same_work_with_the_same_limits_under_its_old_name(old, new):
    app.loader.import_default_modules()
    before, now = app.tasks[old], app.tasks[new]
    assert before.run is now.run
    assert (before.soft_time_limit, before.time_limit) == (now.soft_time_limit, now.time_limit)


def test_every_scheduled_task_is_registered_under_the_name_the_schedule_gives():
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled <= set(app.tasks)
    assert not scheduled & set(MOVED), "the schedule names the tasks by their new names"


@pytest.mark.django_db
def test_an_export_queued_under_the_old_name_is_written(district):
    from assessment.figures import AuditFilters
    from assessment.models import ExportJob, ExportStatus

    job = ExportJob.objects.create(
        kind="demands", format="csv", requested_by=district.users["auditor"], filters=AuditFilters.default().to_json()
    )
    assert app.tasks["dispatch.run_export"].apply(args=[job.pk]).get() == ExportStatus.DONE
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.file
