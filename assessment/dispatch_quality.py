"""The dispatch figures auditors and the dispatch centre are judged by: how often the first
dispatch was right, how often a case had to be dispatched again, and who returns how much."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery

from assessment.figures import AuditFilters
from demands.models import Demand
from demands.workflow import ANSWERED_STATUSES
from departments.models import Department
from dispatch.models import Assignment, ReturnRequest, RulingStatus
from responsibility_lists.models import Matter
from routing.learned import active_model
from routing.models import RoutingModel, RoutingResult
from routing.thresholds import auto_dispatch_thresholds


@dataclass(frozen=True)
class DispatchShares:
    """How often the first dispatch was right, and how often a case went out again."""

    answered: int
    first_dispatch_right: int
    dispatched: int
    redispatched: int

    @property
    def first_dispatch_accuracy(self) -> float | None:
        return self.first_dispatch_right / self.answered if self.answered else None

    @property
    def second_dispatch_rate(self) -> float | None:
        return self.redispatched / self.dispatched if self.dispatched else None


@dataclass(frozen=True)
class DispatchFigures(DispatchShares):
    # The router's own record: demands it dispatched without a person, and of those answered,
    # how many stayed with the department it chose (its precision in service).
    auto_dispatched: int = 0
    auto_answered: int = 0
    auto_right: int = 0

    @property
    def auto_share(self) -> float | None:
        return self.auto_dispatched / self.dispatched if self.dispatched else None

    @property
    def auto_precision(self) -> float | None:
        return self.auto_right / self.auto_answered if self.auto_answered else None


def dispatch_figures(filters: AuditFilters | None = None) -> DispatchFigures:
    """Over the demands submitted in the period, or all of them."""
    demands = Demand.objects.all()
    if filters is not None:
        demands = demands.filter(submitted_at__gte=filters.start, submitted_at__lt=filters.end)
    first_lead = Assignment.objects.lead().filter(demand=OuterRef("pk")).order_by("dispatched_at", "pk")
    answered = demands.filter(status__in=ANSWERED_STATUSES, lead_department__isnull=False).annotate(
        first_department=Subquery(first_lead.values("department_id")[:1])
    )
    dispatched = demands.filter(Exists(Assignment.objects.filter(demand=OuterRef("pk"))))
    auto = Exists(RoutingResult.objects.filter(demand=OuterRef("pk"), auto_dispatched=True))
    auto_answered = answered.filter(auto)
    return DispatchFigures(
        auto_dispatched=dispatched.filter(auto).count(),
        auto_answered=auto_answered.count(),
        auto_right=auto_answered.filter(first_department=F("lead_department_id")).count(),
        answered=answered.count(),
        first_dispatch_right=answered.filter(first_department=F("lead_department_id")).count(),
        dispatched=dispatched.count(),
        redispatched=dispatched.filter(
            Exists(Assignment.objects.filter(demand=OuterRef("pk"), is_redispatch=True))
        ).count(),
    )


@dataclass(frozen=True)
class FirstDispatchRow(DispatchShares):
    """The demands first dispatched to one department, or under one matter: how many stayed there
    to their answer, how many had to be dispatched again, and how many that first department
    returned. Where the dispatch centre (and the router) misjudge, and whom."""

    key: int | None
    name: str
    returned: int

    @property
    def return_rate(self) -> float | None:
        return self.returned / self.dispatched if self.dispatched else None


FIRST_DISPATCH_GROUPS = {"department": "department_id", "matter": "matter_id"}


def first_dispatch_rows(
    filters: AuditFilters | None, *, by: str, demands: QuerySet[Demand] | None = None
) -> list[FirstDispatchRow]:
    """Per department (`by="department"`) or per matter (`by="matter"`) of each demand's first
    lead assignment, over the demands submitted in the period (or all), most dispatched first.
    `demands` narrows them further (a list version's scorecard takes those routed under it).
    One grouped query; a demand never dispatched is in no row."""
    field_name = FIRST_DISPATCH_GROUPS[by]
    demands = Demand.objects.all() if demands is None else demands
    if filters is not None:
        demands = demands.filter(submitted_at__gte=filters.start, submitted_at__lt=filters.end)

    def first_lead(demand: OuterRef) -> QuerySet[Assignment]:
        return Assignment.objects.lead().filter(demand=demand).order_by("dispatched_at", "pk")

    # The first lead assignment's own return, if it made one (a return ends an assignment, so
    # there is at most one).
    first_returned = ReturnRequest.objects.filter(
        assignment=Subquery(first_lead(OuterRef(OuterRef("pk"))).values("pk")[:1])
    )
    answered = Q(status__in=ANSWERED_STATUSES, lead_department__isnull=False)
    rows = (
        demands.annotate(
            first=Subquery(first_lead(OuterRef("pk")).values(field_name)[:1]),
            first_department=Subquery(first_lead(OuterRef("pk")).values("department_id")[:1]),
            again=Exists(Assignment.objects.filter(demand=OuterRef("pk"), is_redispatch=True)),
            returned_first=Exists(first_returned),
        )
        .filter(first_department__isnull=False)
        .values("first")
        .annotate(
            dispatched=Count("pk"),
            answered=Count("pk", filter=answered),
            first_dispatch_right=Count("pk", filter=answered & Q(lead_department_id=F("first_department"))),
            redispatched=Count("pk", filter=Q(again=True)),
            returned=Count("pk", filter=Q(returned_first=True)),
        )
        .order_by()
    )
    found = list(rows)
    keys = [row["first"] for row in found if row["first"] is not None]
    if by == "department":
        names = dict(Department.objects.filter(pk__in=keys).values_list("pk", "name"))
    else:
        names = {
            pk: f"{code} {name}"
            for pk, code, name in Matter.objects.filter(pk__in=keys).values_list("pk", "code", "name")
        }
    result = [
        FirstDispatchRow(
            key=row["first"], name=names.get(row["first"], ""), **{k: v for k, v in row.items() if k != "first"}
        )
        for row in found
    ]
    # Most dispatched first; a matterless group (dispatched by hand without a matter) last.
    return sorted(result, key=lambda r: (r.key is None, -r.dispatched, r.name))


def of_chosen_departments(rows: list[FirstDispatchRow], filters: AuditFilters) -> list[FirstDispatchRow]:
    """The per-department rows the auditor chose (all when none were): the page's table and the
    export narrow them alike."""
    return [row for row in rows if not filters.department_ids or row.key in filters.department_ids]


def pending_return_count() -> int:
    return ReturnRequest.objects.filter(status=RulingStatus.PENDING).count()


@dataclass(frozen=True)
class DepartmentRecall:
    name: str
    cases: int
    recall: float


@dataclass(frozen=True)
class CategoryAdvice:
    """A 大类 as the held-out test saw it, and the threshold that would have kept nine in ten of
    its automatic dispatches right (None: none would have; a person should see them all)."""

    name: str
    cases: int
    accuracy: float
    suggested: float | None
    configured: float


@dataclass(frozen=True)
class ModelSummary:
    model: RoutingModel
    accuracy: float | None
    top3_accuracy: float | None
    weakest: list[DepartmentRecall]
    calibrated: bool
    categories: list[CategoryAdvice]


def active_model_summary(weakest: int = 5, least_cases: int = 5) -> ModelSummary | None:
    """The learned router in service and what its held-out test said: overall, and the
    departments it recognises worst among those with enough past cases to judge."""
    model = active_model()
    if model is None:
        return None
    held_out = model.metrics.get("held_out") or {}
    by_code = held_out.get("by_department", {})
    names = dict(Department.objects.filter(code__in=by_code).values_list("code", "name"))
    recalls = sorted(
        (
            DepartmentRecall(names.get(code, code), row["cases"], row["recall"])
            for code, row in by_code.items()
            if row["cases"] >= least_cases
        ),
        key=lambda r: (r.recall, -r.cases),
    )
    return ModelSummary(
        model=model,
        accuracy=held_out.get("accuracy"),
        top3_accuracy=held_out.get("top3_accuracy"),
        weakest=recalls[:weakest],
        calibrated=bool(model.metrics.get("calibration")),
        categories=_category_advice(model.metrics.get("by_category") or {}),
    )


def _category_advice(by_category: dict[str, dict]) -> list[CategoryAdvice]:
    configured = auto_dispatch_thresholds.get()  # what routing reads, cached alike
    default = settings.ROUTING_AUTO_DISPATCH_THRESHOLD
    return [
        CategoryAdvice(name, row["cases"], row["accuracy"], row["suggested_threshold"], configured.get(name, default))
        for name, row in by_category.items()
    ]
