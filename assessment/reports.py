"""Periodic reports (周报、月报): the figures of a closed week (Monday to Sunday) or calendar month,
previewed live and frozen when an auditor publishes them.

What is frozen (`report_figures`) is what every page and file of the report is drawn from: the
ranking of the period with the weights in force, the figures by department type, street and
category, and the definitions as they read that day. Nothing is recomputed afterwards: an upheld
appeal or a late callback visit moves the live figures, never a published report. A report says at
publication how many appeals on its cases were still waiting, and until when appeals could come."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assessment.appeals import appeal_window
from assessment.figures import AuditFilters
from assessment.models import Appeal, AppealStatus, PeriodicReport, ReportKind, ScoreWeights, active_weights
from assessment.ranking import figures_json, ranking, ranking_json
from assessment.rates import DEFINITIONS, Dimension, rate_rows
from config.errors import IllegalTransition, NotAllowed, ValidationFailed
from departments.access import has_role
from departments.models import Role

PUBLISHERS = (Role.AUDITOR, Role.ADMIN)
READERS = (Role.AUDITOR, Role.SUPERVISOR, Role.ADMIN)
# The breakdowns a report carries besides the ranking of departments.
BREAKDOWNS = (Dimension.DEPARTMENT_TYPE, Dimension.STREET, Dimension.CATEGORY)
# The figures compared period over period, besides the score.
COMPARED_RATES = ("response_rate", "resolution_rate", "satisfaction_rate", "on_time_rate")


def _next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def period_containing(kind: str, day: date) -> tuple[date, date]:
    """The week (Monday to Sunday) or the calendar month that holds `day`, both ends included."""
    if kind == ReportKind.WEEKLY:
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    start = day.replace(day=1)
    return start, _next_month(start) - timedelta(days=1)


def last_closed_period(kind: str, today: date | None = None) -> tuple[date, date]:
    """The last week or month that has ended: the one just before the one holding today."""
    start, _end = period_containing(kind, today or timezone.localdate())
    return period_containing(kind, start - timedelta(days=1))


def report_period(kind: str, period_start: date) -> tuple[date, date]:
    """The period a report of `kind` starting on `period_start` covers; refuses a start that is not
    a period's first day, so that no two reports of a kind overlap."""
    if kind not in ReportKind.values:
        raise ValidationFailed(_("报告类型只能是周报或月报。"), extra={"fields": {"kind": _("无效的选项。")}})
    start, end = period_containing(kind, period_start)
    if start != period_start:
        message = _("周报从星期一开始。") if kind == ReportKind.WEEKLY else _("月报从每月1日开始。")
        raise ValidationFailed(message, extra={"fields": {"period_start": message}})
    return start, end


def is_closed(period_end: date, now: datetime | None = None) -> bool:
    return timezone.localdate(now or timezone.now()) > period_end


def report_figures(period_start: date, period_end: date, weights: ScoreWeights, now: datetime) -> dict[str, Any]:
    """The figures of the period as a report freezes them. Written in the platform's language, as
    the report is circulated in it, whatever the publisher's own."""
    filters = AuditFilters(date_from=period_start, date_to=period_end)
    with translation.override(settings.LANGUAGE_CODE):
        return {
            "ranking": ranking_json(ranking(filters, weights=weights, now=now)),
            "breakdowns": [
                {
                    "dimension": str(dimension),
                    "title": str(Dimension(dimension).label),
                    "rows": [
                        {"key": row.key, "name": row.name or _("未归类"), **figures_json(row)}
                        for row in rate_rows(filters, dimension, now=now)
                    ],
                }
                for dimension in BREAKDOWNS
            ],
            "definitions": [{"key": key, "text": str(text)} for key, text in DEFINITIONS.items()],
        }


def _appeals_at(period_start: date, period_end: date, now: datetime) -> tuple[int, datetime | None]:
    """(appeals on the period's cases still waiting for a ruling, when the last appeal window of
    the period's months closes if it is still to close)."""
    filters = AuditFilters(date_from=period_start, date_to=period_end)
    pending = Appeal.objects.filter(
        status=AppealStatus.PENDING,
        assignment__dispatched_at__gte=filters.start,
        assignment__dispatched_at__lt=filters.end,
    ).count()
    month, closes = period_start.replace(day=1), None
    while month <= period_end:
        closes = appeal_window(month)[1]
        month = _next_month(month)
    return pending, closes if closes is not None and closes > now else None


def _report(kind: str, period_start: date, period_end: date, now: datetime) -> PeriodicReport:
    weights = active_weights()
    pending, closes = _appeals_at(period_start, period_end, now)
    return PeriodicReport(
        kind=kind,
        period_start=period_start,
        period_end=period_end,
        weights_name=weights.name,
        response_weight=weights.response_weight,
        resolution_weight=weights.resolution_weight,
        satisfaction_weight=weights.satisfaction_weight,
        minimum_cases=weights.minimum_cases,
        figures=report_figures(period_start, period_end, weights, now),
        open_appeals=pending,
        appeals_close_at=closes,
    )


