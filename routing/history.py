"""Bringing a district's past cases in from an older system, so the router learns from them.

Like the list import, it is all or nothing: every row is checked first, and a file with a bad
row (no text, an unknown department) imports nothing and names each bad row."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from config.columns import max_length
from config.errors import ValidationFailed
from departments.models import Department, DepartmentKind
from routing.models import HistoricalCase

# The repository's own labelled messages (written for the sample district, each with the
# department that handles it): the demo's history and the benchmarks' fallback.
LABELLED_SAMPLE = Path(__file__).resolve().parent / "sample_data" / "demo_messages.csv"
NAME_LENGTH = max_length(Department, "name")
# What older systems and public message sets call a demand's subject line. A file's titles are
# read even when no title column is named: without them the model learns markedly less (7
# categories, 5 folds: accuracy 0.844 → 0.830, share dispatchable at 98% precision 0.43 → 0.34).
TITLE_COLUMNS = ("title", "subject", "标题", "主题", "留言主题", "诉求标题", "来信标题", "工单标题", "事项标题")


@dataclass(frozen=True)
class HistoryColumns:
    text: str = "content"
    title: str = ""
    department: str = "department"
    submitted: str = ""
    location: str = ""
    matter: str = ""
    external_id: str = ""


def title_column_in(columns: Iterable[str], *, besides: str) -> str:
    """The first of a file's columns that is named as a title (not the text's own), or ""."""
    return next((name for name in columns if name != besides and name.lower() in TITLE_COLUMNS), "")


def chosen_title_column(
    named: str | None, columns: Iterable[str], *, besides: str, say: Callable[[str], object]
) -> str:
    """The column named for titles; when none was (None, not ''), the one named as a title, said
    aloud, as the commands read titles unasked."""
    if named is not None:
        return named
    found = title_column_in(columns, besides=besides)
    if found:
        say(f"Titles from column {found!r} (--title-column '' reads none).")
    return found


def _parse_time(value: str) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    moment = parse_datetime(value.replace("/", "-"))
    if moment is None:
        day = parse_date(value.replace("/", "-"))
        moment = datetime(day.year, day.month, day.day) if day else None
    if moment is None:
        raise ValueError(_("时间「%(value)s」无法识别") % {"value": value})
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def departments_by_label() -> dict[str, Department]:
    """Every department under each name a past case may give it: name, short name and code."""
    departments: dict[str, Department] = {}
    for d in Department.objects.all():
        departments.update({d.name: d, d.code: d, **({d.short_name: d} if d.short_name else {})})
    return departments


@transaction.atomic
def history_import(
    rows: Iterable[Mapping[str, str]], columns: HistoryColumns, *, create_missing_departments: bool = False
) -> int:
    """Import past cases; returns how many. Departments are matched by name, short name or code."""
    departments = departments_by_label()
    cases, errors = [], []
    for number, row in enumerate(rows, start=2):
        text = (row.get(columns.text) or "").strip()
        label = (row.get(columns.department) or "").strip()
        problems = []
        if not text:
            problems.append(_("缺少内容（列「%(column)s」）") % {"column": columns.text})
        if not label:
            problems.append(_("缺少承办部门（列「%(column)s」）") % {"column": columns.department})
        elif label not in departments:
            if create_missing_departments and len(label) > NAME_LENGTH:
                problems.append(
                    _("承办部门名称「%(name)s」超过%(n)s个字") % {"name": label[:20] + "…", "n": NAME_LENGTH}
                )
            elif create_missing_departments:
                departments[label] = Department.objects.create(
                    code=f"H{Department.objects.count() + 1:04d}", name=label, kind=DepartmentKind.FUNCTIONAL
                )
            else:
                problems.append(_("承办部门「%(name)s」不存在") % {"name": label})
        submitted = None
        if columns.submitted:
            try:
                submitted = _parse_time(row.get(columns.submitted, ""))
            except ValueError as error:
                problems.append(str(error))
        if problems:
            errors.append(_("第%(row)s行：%(problems)s") % {"row": number, "problems": "；".join(problems)})
            continue
        cases.append(
            HistoricalCase(
                external_id=(row.get(columns.external_id) or "")[:64] if columns.external_id else "",
                title=(row.get(columns.title) or "")[:255] if columns.title else "",
                content=text,
                location_text=(row.get(columns.location) or "")[:255] if columns.location else "",
                submitted_at=submitted,
                department=departments[label],
                matter_code=(row.get(columns.matter) or "").strip()[:32] if columns.matter else "",
            )
        )
    if errors:
        raise ValidationFailed(
            _("有%(count)s行错误，未导入任何历史案例。") % {"count": len(errors)}, extra={"rows": errors}
        )
    HistoricalCase.objects.bulk_create(cases, batch_size=1000)
    return len(cases)
