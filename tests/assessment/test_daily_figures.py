"""The daily figures (逐日汇总): a month read from the table gives exactly what the cases give, a
change after the build is counted at once and rebuilt by the next refresh, and the table is
rebuilt by a command."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessment import daily
from assessment.models import Appeal, AppealStatus, DailyFigures, DailyFiguresDay, DailyFiguresWatermark, VisitStatus
from assessment.rates import Dimension, RateRow, rate_rows
from config.demo_clock import clock_at
from demands.workflow import Status
from dispatch.models import Assignment, AssignmentStatus, ReturnRequest, Supervision
from dispatch.services import assignment_sign
from tests.assessment_cases import NOVEMBER, NOW, TZ, at, lead, make_demand, visit
from tests.staff import latest_lead

FIGURES = (
    "received", "response_known", "responded", "answered", "on_time", "overdue", "returned", "redispatched",
    "reopened", "supervised", "visits_answered", "unreachable", "resolution_known", "solved", "partly",
    "satisfaction_known", "satisfied", "basically",
)  # fmt: skip
TIMES = ("sign_median", "sign_p90", "reply_median", "reply_p90")


def comparable(rows: list[RateRow]) -> dict:
    """Every figure of every row. The working times are compared to the microhour: PostgreSQL
    ranks the table's hours itself, and its mean of the middle two may differ in the last bit."""
    return {
        row.key: {
            "name": row.name,
            **{name: getattr(row, name) for name in FIGURES},
            **{name: None if getattr(row, name) is None else round(getattr(row, name), 6) for name in TIMES},
        }
        for row in rows
    }


def november_cases(district) -> None:
    """One of each edge case, on several days, departments, streets and matters."""
    kept = lead(district, signed=1, answered=5)
    visit(kept, contacted_in_time=False, resolution="partly", satisfaction="basically")
    visit(lead(district, "PSJD", dispatched=at(24), signed=3, answered=60), status=VisitStatus.UNREACHABLE)
    lead(district, "ZJJ", demand=make_demand(district, street="KZJD", matter="noise"), dispatched=at(48), answered=None)
    lead(district, dispatched=at(72), signed=None, answered=None)  # never signed, deadline long passed
    lead(district, dispatched=at(72), answered=None, paused_since=at(80))  # paused: not overdue
    returned = lead(district, dispatched=at(96), answered=None, status=AssignmentStatus.RETURNED)
    ReturnRequest.objects.create(
        assignment=returned, reason_code="wrong_territory", reason="属街道", requested_by=district.users["cgj"],
        requested_at=at(98), status="upheld",
    )  # fmt: skip
    lead(district, "PSJD", demand=returned.demand, dispatched=at(99), is_redispatch=True)
    first = lead(district, dispatched=at(120))
    visit(first, contacted_in_time=True, resolution="unsolved", satisfaction="unsatisfied")
    second = lead(district, demand=first.demand, dispatched=at(144), signed=2)  # reopened (重办)
    visit(second, round_=1, resolution="solved", satisfaction="satisfied")
    Supervision.objects.create(
        assignment=lead(district, dispatched=at(168), answered=None), supervisor=district.users["dispatcher"],
        note="督办", response_deadline=at(200),
    )  # fmt: skip
    lead(district, demand=make_demand(district, status=Status.MERGED))
    lead(district, demand=make_demand(district, status=Status.REJECTED))
    appealed = lead(district, dispatched=at(192))
    visit(appealed, resolution="unsolved", satisfaction="unsatisfied")
    Appeal.objects.create(
        assignment=appealed, department=appealed.department, period=NOVEMBER.date_from, reason="不属本部门",
        status=AppealStatus.UPHELD, submitted_by=district.users["auditor"], submitted_at=NOW,
    )  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("dimension", Dimension.values)
def test_a_month_read_from_the_daily_figures_is_exactly_the_month_counted_from_the_cases(district, dimension):
    november_cases(district)
    counted = comparable(rate_rows(NOVEMBER, dimension, now=NOW))

    with clock_at(NOW):
        refreshed = daily.refresh()
        from_table, from_cases = daily.split_period(NOVEMBER, NOW)
        read = comparable(rate_rows(NOVEMBER, dimension))

    # Built from the first day with a case to today, the quiet days too; 1 November, before any
    # case, is counted from the cases (nothing, at the cost of three queries).
    assert refreshed is not None and (refreshed.days[0], refreshed.days[-1]) == (at().date(), NOW.date())
    assert (len(from_table), from_cases) == (29, [NOVEMBER.date_from])
    assert read == counted

    # One day counted from the cases, the others read from the table: the same figures again.
    DailyFiguresDay.objects.filter(day=at(24).date()).delete()
    with clock_at(NOW):
        assert daily.split_period(NOVEMBER, NOW)[1] == [NOVEMBER.date_from, at(24).date()]
        assert comparable(rate_rows(NOVEMBER, dimension)) == counted
    assert sum(row["received"] for row in read.values()) == 10  # merged, refused, upheld: out


@pytest.mark.django_db
def test_the_table_is_what_is_read_once_built(district):
    lead(district)
    with clock_at(NOW):
        daily.refresh()
        DailyFigures.objects.update(received=7)  # not what the cases say: only the table says so
        assert [row.received for row in rate_rows(NOVEMBER)] == [7]


