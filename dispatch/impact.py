"""What a draft of the list would change: recent demands routed again under the draft and under
the version in force, side by side, so a maintainer sees a revision's effect before it is law."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings

from demands.models import Demand
from dispatch.routing import RoutingAnswer, route
from responsibility_lists.models import ListVersion

MAX_DEMANDS = 5000


@dataclass
class ImpactRow:
    tracking_number: str
    title: str
    before: str
    after: str
    before_matter: str
    after_matter: str
    reason: str


@dataclass
class ImpactReport:
    baseline: ListVersion
    draft: ListVersion
    since: datetime
    total: int = 0
    truncated: bool = False
    moved: list[ImpactRow] = field(default_factory=list)
    newly_triaged: int = 0
    newly_automatic: int = 0


def _outcome(answer: RoutingAnswer) -> tuple[str, str, bool]:
    best = answer.best
    automatic = answer.confidence >= settings.ROUTING_AUTO_DISPATCH_THRESHOLD and best is not None
    if best is None or best.department_id is None:
        return "（人工分拨）", "", False
    return best.department_name, f"{best.matter_code} {best.matter_name}", automatic


def preview_impact(*, draft: ListVersion, baseline: ListVersion, since: datetime) -> ImpactReport:
    report = ImpactReport(baseline=baseline, draft=draft, since=since)
    demands = Demand.objects.filter(submitted_at__gte=since).order_by("-submitted_at")
    chosen = list(demands.only("tracking_number", "title", "content", "location_text")[: MAX_DEMANDS + 1])
    report.truncated = len(chosen) > MAX_DEMANDS
    for demand in chosen[:MAX_DEMANDS]:
        report.total += 1
        before, after = (
            route(title=demand.title, content=demand.content, location_text=demand.location_text, version=version)
            for version in (baseline, draft)
        )
        before_department, before_matter, before_auto = _outcome(before)
        after_department, after_matter, after_auto = _outcome(after)
        report.newly_triaged += int(before_auto and not after_auto)
        report.newly_automatic += int(after_auto and not before_auto)
        if before_department != after_department:
            report.moved.append(
                ImpactRow(
                    tracking_number=demand.tracking_number,
                    title=demand.title,
                    before=before_department,
                    after=after_department,
                    before_matter=before_matter,
                    after_matter=after_matter,
                    reason=after.best.reason if after.best else "新版本下没有匹配的事项",
                )
            )
    return report
