"""Impact previews of a draft list: a maintainer asks, a worker routes the recent demands under
the draft and under the version in force, reporting its progress, and the result is kept for the
draft until what it was computed from changes."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import NotAllowed, ValidationFailed
from config.queue import enqueue_on_commit
from departments.access import has_role
from responsibility_lists.models import ListVersion
from responsibility_lists.selectors import version_in_force
from responsibility_lists.services import MAINTAINER_ROLES
from routing.impact import ImpactInputs, impact_inputs, preview_impact
from routing.models import ImpactPreview, ImpactStatus
from routing.router import active_learned

logger = logging.getLogger(__name__)

MONTHS_MAX = 24
# A preview still queued or running after this long lost its message or its worker (the task's
# time limit is shorter): asking again queues it again, and the new run supersedes the old.
STALLED_AFTER = timedelta(minutes=20)
UNFINISHED = (ImpactStatus.QUEUED, ImpactStatus.RUNNING)


class Superseded(Exception):
    """Another run of the same preview (a redelivered message) has taken it over."""


def impact_baseline(draft: ListVersion) -> ListVersion:
    """The version in force, which the draft is compared with."""
    baseline = version_in_force()
    if baseline is None or baseline.pk == draft.pk:
        raise ValidationFailed(_("没有可对比的现行版本：影响预览比较草稿与现行版本。"))
    return baseline


def is_current(preview: ImpactPreview, inputs: ImpactInputs) -> bool:
    return (preview.baseline_id, preview.draft_fingerprint, preview.model_version) == (
        inputs.baseline_id,
        inputs.draft_fingerprint,
        inputs.model_version,
    )


def impact_preview_latest(*, draft: ListVersion, months: int) -> ImpactPreview | None:
    return ImpactPreview.objects.filter(draft=draft, months=months).select_related("requested_by").first()


def _stalled(preview: ImpactPreview) -> bool:
    since = preview.started_at if preview.status == ImpactStatus.RUNNING else preview.created_at
    return since is not None and since < timezone.now() - STALLED_AFTER


def impact_preview_request(*, actor: User, draft_id: int, months: int, fresh: bool = False) -> ImpactPreview:
    """The draft's preview over the last `months` months: the one kept, while it is current and
    did not fail (unless `fresh`: computed again, for the demands that came in since), else a new
    one, computed in the background."""
    if not has_role(actor, *MAINTAINER_ROLES):
        raise NotAllowed(_("只有清单维护员可以计算影响预览。"))
    if not 1 <= months <= MONTHS_MAX:
        raise ValidationFailed(_("回看月数须在 1 到 %(max)s 之间。") % {"max": MONTHS_MAX})
    draft = ListVersion.objects.filter(pk=draft_id).first()
    if draft is None:
        raise ValidationFailed(_("没有这个清单版本。"))
    baseline = impact_baseline(draft)
    inputs = impact_inputs(draft=draft, baseline=baseline)
    kept = impact_preview_latest(draft=draft, months=months)
    if kept is not None and is_current(kept, inputs):
        if kept.status in UNFINISHED:
            if _stalled(kept):
                enqueue_on_commit("routing.run_impact_preview", kept.pk)
            return kept
        if kept.status == ImpactStatus.DONE and not fresh:
            return kept
    with transaction.atomic():
        preview = ImpactPreview.objects.create(
            draft=draft,
            baseline=baseline,
            months=months,
            since=timezone.now() - timedelta(days=30 * months),
            draft_fingerprint=inputs.draft_fingerprint,
            model_version=inputs.model_version,
            requested_by=actor,
        )
        enqueue_on_commit("routing.run_impact_preview", preview.pk)
    return preview


def impact_preview_run(*, preview_id: int) -> ImpactPreview | None:
    """Compute a preview. Safe to run twice: a run claims the preview with a new attempt number,
    and a run that finds its number no longer current stops without touching it."""
    claimed = ImpactPreview.objects.filter(pk=preview_id, status__in=UNFINISHED).update(
        status=ImpactStatus.RUNNING, attempt=F("attempt") + 1, started_at=timezone.now(), demands_done=0, error=""
    )
    if not claimed:
        return None  # gone, done or failed already
    preview = ImpactPreview.objects.select_related("draft", "baseline").get(pk=preview_id)
    mine = ImpactPreview.objects.filter(pk=preview_id, attempt=preview.attempt, status=ImpactStatus.RUNNING)

    def progress(done: int, total: int) -> None:
        if not mine.update(demands_done=done, demands_total=total):
            raise Superseded

    try:
        # What this run computes from, read before the draft is: a draft edited meanwhile leaves
        # the preview marked out of date rather than passing for current.
        inputs = impact_inputs(draft=preview.draft, baseline=preview.baseline)
        model = active_learned()
        mine.update(draft_fingerprint=inputs.draft_fingerprint, model_version=model.version if model else "")
        report = preview_impact(
            draft=preview.draft, baseline=preview.baseline, since=preview.since, model=model, progress=progress
        )
    except Superseded:
        return None
    except Exception as error:
        # The page says it failed in the reader's language; the error is kept for whoever looks
        # into it (the log has the traceback).
        logger.exception("Impact preview %s failed", preview_id)
        mine.update(status=ImpactStatus.FAILED, error=repr(error)[:2000], finished_at=timezone.now())
        return ImpactPreview.objects.get(pk=preview_id)
    finished = mine.update(
        status=ImpactStatus.DONE,
        result=report.to_json(),
        demands_done=report.total,
        demands_total=report.total,
        finished_at=timezone.now(),
    )
    if not finished:
        return None
    # One result per draft and look-back is enough: the older ones only take room.
    ImpactPreview.objects.filter(draft_id=preview.draft_id, months=preview.months, pk__lt=preview_id).exclude(
        status__in=UNFINISHED
    ).delete()
    return ImpactPreview.objects.get(pk=preview_id)
