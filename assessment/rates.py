"""The three rates (三率) and the figures assessed with them, for any period, grouped by department,
department type, street, community, category, matter or demand type.

Two cohorts (their SQL is in cohorts.py; a period's days are summed from the daily figures where
those are current, and counted from the cases otherwise: daily.py):
- the lead assignments (主办派单) dispatched in the period: response, on-time, returns, second
  dispatches, reopens, supervision and working times (a department is judged on what it was given,
  as on the audit page);
- the callback visits whose answer went out in the period: resolution and satisfaction (the answer
  is what the citizen is asked about, whenever the case came in).

The definitions, as written next to the figures on the page (DEFINITIONS below):
- 响应率: over the lead assignments whose response is known, the share responded to in time. The
  callback visit about the assignment's answer decides when the citizen said whether the department
  contacted them in time; otherwise the department responded in time when it signed by the sign
  deadline. Known: a visit said so, the assignment was signed, or its sign deadline has passed.
- 解决率: (解决 + ½ × 部分解决) ÷ answered visits that recorded a resolution. Partly solved counts
  half: counting it whole would rank "partly" with "solved", dropping it would rank it with
  "unsolved", and either would hide the difference the visit recorded.
- 满意率: (满意 + 基本满意) ÷ answered visits that recorded a satisfaction. Visits that could not
  reach the citizen are not answers: they are counted apart and leave both rates alone.

Demands merged into another or refused as out of scope leave every figure (`excluded_demand_ids`)."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

from django.db import models
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessment import daily, monthly
from assessment.cohorts import Group, assignment_counts, excluded_demand_ids, visit_counts, working_hours
from assessment.figures import AuditFilters
from demands.models import DemandType
from departments.models import DepartmentKind

__all__ = ["DEFINITIONS", "DepartmentType", "Dimension", "RateRow", "excluded_demand_ids", "rate_rows"]


class DepartmentType(models.TextChoices):
    """The three types departments are ranked within (条 / 块 / utilities)."""

    BUREAU = "bureau", _("条：职能部门")
    TERRITORY = "territory", _("块：街道、社区")
    UTILITY = "utility", _("公共服务企业")


# The one place department kinds are mapped to the types they are ranked within.
TYPE_OF_KIND: dict[str, str] = {
    DepartmentKind.FUNCTIONAL: DepartmentType.BUREAU,
    DepartmentKind.STREET: DepartmentType.TERRITORY,
    DepartmentKind.COMMUNITY: DepartmentType.TERRITORY,
    DepartmentKind.UTILITY: DepartmentType.UTILITY,
}


def department_type_of(kind_field: str) -> Case:
    return Case(
        *(When(**{kind_field: kind}, then=Value(str(group))) for kind, group in TYPE_OF_KIND.items()),
        output_field=models.CharField(),
    )


class Dimension(models.TextChoices):
    DEPARTMENT = "department", _("部门")
    DEPARTMENT_TYPE = "department_type", _("部门类型")
    STREET = "street", _("街道")
    COMMUNITY = "community", _("社区")
    CATEGORY = "category", _("大类")
    MATTER = "matter", _("事项")
    DEMAND_TYPE = "demand_type", _("诉求类型")


# (key, name) of each dimension, read from an assignment or a visit (both have `department` and
# `demand`), and read from a row of the daily figures. Category and matter are the demand's, as
# the list placed it.
_LIVE_FIELDS: dict[str, tuple[str, str]] = {
    Dimension.DEPARTMENT: ("department_id", "department__name"),
    Dimension.STREET: ("demand__street_id", "demand__street__name"),
    Dimension.COMMUNITY: ("demand__community_id", "demand__community__name"),
    Dimension.CATEGORY: ("demand__matter__category_id", "demand__matter__category__name"),
    Dimension.MATTER: ("demand__matter_id", "demand__matter__name"),
    # The type is its own name: its label is looked up in Python (_Rows.row_for).
    Dimension.DEMAND_TYPE: ("demand__demand_type", "demand__demand_type"),
}
_TABLE_FIELDS: dict[str, tuple[str, str]] = {
    Dimension.DEPARTMENT: ("department_id", "department__name"),
    Dimension.STREET: ("street_id", "street__name"),
    Dimension.COMMUNITY: ("community_id", "community__name"),
    Dimension.CATEGORY: ("matter__category_id", "matter__category__name"),
    Dimension.MATTER: ("matter_id", "matter__name"),
    Dimension.DEMAND_TYPE: ("demand_type", "demand_type"),
}


def _group(dimension: str, fields: dict[str, tuple[str, str]]) -> Group:
    if dimension == Dimension.DEPARTMENT_TYPE:
        return {"group_key": department_type_of("department__kind"), "group_name": Value("")}
    key, name = fields[dimension]
    return {"group_key": F(key), "group_name": F(name)}


@dataclass
class RateRow:
    key: Any
    name: str
    received: int = 0
    response_known: int = 0
    responded: int = 0
    answered: int = 0
    on_time: int = 0
    overdue: int = 0
    returned: int = 0
    redispatched: int = 0
    reopened: int = 0
    supervised: int = 0
    visits_answered: int = 0
    unreachable: int = 0
    resolution_known: int = 0
    solved: int = 0
    partly: int = 0
    satisfaction_known: int = 0
    satisfied: int = 0
    basically: int = 0
    sign_hours: list[float] = field(default_factory=list, repr=False)
    reply_hours: list[float] = field(default_factory=list, repr=False)
    # (median, 90th percentile) when the database worked them out from the daily figures.
    sign_summary: tuple[float, float] | None = None
    reply_summary: tuple[float, float] | None = None

    def to_stored(self) -> dict[str, Any]:
        """The row as assessment.models.MonthlyFigures keeps it: the counts and the ranked hours."""
        values = {name: getattr(self, name) for name in _STORED_COUNTS}
        return {
            "key": self.key,
            "name": self.name,
            **values,
            "sign": _pair(self.sign_median, self.sign_p90),
            "reply": _pair(self.reply_median, self.reply_p90),
        }

    @classmethod
    def from_stored(cls, values: dict[str, Any], dimension: str) -> RateRow:
        row = cls(key=values["key"], name=values["name"], **{name: values[name] for name in _STORED_COUNTS})
        row.sign_summary = _pair(*values["sign"]) if values["sign"] else None
        row.reply_summary = _pair(*values["reply"]) if values["reply"] else None
        # The labels of types are read in the reader's language, not the builder's.
        if dimension == Dimension.DEPARTMENT_TYPE and row.key in DepartmentType.values:
            row.name = str(DepartmentType(row.key).label)
        elif dimension == Dimension.DEMAND_TYPE and row.key in DemandType.values:
            row.name = str(DemandType(row.key).label)
        return row

    @property
    def response_rate(self) -> float | None:
        return _share(self.responded, self.response_known)

    @property
    def resolution_rate(self) -> float | None:
        return _share(self.solved + self.partly / 2, self.resolution_known)

    @property
    def satisfaction_rate(self) -> float | None:
        return _share(self.satisfied + self.basically, self.satisfaction_known)

    @property
    def due(self) -> int:
        return self.answered + self.overdue

    @property
    def on_time_rate(self) -> float | None:
        return _share(self.on_time, self.due)

    @property
    def return_rate(self) -> float | None:
        return _share(self.returned, self.received)

    @property
    def redispatch_rate(self) -> float | None:
        return _share(self.redispatched, self.received)

    @property
    def reopen_rate(self) -> float | None:
        return _share(self.reopened, self.answered)

    @property
    def sign_median(self) -> float | None:
        if self.sign_summary:
            return self.sign_summary[0]
        return statistics.median(self.sign_hours) if self.sign_hours else None

    @property
    def sign_p90(self) -> float | None:
        return self.sign_summary[1] if self.sign_summary else percentile(self.sign_hours, 90)

    @property
    def reply_median(self) -> float | None:
        if self.reply_summary:
            return self.reply_summary[0]
        return statistics.median(self.reply_hours) if self.reply_hours else None

    @property
    def reply_p90(self) -> float | None:
        return self.reply_summary[1] if self.reply_summary else percentile(self.reply_hours, 90)


# The counts a RateRow adds up: every int field.
_STORED_COUNTS = tuple(f.name for f in fields(RateRow) if f.type in ("int", int))


def _pair(median: float | None, p90: float | None) -> tuple[float, float] | None:
    return None if median is None or p90 is None else (median, p90)


def _share(part: float, whole: int) -> float | None:
    return part / whole if whole else None


def percentile(values: list[float], pct: int) -> float | None:
    """Nearest rank: the smallest value at or below which `pct`% of the values lie."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(pct / 100 * len(ordered)) - 1, 0)]