def queries_to_read(district, cases_a_day: int) -> int:
    for day in range(-1, 29):  # from 1 November: no day of the month is counted from the cases
        for _ in range(cases_a_day):
            lead(district, dispatched=at(24 * day), signed=1, answered=4)
    with clock_at(NOW):
        daily.refresh()
        with CaptureQueriesContext(connection) as queries:
            rows = rate_rows(NOVEMBER, Dimension.CATEGORY)
    assert rows[0].received == 30 * cases_a_day and rows[0].reply_median == 3  # 09:00 to 13:00, lunch out
    return len(queries)


@pytest.mark.django_db
def test_a_month_read_from_the_table_costs_the_same_few_queries_however_many_cases(district):
    few = queries_to_read(district, 1)
    for model in (DailyFigures, DailyFiguresDay, DailyFiguresWatermark, Assignment):
        model.objects.all().delete()
    assert queries_to_read(district, 3) == few <= 11


@pytest.mark.django_db
def test_a_change_after_the_build_is_counted_at_once_and_rebuilt_by_the_next_refresh(district, scenario):
    overdue = scenario["overdue"]
    today = timezone.localdate()
    period = NOVEMBER.__class__(date_from=today, date_to=today)
    start = timezone.now()
    with clock_at(start + timedelta(minutes=10)):
        daily.refresh()
        before = {row.key: row for row in rate_rows(period)}
    cgj = district.departments["CGJ"].pk
    with clock_at(start + timedelta(minutes=20)):
        assignment_sign(assignment_id=latest_lead(overdue).pk, actor=district.users["cgj"])
        _from_table, from_cases = daily.split_period(period, timezone.now())
        after = {row.key: row for row in rate_rows(period)}
        counted = comparable(rate_rows(period, now=timezone.now()))
    # The signing touched today's row: it is counted from the cases, at once.
    assert from_cases == [today]
    assert after[cgj].response_known == before[cgj].response_known + 1
    assert comparable(list(after.values())) == counted

    with clock_at(start + timedelta(minutes=30)):
        refreshed = daily.refresh()
        assert refreshed is not None and refreshed.days == [today]
        assert daily.split_period(period, timezone.now()) == ([today], [])
        assert comparable(rate_rows(period)) == counted
    with clock_at(start + timedelta(minutes=40)):
        assert daily.refresh().days == []  # nothing changed since


@pytest.mark.django_db
def test_a_deadline_passing_after_the_build_makes_the_case_overdue_at_once(district):
    due = datetime(2026, 11, 30, 12, tzinfo=TZ)
    lead(district, dispatched=due - timedelta(hours=48), answered=None, handle_limit=48)
    dispatched_on = (due - timedelta(hours=48)).date()
    with clock_at(due - timedelta(hours=1)):
        daily.refresh()
        assert dispatched_on not in daily.split_period(NOVEMBER, timezone.now())[1]
        assert rate_rows(NOVEMBER)[0].overdue == 0
    with clock_at(due + timedelta(hours=1)):
        assert dispatched_on in daily.split_period(NOVEMBER, timezone.now())[1]
        assert rate_rows(NOVEMBER)[0].overdue == 1


@pytest.mark.django_db
def test_with_a_tolerance_a_recently_built_day_is_read_from_the_table_though_touched(district, settings):
    settings.DAILY_FIGURES_TOLERANCE_SECONDS = 600
    due = datetime(2026, 11, 30, 12, tzinfo=TZ)
    lead(district, dispatched=due - timedelta(hours=48), answered=None, handle_limit=48)
    with clock_at(due - timedelta(minutes=1)):
        daily.refresh()
    with clock_at(due + timedelta(minutes=1)):
        assert rate_rows(NOVEMBER)[0].overdue == 0  # as the table was built a moment before the deadline
    with clock_at(due + timedelta(minutes=20)):
        assert rate_rows(NOVEMBER)[0].overdue == 1  # built too long ago: counted from the cases


@pytest.mark.django_db
def test_the_command_rebuilds_every_day_or_a_range(district, capsys):
    lead(district)
    lead(district, dispatched=at(24 * 3))
    with clock_at(NOW):
        call_command("rebuild_daily_figures", "--from", "2026-11-03", "--to", "2026-11-05")
        # A range does not vouch for the other days: nothing is read from the table yet.
        assert DailyFiguresWatermark.objects.filter(through__isnull=False).count() == 0
        assert sorted(DailyFiguresDay.objects.values_list("rows", flat=True)) == [0, 0, 1]
        call_command("rebuild_daily_figures")
    assert "Rebuilt 36 days, 2 rows" in capsys.readouterr().out  # 2 to 7 November, quiet days too
    assert DailyFiguresWatermark.objects.get().through == NOW
    assert daily.split_period(NOVEMBER, NOW)[1] == [NOVEMBER.date_from]  # before the first case

    with pytest.raises(CommandError, match="--from and --to"):
        call_command("rebuild_daily_figures", "--from", "2026-11-03")
    with pytest.raises(CommandError, match="before"):
        call_command("rebuild_daily_figures", "--from", "2026-11-05", "--to", "2026-11-03")


def test_runs_groups_consecutive_days():
    d = NOVEMBER.date_from
    days = [d, d + timedelta(days=1), d + timedelta(days=3), d + timedelta(days=5), d + timedelta(days=6)]
    assert list(daily.runs(days)) == [
        (d, d + timedelta(days=1)),
        (d + timedelta(days=3), d + timedelta(days=3)),
        (d + timedelta(days=5), d + timedelta(days=6)),
    ]
