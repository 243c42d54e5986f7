"""The composite score (综合评分) and the rankings within each department type.

score = (w_response × 响应率 + w_resolution × 解决率 + w_satisfaction × 满意率) ÷ (sum of the weights) × 100,
with the weights in force (assessment.models.ScoreWeights). A department is ranked when it was given
at least the weights' minimum number of lead assignments in the period and has all three rates;
otherwise it is listed, unranked, with its figures. Ties share a rank (1, 2, 2, 4).

The change since the previous period compares with the calendar month before when the period is a
calendar month (November with October, whatever their lengths, as monthly rankings are read), else
with the period of the same length just before; scored with the same weights: the change is the
departments' doing, not the administrators'."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from assessment.figures import AuditFilters
from assessment.models import ScoreWeights, active_weights
from assessment.monthly import is_calendar_month, month_of
from assessment.rates import TYPE_OF_KIND, DepartmentType, Dimension, RateRow, rate_rows
from departments.models import Department


@dataclass
class RankedRow:
    figures: RateRow
    department_type: str
    score: float | None
    ranked: bool
    rank: int | None = None
    previous_score: float | None = None
    previous_rank: int | None = None

    @property
    def score_change(self) -> float | None:
        if self.score is None or self.previous_score is None:
            return None
        return self.score - self.previous_score


@dataclass
class RankingTable:
    department_type: str
    label: str
    rows: list[RankedRow] = field(default_factory=list)


@dataclass
class Ranking:
    filters: AuditFilters
    previous: AuditFilters
    weights: ScoreWeights
    tables: list[RankingTable]


def composite_score(row: RateRow, weights: ScoreWeights) -> float | None:
    rates = (row.response_rate, row.resolution_rate, row.satisfaction_rate)
    if any(rate is None for rate in rates) or not weights.total:
        return None
    response, resolution, satisfaction = rates
    weighted = (
        weights.response_weight * response  # type: ignore[operator]
        + weights.resolution_weight * resolution  # type: ignore[operator]
        + weights.satisfaction_weight * satisfaction  # type: ignore[operator]
    )
    return weighted / weights.total * 100


def previous_period(filters: AuditFilters) -> AuditFilters:
    if is_calendar_month(filters):
        date_from, date_to = month_of(filters.date_from - timedelta(days=1)).date_from, filters.date_from
    else:
        date_from = filters.date_from - (filters.date_to - filters.date_from + timedelta(days=1))
        date_to = filters.date_from
    return AuditFilters(
        date_from=date_from,
        date_to=date_to - timedelta(days=1),
        department_ids=filters.department_ids,
        street_ids=filters.street_ids,
    )


def _scored(
    filters: AuditFilters, weights: ScoreWeights, kinds: dict[int, str], now: datetime | None
) -> list[RankedRow]:
    scored = []
    for figures in rate_rows(filters, Dimension.DEPARTMENT, now=now):
        score = composite_score(figures, weights)
        ranked = score is not None and figures.received >= weights.minimum_cases
        department_type = TYPE_OF_KIND.get(kinds.get(figures.key, ""), DepartmentType.BUREAU)
        scored.append(RankedRow(figures=figures, department_type=department_type, score=score, ranked=ranked))
    for department_type in DepartmentType.values:
        _rank([r for r in scored if r.department_type == department_type and r.ranked])
    return scored


def _rank(rows: list[RankedRow]) -> None:
    rows.sort(key=lambda r: -(r.score or 0))
    for position, row in enumerate(rows, start=1):
        tied = position > 1 and rows[position - 2].score == row.score
        row.rank = rows[position - 2].rank if tied else position


def ranking(filters: AuditFilters, *, weights: ScoreWeights | None = None, now: datetime | None = None) -> Ranking:
    weights = weights or active_weights()
    kinds = dict(Department.objects.values_list("pk", "kind"))
    current = _scored(filters, weights, kinds, now)
    previous_filters = previous_period(filters)
    previous = {r.figures.key: r for r in _scored(previous_filters, weights, kinds, now)}
    for row in current:
        if before := previous.get(row.figures.key):
            row.previous_score, row.previous_rank = before.score, before.rank
    tables = []
    for department_type in DepartmentType:
        rows = [r for r in current if r.department_type == department_type]
        # Ranked first in rank order, then the unranked by their number of cases.
        rows.sort(key=lambda r: (not r.ranked, r.rank or 0, -r.figures.received, r.figures.name))
        tables.append(RankingTable(department_type=department_type.value, label=str(department_type.label), rows=rows))
    return Ranking(filters=filters, previous=previous_filters, weights=weights, tables=tables)


def _rounded(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def figures_json(row: RateRow) -> dict[str, Any]:
    return {
        "received": row.received,
        "response_rate": _rounded(row.response_rate),
        "resolution_rate": _rounded(row.resolution_rate),
        "satisfaction_rate": _rounded(row.satisfaction_rate),
        "on_time_rate": _rounded(row.on_time_rate),
        "return_rate": _rounded(row.return_rate),
        "redispatch_rate": _rounded(row.redispatch_rate),
        "reopen_rate": _rounded(row.reopen_rate),
        "supervised": row.supervised,
        "visits_answered": row.visits_answered,
        "visits_unreachable": row.unreachable,
        "sign_hours_median": _rounded(row.sign_median, 2),
        "sign_hours_p90": _rounded(row.sign_p90, 2),
        "reply_hours_median": _rounded(row.reply_median, 2),
        "reply_hours_p90": _rounded(row.reply_p90, 2),
    }


def ranking_json(result: Ranking) -> dict[str, Any]:
    """What the API returns: the same rows as the page, with the weights used."""
    weights = result.weights
    return {
        "date_from": result.filters.date_from.isoformat(),
        "date_to": result.filters.date_to.isoformat(),
        "previous_date_from": result.previous.date_from.isoformat(),
        "previous_date_to": result.previous.date_to.isoformat(),
        "weights": {
            "name": weights.name,
            "response": weights.response_weight,
            "resolution": weights.resolution_weight,
            "satisfaction": weights.satisfaction_weight,
            "minimum_cases": weights.minimum_cases,
        },
        "tables": [
            {
                "department_type": table.department_type,
                "title": table.label,
                "rows": [
                    {
                        "department_id": r.figures.key,
                        "department": r.figures.name,
                        "ranked": r.ranked,
                        "rank": r.rank,
                        "score": _rounded(r.score, 2),
                        "previous_score": _rounded(r.previous_score, 2),
                        "previous_rank": r.previous_rank,
                        "score_change": _rounded(r.score_change, 2),
                        **figures_json(r.figures),
                    }
                    for r in table.rows
                ],
            }
            for table in result.tables
        ],
    }
