"""The first router: match the published list's keywords and matter names against the demand.

It is deliberately explainable: every candidate carries the words that matched, and the same text
under the same list version always gives the same answer."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from functools import lru_cache

from departments.selectors import ResolvedLocation, resolve_location, street_office_for
from responsibility_lists.models import ListVersion, Matter, VersionStatus

ROUTER_VERSION = "keywords-1"
TITLE_WEIGHT = 2.0
NAME_BONUS = 3.0
# How fast evidence makes the router sure: one specific keyword in the title (about 2 points)
# gives a strength of about one half, two or three agreeing keywords make it nearly certain.
EVIDENCE_SCALE = 2.5


@dataclass(frozen=True)
class MatterTerms:
    matter_id: int
    code: str
    name: str
    keywords: tuple[str, ...]
    exclusions: tuple[str, ...]
    lead_department_id: int | None
    lead_department_name: str
    territorial: bool


@dataclass
class Candidate:
    matter_id: int
    matter_code: str
    matter_name: str
    department_id: int | None
    department_name: str
    score: float
    confidence: float = 0.0
    matched: list[str] = field(default_factory=list)
    reason: str = ""


@dataclass
class RoutingAnswer:
    candidates: list[Candidate]
    location: ResolvedLocation
    router_version: str = ROUTER_VERSION

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def confidence(self) -> float:
        best = self.best
        return best.confidence if best and best.department_id else 0.0

    def candidates_as_json(self) -> list[dict]:
        return [asdict(c) for c in self.candidates]


@lru_cache(maxsize=8)
def _terms_of_frozen_version(version_id: int) -> tuple[MatterTerms, ...]:
    return _load_terms(version_id)


def _load_terms(version_id: int) -> tuple[MatterTerms, ...]:
    matters = Matter.objects.filter(version_id=version_id).select_related("lead_department").order_by("code")
    return tuple(
        MatterTerms(
            matter_id=m.pk,
            code=m.code,
            name=m.name,
            keywords=tuple(k for k in m.keywords if k),
            exclusions=tuple(k for k in m.exclusions if k),
            lead_department_id=m.lead_department_id,
            lead_department_name=m.lead_department.name if m.lead_department else "",
            territorial=m.lead_is_territorial,
        )
        for m in matters
    )


def terms_for(version: ListVersion) -> tuple[MatterTerms, ...]:
    # Published and retired versions never change, so their terms can be cached for good.
    if version.status == VersionStatus.DRAFT:
        return _load_terms(version.pk)
    return _terms_of_frozen_version(version.pk)


def _score(terms: MatterTerms, title: str, content: str) -> tuple[float, list[str]]:
    text = f"{title}\n{content}"
    if any(word in text for word in terms.exclusions):
        return 0.0, []
    score = 0.0
    matched: list[str] = []
    for keyword in terms.keywords:
        in_title, in_content = keyword in title, keyword in content
        if in_title or in_content:
            # Longer keywords are more specific; a title hit says what the demand is about.
            weight = min(len(keyword), 4) / 2
            score += weight * (TITLE_WEIGHT if in_title else 1.0)
            matched.append(keyword)
    if terms.name in text:
        score += NAME_BONUS
        matched.append(terms.name)
    return score, matched


def route(*, title: str, content: str, location_text: str, version: ListVersion, top: int = 3) -> RoutingAnswer:
    location = resolve_location(location_text, title, content)
    scored = []
    for terms in terms_for(version):
        score, matched = _score(terms, title, content)
        if score > 0:
            scored.append((score, terms, matched))
    scored.sort(key=lambda item: (-item[0], item[1].code))
    total = sum(score for score, _, _ in scored[: top + 2]) or 1.0
    office = street_office_for(location.street_id)
    candidates = []
    for score, terms, matched in scored[:top]:
        share = score / total
        strength = 1 - math.exp(-score / EVIDENCE_SCALE)
        if terms.territorial:
            department_id = office.pk if office else None
            department_name = office.name if office else "属地（地点未能识别）"
        else:
            department_id, department_name = terms.lead_department_id, terms.lead_department_name
        reason = f"命中关键词：{'、'.join(matched)}"
        if terms.territorial:
            reason += f"；属地事项，按地点「{location.matched or '未识别'}」派往{department_name}"
        candidates.append(
            Candidate(
                matter_id=terms.matter_id,
                matter_code=terms.code,
                matter_name=terms.name,
                department_id=department_id,
                department_name=department_name,
                score=round(score, 3),
                confidence=round(share * strength, 3),
                matched=matched,
                reason=reason,
            )
        )
    return RoutingAnswer(candidates=candidates, location=location)
