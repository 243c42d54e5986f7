"""The dispatch figures auditors and the dispatch centre are judged by: how often the first
dispatch was right, how often a case had to be dispatched again, and who returns how much."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Subquery

from demands.models import Demand
from demands.workflow import Status
from departments.models import Department
from dispatch.audit_figures import AuditFilters
from dispatch.models import Assignment, AssignmentRole, ReturnRequest, RoutingModel, RoutingResult
from dispatch.routing.learned import active_model
from dispatch.services.routing import auto_dispatch_thresholds

ANSWERED = (Status.REPLIED, Status.CLOSED)


@dataclass(frozen=True)
class DispatchFigures:
    answered: int
    first_dispatch_right: int
    dispatched: int
    redispatched: int
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

    @property
    def first_dispatch_accuracy(self) -> float | None:
        return self.first_dispatch_right / self.answered if self.answered else None

    @property
    def second_dispatch_rate(self) -> float | None:
        return self.redispatched / self.dispatched if self.dispatched else None


def dispatch_figures(filters: AuditFilters | None = None) -> DispatchFigures:
    """Over the demands submitted in the period, or all of them."""
    demands = Demand.objects.all()
    if filters is not None:
        demands = demands.filter(submitted_at__gte=filters.start, submitted_at__lt=filters.end)
    first_lead = Assignment.objects.filter(demand=OuterRef("pk"), role=AssignmentRole.LEAD).order_by(
        "dispatched_at", "pk"
    )
    answered = demands.filter(status__in=ANSWERED, lead_department__isnull=False).annotate(
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


def return_rates_by_matter(filters: AuditFilters | None = None) -> list[dict]:
    """Per matter, over the lead assignments dispatched in the period (or all). The same figures
    per department are in dispatch.audit_figures.department_rows."""
    leads = Assignment.objects.filter(role=AssignmentRole.LEAD, matter__isnull=False)
    if filters is not None:
        leads = leads.filter(dispatched_at__gte=filters.start, dispatched_at__lt=filters.end)
    rows = (
        leads.values("matter__code", "matter__name")
        .annotate(leads=Count("pk"), returned=Count("returns"))
        .filter(returned__gt=0)
        .order_by("-returned", "matter__code")
    )
    return [{**row, "rate": row["returned"] / row["leads"]} for row in rows]


def pending_return_count() -> int:
    return ReturnRequest.objects.filter(status="pending").count()


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
