"""The auditors' figures over a period: one row per department and per street, and the same
figures over time (per week, or per month over long periods) for the charts.

Two grains, on purpose:
- a department is judged on the lead assignments (主办派单) it was given, so a case it returned counts
  against it and the case's next department is judged on its own assignment;
- a street is judged on the demands that happened in it, whoever handled them.

The tables follow a cohort (what was received in the period, and what became of it); the charts
follow the flow (received in a week, answered in that week). Every figure is one grouped query;
Python only lays the returned rows out on the calendar."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import (
    Avg,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, NullIf, TruncMonth, TruncWeek
from django.utils import timezone

from assessment.models import AppealStatus
from demands.merges import merged_into_q, rated_own_answer_q, rated_shared_answer_q
from demands.models import Demand, DemandEvent, DemandType
from demands.workflow import ANSWERED_STATUSES, OPEN_STATUSES, Action
from dispatch.models import Assignment, AssignmentRole, ReturnRequest, RulingStatus
from dispatch.querysets import answered_again, answered_on_time, answered_q, lead_q, open_q, overdue_now

DEFAULT_PERIOD_DAYS = 90
# Past this many days a weekly chart has too many bars to read; months it is.
WEEKLY_UP_TO_DAYS = 120


@dataclass(frozen=True)
class AuditFilters:
    """What the auditor chose: an inclusive range of local dates, and optionally some departments
    and streets (empty means all)."""

    date_from: date
    date_to: date
    department_ids: tuple[int, ...] = ()
    street_ids: tuple[int, ...] = ()

    @classmethod
    def default(cls, today: date | None = None) -> AuditFilters:
        today = today or timezone.localdate()
        return cls(date_from=today - timedelta(days=DEFAULT_PERIOD_DAYS - 1), date_to=today)

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.date_from, time.min))

    @property
    def end(self) -> datetime:
        """Exclusive: midnight after the last day."""
        return timezone.make_aware(datetime.combine(self.date_to + timedelta(days=1), time.min))

    @property
    def monthly(self) -> bool:
        return (self.date_to - self.date_from).days + 1 > WEEKLY_UP_TO_DAYS

    def to_json(self) -> dict[str, Any]:
        return {
            "date_from": self.date_from.isoformat(),
            "date_to": self.date_to.isoformat(),
            "department": list(self.department_ids),
            "street": list(self.street_ids),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AuditFilters:
        return cls(
            date_from=date.fromisoformat(data["date_from"]),
            date_to=date.fromisoformat(data["date_to"]),
            department_ids=tuple(data.get("department", ())),
            street_ids=tuple(data.get("street", ())),
        )


@dataclass
class FigureRow:
    key: int | None
    name: str
    received: int
    open: int
    answered: int
    on_time: int
    overdue: int
    returns: int
    upheld: int = 0
    redispatched: int = 0
    assists: int = 0
    rating: float | None = None

    @property
    def due(self) -> int:
        """What fell due: the answered, and the still open whose deadline has passed."""
        return self.answered + self.overdue

    @property
    def on_time_rate(self) -> float | None:
        # Over what fell due, not over the answered alone: a department that answers two cases on
        # time and leaves two overdue is on time for half, not for all.
        return self.on_time / self.due if self.due else None

    @property
    def return_rate(self) -> float | None:
        return self.returns / self.received if self.received else None


@dataclass
class Bucket:
    start: date
    received: int = 0
    answered: int = 0
    on_time: int = 0
    overdue: int = 0  # still open, its deadline passed within this bucket

    @property
    def due(self) -> int:
        return self.answered + self.overdue

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.due if self.due else None


@dataclass
class Series:
    title: str
    monthly: bool
    buckets: list[Bucket] = field(default_factory=list)

    @property
    def received(self) -> int:
        return sum(b.received for b in self.buckets)

    @property
    def answered(self) -> int:
        return sum(b.answered for b in self.buckets)

    @property
    def on_time(self) -> int:
        return sum(b.on_time for b in self.buckets)

    @property
    def overdue(self) -> int:
        return sum(b.overdue for b in self.buckets)

    @property
    def due(self) -> int:
        return self.answered + self.overdue


def department_rows(filters: AuditFilters, *, now: datetime | None = None) -> list[FigureRow]:
    """One query: per department, the assignments dispatched to it in the period. A lead assignment
    is returned at most once (a return ends it; the ruling opens a new one), so joining its returns
    adds no rows and the counts and the rating average stay honest. Cases upheld on appeal are not
    the department's to answer for (assessment.appeals)."""
    now = now or timezone.now()
    lead = lead_q()
    assignments = Assignment.objects.filter(dispatched_at__gte=filters.start, dispatched_at__lt=filters.end).exclude(
        appeal__status=AppealStatus.UPHELD
    )
    if filters.department_ids:
        assignments = assignments.filter(department_id__in=filters.department_ids)
    answered = lead & answered_q()
    # A citizen rates the latest answer: a demand answered, redone and answered again counts its
    # ratings once, for the department that answered last.
    rated_answer = answered & Q(superseded=False)
    # A demand merged after being answered keeps the rating its citizen gave that answer; one
    # given after the merge is of the shared answer, counted with the original's ratings.
    own_rating = rated_answer & rated_own_answer_q("demand__")
    rows = (
        assignments.annotate(
            superseded=answered_again(),
            merged_rating_sum=_merged_ratings(Sum("rating")),
            merged_rating_n=_merged_ratings(Count("rating")),
        )
        .values("department_id", "department__name")
        .annotate(
            received=Count("pk", filter=lead, distinct=True),
            assists=Count("pk", filter=Q(role=AssignmentRole.ASSIST), distinct=True),
            open=Count("pk", filter=lead & open_q(), distinct=True),
            answered=Count("pk", filter=answered, distinct=True),
            on_time=Count("pk", filter=lead & answered_on_time(), distinct=True),
            overdue=Count("pk", filter=lead & overdue_now(now), distinct=True),
            redispatched=Count("pk", filter=lead & Q(is_redispatch=True), distinct=True),
            return_n=Count("returns", filter=lead, distinct=True),
            upheld=Count("returns", filter=lead & Q(returns__status=RulingStatus.UPHELD), distinct=True),
            # The answer's own citizen's rating and those of the citizens whose demands were
            # merged into it: every one of them was answered by this department.
            rating_avg=Cast(
                Coalesce(Sum("demand__rating", filter=own_rating), 0)
                + Coalesce(Sum("merged_rating_sum", filter=rated_answer), 0),
                FloatField(),
            )
            / NullIf(
                Count("demand__rating", filter=own_rating) + Coalesce(Sum("merged_rating_n", filter=rated_answer), 0), 0
            ),
        )
        .order_by("-received", "department__name")
    )
    return [_figure_row(r, "department_id", "department__name") for r in rows]