def rate_rows(
    filters: AuditFilters, dimension: str = Dimension.DEPARTMENT, *, now: datetime | None = None
) -> list[RateRow]:
    """The figures per group of `dimension`, largest groups first. A closed calendar month whose
    figures are stored and current is one read (assessment/monthly.py). Otherwise the days of the
    period that the daily figures hold, untouched since they were built, are summed from them;
    the other days are counted from the cases (two grouped queries and one read of the moments per
    run of consecutive days). Given `now`, every day is counted from the cases as they stand at
    `now`."""
    if now is not None:
        rows = _Rows(dimension)
        rows.add_live(filters, now)
        return rows.sorted()
    now = timezone.now()
    from_table, from_cases = daily.split_period(filters, now)
    if not from_cases and (stored := monthly.stored_rows(filters, dimension)) is not None:
        return [RateRow.from_stored(values, dimension) for values in stored]
    return _from_days(filters, dimension, now, from_table, from_cases)


def _from_days(
    filters: AuditFilters, dimension: str, now: datetime, from_table: list[date], from_cases: list[date]
) -> list[RateRow]:
    rows = _Rows(dimension)
    if from_table:
        rows.add_counts(daily.table_counts(filters, from_table, _group(dimension, _TABLE_FIELDS)))
        key = _group(dimension, _TABLE_FIELDS)["group_key"]
        if not from_cases and daily.percentiles_in_database():
            # Every day from the table: the database ranks the hours; no list comes back.
            for group_key, sign, reply in daily.table_percentiles(filters, from_table, key):
                if (row := rows.get(group_key)) is not None:
                    row.sign_summary, row.reply_summary = sign, reply
        else:
            for group_key, sign_hours, reply_hours in daily.table_hours(filters, from_table, key):
                if (row := rows.get(group_key)) is not None:
                    row.sign_hours.extend(sign_hours)
                    row.reply_hours.extend(reply_hours)
    for first, last in daily.runs(from_cases):
        part = AuditFilters(
            date_from=first, date_to=last, department_ids=filters.department_ids, street_ids=filters.street_ids
        )
        rows.add_live(part, now)
    return rows.sorted()