def report_preview(*, kind: str, period_start: date, now: datetime | None = None) -> PeriodicReport:
    """The report as it would be published now: live figures, not stored (an unsaved report)."""
    start, end = report_period(kind, period_start)
    return _report(kind, start, end, now or timezone.now())


def _already_published(kind: str, period_start: date) -> IllegalTransition:
    return IllegalTransition(
        _("%(kind)s %(start)s 已经发布，不能重复发布。")
        % {"kind": ReportKind(kind).label, "start": period_start.strftime("%Y-%m-%d")}
    )


def report_publish(*, actor: User, kind: str, period_start: date, now: datetime | None = None) -> PeriodicReport:
    """Freeze the figures of a closed period, once per kind and period."""
    if not has_role(actor, *PUBLISHERS):
        raise NotAllowed(_("只有考核员和管理员可以发布考核报告。"))
    start, end = report_period(kind, period_start)
    now = now or timezone.now()
    if not is_closed(end, now):
        raise IllegalTransition(_("本期到 %(end)s 才结束，结束后才能发布。") % {"end": end.strftime("%Y-%m-%d")})
    if PeriodicReport.objects.filter(kind=kind, period_start=start).exists():
        raise _already_published(kind, start)
    # One transaction: the figures are read and the report written together, and a second
    # publisher racing this one meets the unique constraint and is told it is already published.
    with transaction.atomic():
        report = _report(kind, start, end, now)
        report.published_by, report.published_at = actor, now
        try:
            with transaction.atomic():
                report.save()
        except IntegrityError:
            raise _already_published(kind, start) from None
    return report


def previous_report(report: PeriodicReport) -> PeriodicReport | None:
    """The last published report of the same kind before this one's period."""
    return (
        PeriodicReport.objects.filter(kind=report.kind, period_start__lt=report.period_start)
        .select_related("published_by")
        .order_by("-period_start")
        .first()
    )


@dataclass
class ComparedRow:
    department_id: int
    department: str
    # "both" (in both reports), "new" (only in this one), "absent" (only in the previous one)
    presence: str
    score: float | None = None
    previous_score: float | None = None
    rank: int | None = None
    previous_rank: int | None = None
    changes: dict[str, float | None] = field(default_factory=dict)

    @property
    def score_change(self) -> float | None:
        if self.score is None or self.previous_score is None:
            return None
        return round(self.score - self.previous_score, 2)


@dataclass
class ComparedTable:
    department_type: str
    title: str
    rows: list[ComparedRow]


@dataclass
class Comparison:
    previous: PeriodicReport | None
    tables: list[ComparedTable]


def _change(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else round(now - before, 4)


def report_comparison(report: PeriodicReport) -> Comparison:
    """This report beside the previous published one of its kind, department by department, within
    each department type: the score, the rank and each rate's change. A department with cases in
    only one of the two is listed as new or absent, with no change."""
    previous = previous_report(report)
    if previous is None:
        return Comparison(previous=None, tables=[])
    before_tables = {t["department_type"]: t for t in previous.figures["ranking"]["tables"]}
    tables = []
    for table in report.figures["ranking"]["tables"]:
        before = {r["department_id"]: r for r in before_tables.get(table["department_type"], {}).get("rows", [])}
        rows = []
        for row in table["rows"]:
            old = before.pop(row["department_id"], None)
            rows.append(
                ComparedRow(
                    department_id=row["department_id"],
                    department=row["department"],
                    presence="both" if old else "new",
                    score=row["score"],
                    previous_score=old["score"] if old else None,
                    rank=row["rank"],
                    previous_rank=old["rank"] if old else None,
                    changes={key: _change(row[key], old[key] if old else None) for key in COMPARED_RATES},
                )
            )
        rows.extend(
            ComparedRow(
                department_id=old["department_id"],
                department=old["department"],
                presence="absent",
                previous_score=old["score"],
                previous_rank=old["rank"],
                changes=dict.fromkeys(COMPARED_RATES),
            )
            for old in before.values()
        )
        tables.append(ComparedTable(department_type=table["department_type"], title=table["title"], rows=rows))
    return Comparison(previous=previous, tables=tables)


@dataclass
class PendingPeriod:
    """A closed period with no published report yet: previewed and published from the list."""

    kind: str
    label: str
    period_start: date
    period_end: date


def pending_periods(today: date | None = None) -> list[PendingPeriod]:
    """The last closed week and month, when not yet published."""
    pending = []
    for kind in ReportKind:
        start, end = last_closed_period(kind, today)
        if not PeriodicReport.objects.filter(kind=kind, period_start=start).exists():
            pending.append(PendingPeriod(kind=kind.value, label=str(kind.label), period_start=start, period_end=end))
    return pending