def district_row(filters: AuditFilters, *, now: datetime | None = None) -> FigureRow:
    """The whole district's lead assignments dispatched in the period, counted as a department's
    are: the headline's on-time share and the count of those overdue now."""
    lead = Assignment.objects.lead().filter(dispatched_at__gte=filters.start, dispatched_at__lt=filters.end)
    totals = lead.aggregate(
        received=Count("pk"),
        open=Count("pk", filter=open_q()),
        answered=Count("pk", filter=answered_q()),
        on_time=Count("pk", filter=answered_on_time()),
        overdue=Count("pk", filter=overdue_now(now or timezone.now())),
    )
    return FigureRow(key=None, name="", returns=0, **totals)


def _merged_ratings(aggregate: Sum | Count) -> Coalesce:
    """Per assignment, `aggregate` over the ratings of the demands merged into its demand (through
    chains of merges too)."""
    merged = (
        Demand.objects.filter(merged_into_q(OuterRef("demand_id")), rated_shared_answer_q())
        .order_by()
        .values("status")  # all merged: one group
        .annotate(value=aggregate)
        .values("value")
    )
    return Coalesce(Subquery(merged, output_field=IntegerField()), Value(0))


def _answer_deadline() -> Coalesce:
    """The handling deadline of the lead assignment that gave the demand's latest answer. A direct
    answer (直接答复) had no lead assignment: given at first contact, it was given in time."""
    answering_lead = Assignment.objects.lead().answered().filter(demand=OuterRef("pk")).order_by("-finished_at", "-pk")
    return Coalesce(Subquery(answering_lead.values("handle_deadline")[:1]), F("replied_at"))


def _demands_in(filters: AuditFilters) -> QuerySet[Demand]:
    demands = Demand.objects.filter(submitted_at__gte=filters.start, submitted_at__lt=filters.end)
    if filters.street_ids:
        demands = demands.filter(street_id__in=filters.street_ids)
    return demands


def direct_answers(filters: AuditFilters) -> dict[str, int]:
    """Of the questions (咨询) submitted in the period, how many the centre answered directly at
    first contact (直接答复, 首问办结), whatever became of them since (a rating, a reopening)."""
    answered_directly = Exists(DemandEvent.objects.filter(demand=OuterRef("pk"), action=Action.DIRECT_ANSWER))
    return (
        _demands_in(filters)
        .filter(demand_type=DemandType.QUESTION)
        .aggregate(questions=Count("pk"), answered=Count("pk", filter=Q(answered_directly)))
    )


def street_rows(filters: AuditFilters, *, now: datetime | None = None) -> list[FigureRow]:
    """One query: per street, the demands submitted in the period. Demands the router could not
    place come last under no street."""
    now = now or timezone.now()
    overdue_lead = Assignment.objects.lead().overdue_now(now).filter(demand=OuterRef("pk"))
    return_count = (
        ReturnRequest.objects.filter(assignment__demand=OuterRef("pk"))
        .order_by()
        .values("assignment__demand")
        .annotate(n=Count("pk"))
        .values("n")
    )
    answered = Q(status__in=ANSWERED_STATUSES)
    rows = (
        _demands_in(filters)
        .annotate(
            answer_deadline=_answer_deadline(),
            return_count=Coalesce(Subquery(return_count, output_field=IntegerField()), Value(0)),
        )
        .values("street_id", "street__name")
        .annotate(
            received=Count("pk"),
            open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            answered=Count("pk", filter=answered),
            on_time=Count("pk", filter=answered & Q(replied_at__lte=F("answer_deadline"))),
            overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES) & Q(Exists(overdue_lead))),
            return_n=Coalesce(Sum("return_count"), Value(0)),
            rating_avg=Avg("rating"),
        )
        .order_by(F("street_id").asc(nulls_last=True))
    )
    return [_figure_row(r, "street_id", "street__name") for r in rows]