def build_month(month: date) -> bool:
    """Store the closed month's figures for every dimension, from its days; False (and nothing
    stored) while some day of it is not current in the daily figures. Days never built (before
    the first case, say) are built first."""
    filters = monthly.month_of(month)
    now = timezone.now()
    from_table, from_cases = daily.split_period(filters, now)
    if set(from_cases) - set(daily.never_built(filters)):
        return False
    for day in from_cases:
        daily.build_day(day, now=now)
    from_table = sorted(from_table + from_cases)
    monthly.store(
        filters.date_from,
        {
            dimension: [row.to_stored() for row in _from_days(filters, dimension, now, from_table, [])]
            for dimension in Dimension
        },
        built_at=now,
    )
    return True


class _Rows:
    """Rate rows of one dimension, added up from any number of parts of a period."""

    def __init__(self, dimension: str) -> None:
        self.dimension = dimension
        self.by_key: dict[Any, RateRow] = {}

    def get(self, key: Any) -> RateRow | None:
        return self.by_key.get(key)

    def row_for(self, values: dict[str, Any]) -> RateRow:
        group_key = values.pop("group_key")
        name = values.pop("group_name") or ""
        if group_key not in self.by_key:
            if self.dimension == Dimension.DEPARTMENT_TYPE and group_key is not None:
                name = str(DepartmentType(group_key).label)
            elif self.dimension == Dimension.DEMAND_TYPE and group_key in DemandType.values:
                name = str(DemandType(group_key).label)
            self.by_key[group_key] = RateRow(key=group_key, name=name)
        return self.by_key[group_key]

    def add_counts(self, counted: list[dict[str, Any]]) -> None:
        for values in counted:
            row = self.row_for(values)
            for attribute, count in values.items():
                setattr(row, attribute, getattr(row, attribute) + (count or 0))

    def add_live(self, filters: AuditFilters, now: datetime) -> None:
        group = _group(self.dimension, _LIVE_FIELDS)
        self.add_counts(assignment_counts(filters, group, now))
        self.add_counts(visit_counts(filters, group))
        key_only = {"group_key": group["group_key"]}
        for (group_key,), sign, reply in working_hours(filters, key_only):
            if (row := self.by_key.get(group_key)) is None:
                continue
            if sign is not None:
                row.sign_hours.append(sign)
            if reply is not None:
                row.reply_hours.append(reply)

    def sorted(self) -> list[RateRow]:
        return sorted(self.by_key.values(), key=lambda r: (-r.received, -r.visits_answered, r.key is None, r.name))


# Written next to the figures on the page and returned by the API: what each figure counts.
DEFINITIONS: dict[str, Any] = {
    "response_rate": _(
        "响应率：期间派出的主办派单中，回访时群众确认部门及时联系的，或无回访答复时在签收期限内签收的，"
        "占已知响应情况（有回访答复、已签收或签收期限已过）的派单的比例。"
    ),
    "resolution_rate": _(
        "解决率：（解决 + 部分解决 × 0.5）÷ 期间答复的回访中记录了解决情况的件数；无法联系的回访不计入。"
    ),
    "satisfaction_rate": _("满意率：（满意 + 基本满意）÷ 期间答复的回访中记录了满意程度的件数；无法联系的回访不计入。"),
    "on_time_rate": _(
        "按时办结率：在办理期限（含批准的延期和暂停计时）内答复的 ÷（已答复 + 当前超期未答复）。暂停计时中的不算超期。"
    ),
    "return_rate": _("退单率：期间派出的主办派单中提出过退单的比例（不论裁定结果）。"),
    "redispatch_rate": _("二次分拨率：期间派出的主办派单中，退单后再次派出的比例。"),
    "reopen_rate": _("重办率：已答复的主办派单中，答复后诉求又被派出重办的比例。"),
    "supervised": _("督办：期间派出的主办派单中被列入督办的件数。"),
    "working_time": _(
        "签收、答复用时：从派出到签收、到答复的工作时长（小时，按工作日历计算，暂停计时的时间也计入），取中位数和第90百分位。"
    ),
    "excluded": _("已合并的重复诉求和不予受理的诉求不计入任何数字。"),
}
