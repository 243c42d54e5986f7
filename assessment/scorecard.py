"""The scorecard of a published version of the responsibility list: what became of the demands
routed under it, side by side with the version before, and for each matter the revision changed,
how often its cases came back before and after. It tells the list's maintainers whether their
last revision helped.

A demand belongs to the version it was routed under (Demand.list_version), whatever happened
later: that is the version "in force" for it. Every figure is a grouped query over both versions
at once, or one per version (first_dispatch_rows); none is per matter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q
from django.utils import timezone

from assessment.dispatch_quality import FirstDispatchRow, first_dispatch_rows
from demands.models import Demand
from dispatch.models import Assignment, ReturnRequest, RulingStatus
from dispatch.querysets import answered_on_time, answered_q, overdue_now
from responsibility_lists.diff import VersionDiff, diff_versions
from responsibility_lists.models import FROZEN_STATUSES, ListVersion, Matter


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class VersionFigures:
    """The demands routed under one version, and what became of them."""

    demands: int
    dispatched: int
    answered: int
    first_dispatch_right: int
    redispatched: int
    returned: int
    rulings: int
    upheld: int
    due: int
    on_time: int

    @property
    def first_dispatch_accuracy(self) -> float | None:
        return _share(self.first_dispatch_right, self.answered)

    @property
    def return_rate(self) -> float | None:
        return _share(self.returned, self.dispatched)

    @property
    def second_dispatch_rate(self) -> float | None:
        return _share(self.redispatched, self.dispatched)

    @property
    def upheld_rate(self) -> float | None:
        return _share(self.upheld, self.rulings)

    @property
    def on_time_rate(self) -> float | None:
        return _share(self.on_time, self.due)


@dataclass(frozen=True)
class MatterRates:
    """The demands first dispatched under one matter of one version."""

    dispatched: int
    returned: int
    redispatched: int

    @property
    def return_rate(self) -> float | None:
        return _share(self.returned, self.dispatched)

    @property
    def redispatch_rate(self) -> float | None:
        return _share(self.redispatched, self.dispatched)


NO_CASES = MatterRates(dispatched=0, returned=0, redispatched=0)


class ChangeKind:
    ADDED = "added"
    CHANGED = "changed"
    REMOVED = "removed"


@dataclass(frozen=True)
class MatterChangeRow:
    """One matter the version changed: what changed, and its rates under each version (None where
    the matter was not in that version)."""

    code: str
    name: str
    kind: str
    columns: list[str]
    before: MatterRates | None
    after: MatterRates | None


@dataclass(frozen=True)
class Scorecard:
    version: ListVersion
    # When the next version took over; None while this one is still in force.
    in_force_until: datetime | None
    figures: VersionFigures
    previous: ListVersion | None
    previous_figures: VersionFigures | None
    matters: list[MatterChangeRow]


def published_versions() -> list[ListVersion]:
    return list(ListVersion.objects.filter(status__in=FROZEN_STATUSES).order_by("-number"))


def previous_version(version: ListVersion) -> ListVersion | None:
    """The published version numbered just below: the one this version revised."""
    return ListVersion.objects.filter(status__in=FROZEN_STATUSES, number__lt=version.number).order_by("-number").first()


def _in_force_until(version: ListVersion) -> datetime | None:
    if version.effective_from is None:
        return None
    return (
        ListVersion.objects.filter(status__in=FROZEN_STATUSES, effective_from__gt=version.effective_from)
        .order_by("effective_from")
        .values_list("effective_from", flat=True)
        .first()
    )


def version_scorecard(version: ListVersion, *, now: datetime | None = None) -> Scorecard:
    """The scorecard of a version. A draft has routed nothing, so its own figures are zero; its
    changed matters' rates under the version in force are the baseline its revision will be
    judged against."""
    now = now or timezone.now()
    previous = previous_version(version)
    versions = [version] if previous is None else [version, previous]
    ids = [v.pk for v in versions]
    by_matter = {
        v.pk: first_dispatch_rows(None, by="matter", demands=Demand.objects.filter(list_version=v)) for v in versions
    }
    rulings = _rulings(ids)
    on_time = _on_time(ids, now)
    demands = dict(
        Demand.objects.filter(list_version_id__in=ids)
        .values("list_version_id")
        .annotate(n=Count("pk"))
        .values_list("list_version_id", "n")
        .order_by()
    )

    def figures_of(v: ListVersion) -> VersionFigures:
        rows = by_matter[v.pk]
        return VersionFigures(
            demands=demands.get(v.pk, 0),
            dispatched=sum(r.dispatched for r in rows),
            answered=sum(r.answered for r in rows),
            first_dispatch_right=sum(r.first_dispatch_right for r in rows),
            redispatched=sum(r.redispatched for r in rows),
            returned=sum(r.returned for r in rows),
            **rulings.get(v.pk, {"rulings": 0, "upheld": 0}),
            **on_time.get(v.pk, {"due": 0, "on_time": 0}),
        )

    matters: list[MatterChangeRow] = []
    if previous is not None:
        codes = _matter_codes([r.key for rows in by_matter.values() for r in rows if r.key is not None])
        matters = _changed_matters(
            diff_versions(previous, version),
            before=_rates_by_code(by_matter[previous.pk], codes),
            after=_rates_by_code(by_matter[version.pk], codes),
        )
    return Scorecard(
        version=version,
        in_force_until=_in_force_until(version),
        figures=figures_of(version),
        previous=previous,
        previous_figures=figures_of(previous) if previous is not None else None,
        matters=matters,
    )


def _rulings(version_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per version: the returns of its demands the dispatch centre ruled on, and those it upheld.
    An upheld return always moves the case to another department (dispatch.services.returns), so
    each is a ruling that the department the case was first given (by the list, or by a
    dispatcher reading it) was the wrong one."""
    rows = (
        ReturnRequest.objects.filter(assignment__demand__list_version_id__in=version_ids)
        .values("assignment__demand__list_version_id")
        .annotate(
            rulings=Count("pk", filter=Q(status__in=[RulingStatus.UPHELD, RulingStatus.OVERRULED])),
            upheld=Count("pk", filter=Q(status=RulingStatus.UPHELD)),
        )
        .order_by()
    )
    return {
        row["assignment__demand__list_version_id"]: {"rulings": row["rulings"], "upheld": row["upheld"]} for row in rows
    }