def _figure_row(row: dict[str, Any], key: str, name: str) -> FigureRow:
    # The annotations are named apart from the models' fields (returns, rating) they summarise.
    values = {k: v for k, v in row.items() if k not in (key, name, "return_n", "rating_avg")}
    return FigureRow(key=row[key], name=row[name] or "", returns=row["return_n"], rating=row["rating_avg"], **values)


# --- over time --------------------------------------------------------------------------------


def _bucket_starts(filters: AuditFilters) -> list[date]:
    if filters.monthly:
        day = filters.date_from.replace(day=1)
        starts = []
        while day <= filters.date_to:
            starts.append(day)
            day = (day + timedelta(days=32)).replace(day=1)
        return starts
    day = filters.date_from - timedelta(days=filters.date_from.weekday())
    return [day + timedelta(weeks=n) for n in range((filters.date_to - day).days // 7 + 1)]


def _trunc(filters: AuditFilters, field_name: str) -> TruncWeek | TruncMonth:
    tz = timezone.get_current_timezone()
    return TruncMonth(field_name, tzinfo=tz) if filters.monthly else TruncWeek(field_name, tzinfo=tz)


def _lay_out(
    filters: AuditFilters, title: str, received: Iterable[dict], answered: Iterable[dict], overdue: Iterable[dict]
) -> Series:
    buckets = {start: Bucket(start) for start in _bucket_starts(filters)}

    def bucket_of(value: datetime | date) -> Bucket | None:
        day = timezone.localtime(value).date() if isinstance(value, datetime) else value
        return buckets.get(day)

    for row in received:
        if bucket := bucket_of(row["bucket"]):
            bucket.received = row["n"]
    for row in answered:
        if bucket := bucket_of(row["bucket"]):
            bucket.answered, bucket.on_time = row["n"], row["on_time"]
    for row in overdue:
        if bucket := bucket_of(row["bucket"]):
            bucket.overdue = row["n"]
    return Series(title=title, monthly=filters.monthly, buckets=list(buckets.values()))


def _grouped(queryset: QuerySet, filters: AuditFilters, field_name: str, **extra: Any) -> QuerySet:
    return (
        queryset.annotate(bucket=_trunc(filters, field_name))
        .values("bucket")
        .annotate(n=Count("pk"), **extra)
        .order_by("bucket")
    )


def demand_series(filters: AuditFilters, *, title: str, street_id: int | None = None) -> Series:
    """Demands received per week (by submission) against demands answered that week (by reply),
    and the share of those answers given by the deadline."""
    demands = Demand.objects.all() if street_id is None else Demand.objects.filter(street_id=street_id)
    received = demands.filter(submitted_at__gte=filters.start, submitted_at__lt=filters.end)
    answered = demands.filter(replied_at__gte=filters.start, replied_at__lt=filters.end).annotate(
        answer_deadline=_answer_deadline()
    )
    on_time = Count("pk", filter=Q(replied_at__lte=F("answer_deadline")))
    overdue = _overdue_leads(filters)
    if street_id is not None:
        overdue = overdue.filter(demand__street_id=street_id)
    return _lay_out(
        filters,
        title,
        _grouped(received, filters, "submitted_at"),
        _grouped(answered, filters, "replied_at", on_time=on_time),
        _grouped(overdue, filters, "handle_deadline"),
    )


def _overdue_leads(filters: AuditFilters) -> QuerySet[Assignment]:
    """Lead assignments overdue now whose deadline fell in the period: each bucket's share of
    answers on time is over what fell due in it, answered or not."""
    return (
        Assignment.objects.lead()
        .overdue_now()
        .filter(handle_deadline__gte=filters.start, handle_deadline__lt=filters.end)
    )


def department_series(filters: AuditFilters, *, title: str, department_id: int) -> Series:
    """Lead assignments dispatched to the department per week against those it answered."""
    leads = Assignment.objects.lead().filter(department_id=department_id)
    received = leads.filter(dispatched_at__gte=filters.start, dispatched_at__lt=filters.end)
    answered = leads.answered().filter(finished_at__gte=filters.start, finished_at__lt=filters.end)
    on_time = Count("pk", filter=answered_on_time())
    return _lay_out(
        filters,
        title,
        _grouped(received, filters, "dispatched_at"),
        _grouped(answered, filters, "finished_at", on_time=on_time),
        _grouped(_overdue_leads(filters).filter(department_id=department_id), filters, "handle_deadline"),
    )
