"""Keywords the list gives to matters of different departments. The router weighs a keyword the
same wherever it is written, so such a keyword cannot tell those departments apart: only the
demand's other words can. List maintainers see them before publishing and can make the keyword
more specific, add an exclusion, or merge two matters that are one."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from responsibility_lists.models import ListVersion, Matter
from responsibility_lists.selectors import matters_of


@dataclass(frozen=True)
class KeywordConflict:
    keyword: str
    matters: tuple[Matter, ...]


def _owner(matter: Matter) -> int | None:
    # Every 属地 matter goes to the street office of the place: one owner for this purpose.
    return None if matter.lead_is_territorial else matter.lead_department_id


def keyword_conflicts(version: ListVersion) -> list[KeywordConflict]:
    by_keyword: dict[str, list[Matter]] = defaultdict(list)
    for matter in matters_of(version):
        for keyword in {k.strip() for k in matter.keywords if k and k.strip()}:
            by_keyword[keyword].append(matter)
    return [
        KeywordConflict(keyword, tuple(matters))
        for keyword, matters in sorted(by_keyword.items())
        if len({_owner(m) for m in matters}) > 1
    ]
