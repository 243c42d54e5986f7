"""What a draft of the list would change: recent demands routed again under the draft and under
the version in force, side by side, so a maintainer sees a revision's effect before it is law.

Each demand is read once (its place, and the learned model's judgement of its text, which no list
version changes) and answered under both versions' indexes, each built once for the whole
preview: a draft's index was built again for every demand, which made 74 demands take 30–40 s.
benchmarks/impact_preview.py times it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import lru_cache

from django.conf import settings

from demands.models import Demand
from departments.models import Department
from departments.selectors import street_office_for
from responsibility_lists.models import ListVersion, VersionStatus
from routing.learned import Judgement, Learned, active_model, judge_many
from routing.list_matcher import MatterIndex, list_fingerprint
from routing.router import RoutingAnswer, active_learned, answer, index_for, read_demand

# A quarter of a district's demands (about 20,000) and some to spare; the newest are taken.
MAX_DEMANDS = 30_000
# Demands judged by the model at once; progress is reported after each batch (about every second).
BATCH = 500


@dataclass
class ImpactRow:
    tracking_number: str
    title: str
    before: str  # a department's name, "" when a person would have to dispatch it
    after: str
    before_matter: str
    after_matter: str
    reasons: list[dict] = field(default_factory=list)  # why the draft sends it there (reasons.describe)


@dataclass
class ImpactReport:
    total: int = 0
    truncated: bool = False
    moved: list[ImpactRow] = field(default_factory=list)
    newly_triaged: int = 0
    newly_automatic: int = 0

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> ImpactReport:
        return cls(**{**data, "moved": [ImpactRow(**row) for row in data.get("moved", [])]})


@dataclass(frozen=True)
class ImpactInputs:
    """What a preview's answers depend on besides the demands: while these stay the same, a stored
    preview still says what the draft would do."""

    baseline_id: int
    draft_fingerprint: str
    model_version: str


def impact_inputs(*, draft: ListVersion, baseline: ListVersion) -> ImpactInputs:
    """The inputs as they are now (the draft read afresh; the learned model that is active)."""
    model = active_model()
    return ImpactInputs(baseline.pk, list_fingerprint(draft), model.version if model else "")


def _outcome(routed: RoutingAnswer) -> tuple[str, str, bool]:
    best = routed.best
    automatic = routed.confidence >= settings.ROUTING_AUTO_DISPATCH_THRESHOLD and best is not None
    if best is None or best.department_id is None:
        return "", "", False
    return best.department_name, f"{best.matter_code} {best.matter_name}".strip(), automatic


def _index(version: ListVersion) -> MatterIndex:
    # A draft's index is built here once for the whole preview (index_for builds a draft's anew on
    # each call, as a draft may change between two demands; not within one preview).
    return MatterIndex.build(version) if version.status == VersionStatus.DRAFT else index_for(version)


def preview_impact(
    *,
    draft: ListVersion,
    baseline: ListVersion,
    since: datetime,
    model: Learned | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImpactReport:
    """Route the demands submitted since `since` (the newest MAX_DEMANDS) under `baseline` and
    under `draft` with the learned `model` (the active one when None is given and one is active),
    calling `progress(done, total)` after every BATCH demands."""
    report = ImpactReport()
    routing_model = model if model is not None else active_learned()
    before_index, after_index = _index(baseline), _index(draft)
    # The street offices of the few streets of a district, looked up once each, not per demand.
    office_for: Callable[[int | None], Department | None] = lru_cache(maxsize=None)(street_office_for)

    demands = Demand.objects.filter(submitted_at__gte=since).order_by("-submitted_at", "-pk")
    total = demands.count()
    report.truncated = total > MAX_DEMANDS
    total = min(total, MAX_DEMANDS)
    if progress:
        progress(0, total)
    chosen = demands.values_list("tracking_number", "title", "content", "location_text")[:MAX_DEMANDS]
    batch: list[tuple[str, str, str, str]] = []
    for row in chosen.iterator(chunk_size=BATCH):
        batch.append(row)
        if len(batch) == BATCH:
            _route_batch(batch, routing_model, office_for, before_index, after_index, report)
            batch.clear()
            if progress:
                progress(report.total, total)
    _route_batch(batch, routing_model, office_for, before_index, after_index, report)
    return report


def _route_batch(
    batch: list[tuple[str, str, str, str]],
    routing_model: Learned | None,
    office_for: Callable[[int | None], Department | None],
    before_index: MatterIndex,
    after_index: MatterIndex,
    report: ImpactReport,
) -> None:
    # The model judges the batch at once; no list version changes its judgement.
    texts = [(title, content) for _, title, content, _ in batch]
    judgements: list[Judgement | None] = [None] * len(batch)
    if routing_model is not None:
        judgements = list(judge_many(routing_model, texts))
    for (tracking_number, title, content, location_text), judgement in zip(batch, judgements, strict=True):
        reading = read_demand(
            title=title,
            content=content,
            location_text=location_text,
            model=routing_model,
            office_for=office_for,
            judgement=judgement,
        )
        before = answer(reading, index=before_index, worded=False)
        after = answer(reading, index=after_index, worded=False)
        report.total += 1
        before_department, before_matter, before_auto = _outcome(before)
        after_department, after_matter, after_auto = _outcome(after)
        report.newly_triaged += int(before_auto and not after_auto)
        report.newly_automatic += int(after_auto and not before_auto)
        if before_department != after_department:
            report.moved.append(
                ImpactRow(
                    tracking_number=tracking_number,
                    title=title,
                    before=before_department,
                    after=after_department,
                    before_matter=before_matter,
                    after_matter=after_matter,
                    reasons=after.best.reasons if after.best and after.best.department_id else [],
                )
            )
