"""What changed between two versions of the list, matter by matter and field by field. Matters
are lined up by their code, which stays the same across versions."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from responsibility_lists.list_io import COLUMNS, rows_of
from responsibility_lists.models import ListVersion

KEY = "事项编码"
FIELDS = [c for c in COLUMNS if c != KEY]


@dataclass
class FieldChange:
    field: str
    old: str
    new: str


@dataclass
class MatterChange:
    code: str
    name: str
    changes: list[FieldChange]


@dataclass
class VersionDiff:
    old: str
    new: str
    added: list[dict[str, str]] = field(default_factory=list)
    removed: list[dict[str, str]] = field(default_factory=list)
    changed: list[MatterChange] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def as_dict(self) -> dict:
        return asdict(self)

    def as_text(self) -> str:
        lines = [f"{self.old} → {self.new}: +{len(self.added)} −{len(self.removed)} ~{len(self.changed)}"]
        lines += [f"+ {row[KEY]} {row['事项名称']}" for row in self.added]
        lines += [f"- {row[KEY]} {row['事项名称']}" for row in self.removed]
        for change in self.changed:
            lines.append(f"~ {change.code} {change.name}")
            lines += [f"    {c.field}: {c.old!r} → {c.new!r}" for c in change.changes]
        return "\n".join(lines)


def diff_versions(old: ListVersion, new: ListVersion) -> VersionDiff:
    before = {row[KEY]: row for row in rows_of(old)}
    after = {row[KEY]: row for row in rows_of(new)}
    result = VersionDiff(old=str(old), new=str(new))
    result.added = [after[code] for code in sorted(after.keys() - before.keys())]
    result.removed = [before[code] for code in sorted(before.keys() - after.keys())]
    for code in sorted(before.keys() & after.keys()):
        changes = [FieldChange(f, before[code][f], after[code][f]) for f in FIELDS if before[code][f] != after[code][f]]
        if changes:
            result.changed.append(MatterChange(code=code, name=after[code]["事项名称"], changes=changes))
    return result