def _on_time(version_ids: list[int], now: datetime) -> dict[int, dict[str, int]]:
    """Per version: the lead assignments of its demands that fell due (answered, or open past
    their deadline now) and those answered by their deadline, counted as the audit page counts a
    department's (assessment.figures.FigureRow.on_time_rate)."""
    rows = (
        Assignment.objects.lead()
        .filter(demand__list_version_id__in=version_ids)
        .values("demand__list_version_id")
        .annotate(
            answered=Count("pk", filter=answered_q()),
            overdue=Count("pk", filter=overdue_now(now)),
            on_time=Count("pk", filter=answered_on_time()),
        )
        .order_by()
    )
    return {
        row["demand__list_version_id"]: {"due": row["answered"] + row["overdue"], "on_time": row["on_time"]}
        for row in rows
    }


def _matter_codes(matter_ids: list[int]) -> dict[int, str]:
    return dict(Matter.objects.filter(pk__in=matter_ids).values_list("pk", "code"))


def _rates_by_code(rows: list[FirstDispatchRow], codes: dict[int, str]) -> dict[str, MatterRates]:
    """Matters are lined up across versions by their code (each version has its own rows)."""
    return {
        codes[r.key]: MatterRates(dispatched=r.dispatched, returned=r.returned, redispatched=r.redispatched)
        for r in rows
        if r.key in codes
    }


def _changed_matters(
    diff: VersionDiff, *, before: dict[str, MatterRates], after: dict[str, MatterRates]
) -> list[MatterChangeRow]:
    rows = [
        MatterChangeRow(
            code=change.code,
            name=change.name,
            kind=ChangeKind.CHANGED,
            columns=[c.field for c in change.changes],
            before=before.get(change.code, NO_CASES),
            after=after.get(change.code, NO_CASES),
        )
        for change in diff.changed
    ]
    rows += [
        MatterChangeRow(
            code=row["事项编码"],
            name=row["事项名称"],
            kind=ChangeKind.ADDED,
            columns=[],
            before=None,
            after=after.get(row["事项编码"], NO_CASES),
        )
        for row in diff.added
    ]
    rows += [
        MatterChangeRow(
            code=row["事项编码"],
            name=row["事项名称"],
            kind=ChangeKind.REMOVED,
            columns=[],
            before=before.get(row["事项编码"], NO_CASES),
            after=None,
        )
        for row in diff.removed
    ]
    return sorted(rows, key=lambda r: r.code)
