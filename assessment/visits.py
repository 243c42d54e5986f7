"""Which answers get a callback visit (回访), when it is due, and what becomes of a visit that no one
needs to make: the citizen rated the answer themselves, or the answer was superseded (reopened,
merged, refused). Dispatch and demands queue this work by task name (assessment/tasks.py); the
reconciler makes up for any message lost on the way."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from assessment.models import CallbackVisit, Satisfaction, VisitStatus
from demands.models import Demand, Reply
from demands.workflow import ANSWERED_STATUSES, Status
from departments.working_time import current_clock

# The reconciler looks this far back for answers whose visit was never made: a broker away for
# longer than this is an outage to handle by hand, and looking further would re-read every answer
# left out of the sample on each run.
RECONCILE_LOOKBACK = timedelta(days=3)


def satisfaction_of_stars(rating: int) -> str:
    """The citizen's stars read as the callback form's answer: 5 or 4 stars are satisfied, 3 is
    basically satisfied, 1 or 2 unsatisfied (the three grades the district's 满意率 counts)."""
    if rating >= 4:
        return Satisfaction.SATISFIED
    if rating == 3:
        return Satisfaction.BASICALLY
    return Satisfaction.UNSATISFIED


def visit_share() -> float | None:
    """The share of each department's answers to visit, or None for all of them."""
    value = str(settings.VISIT_SAMPLE).strip().lower()
    if value == "all":
        return None
    try:
        share = float(value)
    except ValueError:
        share = -1.0
    if not 0 < share <= 1:
        raise ImproperlyConfigured(f'VISIT_SAMPLE must be "all" or a share above 0 and at most 1, not {value!r}.')
    return None if share == 1 else share


def is_sampled(*, demand: Demand, answer_round: int, reply: Reply) -> bool:
    """Whether this answer is visited. The choice depends on the case and on the answers before it
    only, so the reply's queueing and the reconciler, whenever they run, choose alike."""
    share = visit_share()
    if share is None:
        return True
    month_start = timezone.localtime(reply.created_at).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    earlier = Reply.objects.filter(
        department_id=reply.department_id, is_contribution=False, created_at__gte=month_start, pk__lt=reply.pk
    ).count()
    if earlier < settings.VISIT_SAMPLE_MINIMUM:
        return True
    digest = hashlib.sha256(f"{demand.tracking_number}:{answer_round}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def visit_due_at(answered_at: datetime) -> datetime:
    return current_clock().add_working_days(answered_at, settings.VISIT_WITHIN_WORKING_DAYS)


def visit_schedule(*, demand_id: int) -> CallbackVisit | None:
    """The visit for the demand's current answer, made if the answer is sampled. Idempotent: one
    visit per demand and answer round (the database holds that rule)."""
    demand = Demand.objects.filter(pk=demand_id).first()
    if demand is None or demand.status not in ANSWERED_STATUSES or demand.replied_at is None:
        return None
    answer_round = demand.reopen_count
    existing = CallbackVisit.objects.filter(demand=demand, answer_round=answer_round).first()
    if existing is not None:
        return existing
    reply = demand.replies.filter(is_contribution=False).order_by("-created_at", "-pk").first()
    if reply is None or not is_sampled(demand=demand, answer_round=answer_round, reply=reply):
        return None
    visit = CallbackVisit(
        demand=demand,
        answer_round=answer_round,
        department_id=reply.department_id,
        answered_at=demand.replied_at,
        due_at=visit_due_at(demand.replied_at),
    )
    # The citizen rated this answer before the visit was made (its message came late).
    if demand.rating is not None and demand.rated_at is not None and demand.rated_at >= demand.replied_at:
        visit.status = VisitStatus.CITIZEN_RATED
        visit.satisfaction = satisfaction_of_stars(demand.rating)
        visit.finished_at = demand.rated_at
    try:
        with transaction.atomic():
            visit.save()
    except IntegrityError:  # made meanwhile by the reconciler or a redelivered message
        return CallbackVisit.objects.filter(demand=demand, answer_round=answer_round).first()
    return visit


def visit_citizen_rated(*, demand_id: int, answer_round: int, rating: int) -> CallbackVisit | None:
    """The citizen's own stars answer the visit of that answer. A visit already cancelled because
    the citizen sent the answer back with these stars counts them too: the cancellation may have
    arrived first, and the stars are still the citizen's answer about that answer."""
    now = timezone.now()
    updated = CallbackVisit.objects.filter(
        demand_id=demand_id, answer_round=answer_round, status__in=(VisitStatus.DUE, VisitStatus.CANCELLED)
    ).update(status=VisitStatus.CITIZEN_RATED, satisfaction=satisfaction_of_stars(rating), finished_at=now)
    if not updated:
        visit_schedule(demand_id=demand_id)  # not made yet: it is made from the rating
    return CallbackVisit.objects.filter(demand_id=demand_id, answer_round=answer_round).first()


def _superseded() -> Q:
    return Q(demand__reopen_count__gt=F("answer_round")) | Q(demand__status__in=(Status.MERGED, Status.REJECTED))


def visits_cancel_superseded(*, demand_id: int | None = None) -> int:
    """Cancel the due visits whose answer no longer stands (reopened, merged or refused since)."""
    due = CallbackVisit.objects.filter(status=VisitStatus.DUE)
    if demand_id is not None:
        due = due.filter(demand_id=demand_id)
    ids = list(due.filter(_superseded()).values_list("pk", flat=True))
    # Conditional on still being due: an officer's record made meanwhile stands.
    return CallbackVisit.objects.filter(pk__in=ids, status=VisitStatus.DUE).update(
        status=VisitStatus.CANCELLED, finished_at=timezone.now()
    )


def visits_reconcile(*, now: datetime | None = None) -> dict[str, int]:
    """Make what a lost message left undone: visits for recent answers, citizens' ratings counted,
    superseded visits cancelled. Safe to run any number of times."""
    now = now or timezone.now()
    has_visit = CallbackVisit.objects.filter(demand=OuterRef("pk"), answer_round=OuterRef("reopen_count"))
    missing = (
        Demand.objects.filter(status__in=ANSWERED_STATUSES, replied_at__gte=now - RECONCILE_LOOKBACK)
        .filter(replied_at__lte=now - settings.RECONCILE_AFTER)
        .exclude(Exists(has_visit))
        .values_list("pk", flat=True)
    )
    created = sum(1 for demand_id in list(missing) if visit_schedule(demand_id=demand_id) is not None)
    rated = 0
    unrated = CallbackVisit.objects.filter(
        status=VisitStatus.DUE,
        demand__reopen_count=F("answer_round"),
        demand__rating__isnull=False,
        demand__rated_at__gte=F("answered_at"),
    ).select_related("demand")
    for visit in unrated:
        assert visit.demand.rating is not None  # the filter says so
        if visit_citizen_rated(demand_id=visit.demand_id, answer_round=visit.answer_round, rating=visit.demand.rating):
            rated += 1
    return {"created": created, "rated": rated, "cancelled": visits_cancel_superseded()}
