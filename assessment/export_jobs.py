"""Background exports: an auditor asks, a worker writes the file in chunks and counts its rows,
the auditor downloads it."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from datetime import timedelta

from django.contrib.auth.models import User
from django.core.files import File
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.exports import WRITERS, Row, file_language, filename, source_for
from assessment.figures import AuditFilters
from assessment.models import ExportFormat, ExportJob, ExportKind, ExportStatus
from config.db_routing import reading_reports
from config.errors import NotAllowed, ValidationFailed
from config.queue import enqueue_on_commit
from departments.access import has_role
from departments.models import Role

logger = logging.getLogger(__name__)

EXPORT_ROLES = (Role.AUDITOR, Role.SUPERVISOR, Role.ADMIN)
# Progress is written every this many rows: often enough for the bar to move every second or so,
# rarely enough that the writes cost nothing next to the export.
PROGRESS_EVERY = 500


class Superseded(Exception):
    """Another run of the same job (a redelivered message) has taken it over."""


class _Counted:
    """The rows as they are written, with the job's progress brought up to date every few hundred."""

    def __init__(self, rows: Iterator[Row], job: QuerySet[ExportJob]) -> None:
        self.rows, self.job, self.rows_done = rows, job, 0

    def __iter__(self) -> Iterator[Row]:
        for row in self.rows:
            yield row
            self.rows_done += 1
            if self.rows_done % PROGRESS_EVERY == 0 and not self.job.update(rows_done=self.rows_done):
                raise Superseded


def export_job_request(
    *, actor: User, kind: str, fmt: str, filters: AuditFilters, rows_total: int = 0, language: str | None = None
) -> ExportJob:
    if not has_role(actor, *EXPORT_ROLES):
        raise NotAllowed(_("只有考核、督办人员可以导出数据。"))
    if kind not in ExportKind.values or fmt not in ExportFormat.values:
        raise ValidationFailed(_("不支持的导出内容或格式。"))
    job = ExportJob.objects.create(
        kind=kind,
        format=fmt,
        filters=filters.to_json(),
        language=file_language(language),
        requested_by=actor,
        rows_total=rows_total,
    )
    enqueue_on_commit("assessment.run_export", job.pk)
    return job


def export_job_run(*, job_id: int) -> ExportJob | None:
    """Write the job's file. Safe to run twice: a run claims the job with a new attempt number,
    and a run that finds its number no longer current stops without touching the job."""
    claimed = ExportJob.objects.filter(pk=job_id, status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING]).update(
        status=ExportStatus.RUNNING, attempt=F("attempt") + 1, started_at=timezone.now(), rows_done=0, error=""
    )
    if not claimed:
        return None  # gone, done or failed already
    job = ExportJob.objects.get(pk=job_id)
    mine = ExportJob.objects.filter(pk=job_id, attempt=job.attempt, status=ExportStatus.RUNNING)
    try:
        source = source_for(job.kind, AuditFilters.from_json(job.filters))
        # The rows are read as reports are (from the replica when there is one); the job's own
        # row is claimed, counted and finished on the primary.
        with reading_reports():
            total = source.count()
        mine.update(rows_total=total)
        counted = _Counted(source.rows(), mine)
        with tempfile.TemporaryFile() as out, reading_reports():
            WRITERS[job.format](source, out, counted, job.language)
            out.seek(0)
            wanted = f"exports/{job.pk}-{filename(job.kind, job.format, AuditFilters.from_json(job.filters))}"
            name = job.file.field.storage.save(wanted, File(out))
    except Superseded:
        return None
    except Exception as error:
        logger.exception("Export %s failed", job_id)
        mine.update(status=ExportStatus.FAILED, error=str(error)[:2000], finished_at=timezone.now())
        return ExportJob.objects.get(pk=job_id)
    done = counted.rows_done
    finished = mine.update(
        status=ExportStatus.DONE, file=name, rows_done=done, rows_total=max(total, done), finished_at=timezone.now()
    )
    if not finished:
        job.file.field.storage.delete(name)  # superseded at the last moment: the other run's file stands
        return None
    return ExportJob.objects.get(pk=job_id)


def export_jobs_purge(*, older_than: timedelta) -> int:
    """Delete finished exports, files and all, once they are older than the retention period:
    the files hold personal data (masked, but still), and nobody needs last month's download."""
    cutoff = timezone.now() - older_than
    purged = 0
    for job in ExportJob.objects.filter(created_at__lt=cutoff).exclude(status=ExportStatus.RUNNING).iterator():
        if job.file:
            job.file.delete(save=False)
        job.delete()
        purged += 1
    return purged
