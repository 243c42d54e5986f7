"""The three rates and the figures beside them, each on hand-built cases: assignments and callback
visits written directly with chosen moments, so every count below is worked out by hand."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from assessment.figures import AuditFilters
from assessment.models import VisitStatus
from assessment.rates import DepartmentType, Dimension, RateRow, excluded_demand_ids, percentile, rate_rows
from demands.models import Demand
from demands.workflow import Status
from dispatch.models import AssignmentStatus, ReturnRequest, Supervision
from tests.assessment_cases import NOVEMBER, NOW, TZ, at, lead, make_demand, visit


def row_of(rows: list[RateRow], key) -> RateRow:
    return next(r for r in rows if r.key == key)


def department_row(district, code: str = "CGJ", filters: AuditFilters = NOVEMBER, now: datetime = NOW) -> RateRow:
    return row_of(rate_rows(filters, now=now), district.departments[code].pk)


@pytest.mark.django_db
def test_response_is_the_visit_answer_when_there_is_one_and_signing_in_time_otherwise(district):
    visit(lead(district, signed=1), contacted_in_time=False)  # signed in time, citizen says not contacted: no
    visit(lead(district, signed=3), contacted_in_time=True)  # signed late, citizen says contacted: yes
    lead(district, signed=1)  # no visit, signed in time: yes
    lead(district, signed=3)  # no visit, signed late: no
    lead(district, signed=None, answered=None, status=AssignmentStatus.PENDING_SIGN)  # sign deadline passed: no
    # Still waiting to be signed within its limit: the response is not known yet.
    last_day = datetime(2026, 11, 30, 10, tzinfo=TZ)
    lead(district, dispatched=last_day, signed=None, answered=None)
    # An unreachable visit says nothing about contact: signing in time decides.
    visit(lead(district, signed=1), status=VisitStatus.UNREACHABLE)

    row = department_row(district, now=last_day + timedelta(minutes=30))
    assert (row.received, row.response_known, row.responded) == (7, 6, 3)
    assert row.response_rate == pytest.approx(0.5)


@pytest.mark.django_db
def test_resolution_counts_partly_solved_as_half_and_leaves_unreachable_visits_out(district):
    for resolution in ("solved", "partly", "unsolved"):
        visit(lead(district), resolution=resolution, satisfaction="satisfied")
    visit(lead(district), status=VisitStatus.UNREACHABLE)

    row = department_row(district)
    assert (row.visits_answered, row.unreachable, row.resolution_known) == (3, 1, 3)
    assert row.resolution_rate == pytest.approx((1 + 0.5) / 3)


@pytest.mark.django_db
def test_satisfaction_counts_satisfied_and_basically_satisfied_over_answered_visits(district):
    visit(lead(district), resolution="solved", satisfaction="satisfied")
    visit(lead(district), resolution="solved", satisfaction="basically")
    visit(lead(district), resolution="unsolved", satisfaction="unsatisfied")
    # The citizen's own rating counts as an answer; it says nothing about the resolution.
    visit(lead(district), status=VisitStatus.CITIZEN_RATED, satisfaction="satisfied")
    visit(lead(district), status=VisitStatus.CANCELLED)  # the answer it was about is gone
    visit(lead(district), status=VisitStatus.DUE)  # not called yet

    row = department_row(district)
    assert row.satisfaction_rate == pytest.approx(3 / 4)
    assert row.resolution_rate == pytest.approx(2 / 3)


@pytest.mark.django_db
def test_merged_and_refused_demands_leave_every_figure(district):
    kept = lead(district)
    visit(kept, resolution="solved", satisfaction="satisfied")
    for status in (Status.MERGED, Status.REJECTED):
        gone = lead(district, demand=make_demand(district, status=status), signed=5)
        visit(gone, resolution="unsolved", satisfaction="unsatisfied")

    row = department_row(district)
    assert (row.received, row.visits_answered, row.satisfaction_rate) == (1, 1, 1.0)
    assert set(excluded_demand_ids().values_list("pk", flat=True)) == set(
        Demand.objects.filter(status__in=(Status.MERGED, Status.REJECTED)).values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_a_case_upheld_on_appeal_leaves_its_departments_figures_and_visits(district):
    from assessment.models import Appeal, AppealStatus

    kept = lead(district)
    visit(kept, resolution="solved", satisfaction="satisfied")
    appealed = lead(district, signed=5)
    visit(appealed, resolution="unsolved", satisfaction="unsatisfied")
    pending = lead(district, signed=5)
    appeal = {"department": appealed.department, "period": NOVEMBER.date_from, "reason": "不属本部门"}
    Appeal.objects.create(
        assignment=appealed,
        status=AppealStatus.UPHELD,
        submitted_by=district.users["auditor"],
        submitted_at=NOW,
        **appeal,
    )
    Appeal.objects.create(assignment=pending, submitted_by=district.users["auditor"], submitted_at=NOW, **appeal)

    row = department_row(district)
    # The upheld case and its visit are gone; a pending appeal changes nothing yet.
    assert (row.received, row.visits_answered, row.satisfaction_rate) == (2, 1, 1.0)


@pytest.mark.django_db
def test_a_returned_case_counts_against_the_returner_and_as_a_second_dispatch_for_the_next(district):
    first = lead(district, "CGJ", answered=None, status=AssignmentStatus.RETURNED)
    ReturnRequest.objects.create(
        assignment=first, reason_code="wrong_territory", reason="属街道", requested_by=district.users["cgj"],
        requested_at=at(2), status="upheld",
    )  # fmt: skip
    lead(district, "PSJD", demand=first.demand, dispatched=at(3), is_redispatch=True)
    lead(district, "CGJ")

    cgj, psjd = department_row(district, "CGJ"), department_row(district, "PSJD")
    assert (cgj.received, cgj.returned, cgj.return_rate) == (2, 1, 0.5)
    assert (psjd.received, psjd.redispatched, psjd.redispatch_rate) == (1, 1, 1.0)
    assert cgj.redispatched == 0


@pytest.mark.django_db
def test_a_reopened_answer_counts_as_reopened_and_each_visit_is_read_with_its_own_answer(district):
    first = lead(district, signed=1)
    visit(first, contacted_in_time=True, resolution="unsolved", satisfaction="unsatisfied")
    # Reopened (重办) the next day: the same department answers again, and is visited again.
    second = lead(district, demand=first.demand, dispatched=at(24), signed=3)
    visit(second, round_=1, contacted_in_time=False, resolution="solved", satisfaction="satisfied")

    row = department_row(district)
    assert (row.answered, row.reopened, row.reopen_rate) == (2, 1, 0.5)
    # Contacted in time on the first answer, not on the second: each visit decides its own assignment.
    assert (row.response_known, row.responded) == (2, 1)
    assert row.satisfaction_rate == pytest.approx(0.5)


@pytest.mark.django_db
def test_on_time_is_over_what_fell_due_and_a_paused_clock_is_not_overdue(district):
    lead(district, answered=5, handle_limit=48)  # on time
    lead(district, answered=50, handle_limit=48)  # late
    lead(district, answered=None)  # open, its deadline passed long ago: overdue
    lead(district, answered=None, paused_since=at(10))  # past its deadline but waiting on the citizen
    Supervision.objects.create(
        assignment=lead(district, answered=None), supervisor=district.users["dispatcher"], note="督办",
        response_deadline=at(72),
    )  # fmt: skip

    row = department_row(district)
    assert (row.answered, row.on_time, row.overdue) == (2, 1, 2)
    assert row.on_time_rate == pytest.approx(1 / 4)
    assert row.supervised == 1


@pytest.mark.django_db
def test_working_times_are_in_working_hours_with_median_and_90th_percentile(district):
    lead(district, signed=1, answered=2)  # Monday 09:00: signed 10:00, answered 11:00
    lead(district, signed=2, answered=6)  # signed 11:00; answered 15:00 (12–14 is the lunch break)
    # Friday 6 November 17:00: signed 17:30, answered the next Monday 10:00 (the weekend does not count).
    friday = lead(district, dispatched=datetime(2026, 11, 6, 17, tzinfo=TZ), signed=0.5, answered=65)

    row = department_row(district)
    assert sorted(row.sign_hours) == [0.5, 1, 2]
    assert sorted(row.reply_hours) == [2, 2, 4]
    assert (row.sign_median, row.sign_p90) == (1, 2)
    assert (row.reply_median, row.reply_p90) == (2, 4)
    assert friday.finished_at == datetime(2026, 11, 9, 10, tzinfo=TZ)


def test_percentile_is_the_nearest_rank():
    assert percentile([], 90) is None
    assert percentile([5.0], 90) == 5.0
    assert percentile([float(n) for n in range(1, 11)], 90) == 9.0
    assert percentile([float(n) for n in range(1, 12)], 90) == 10.0


@pytest.mark.django_db
def test_figures_group_by_department_type_street_community_category_and_matter(district):
    visit(lead(district, "CGJ"), resolution="solved", satisfaction="satisfied")
    visit(lead(district, "PSJD", demand=make_demand(district, street="KZJD", matter="noise")), resolution="unsolved")
    lead(district, "KZJD", demand=make_demand(district, street="KZJD", matter="noise"))

    by_type = {r.key: r for r in rate_rows(NOVEMBER, Dimension.DEPARTMENT_TYPE, now=NOW)}
    assert by_type[DepartmentType.BUREAU].received == 1
    assert by_type[DepartmentType.TERRITORY].received == 2
    assert by_type[DepartmentType.TERRITORY].resolution_rate == 0
    assert str(by_type[DepartmentType.TERRITORY].name) == str(DepartmentType.TERRITORY.label)

    by_street = {r.key: r.received for r in rate_rows(NOVEMBER, Dimension.STREET, now=NOW)}
    assert by_street == {district.streets["PSJD"].pk: 1, district.streets["KZJD"].pk: 2}
    by_matter = {r.name: (r.received, r.visits_answered) for r in rate_rows(NOVEMBER, Dimension.MATTER, now=NOW)}
    assert by_matter == {"占道经营查处": (1, 1), "建筑施工噪音扰民": (2, 1)}
    by_category = {r.name: r.received for r in rate_rows(NOVEMBER, Dimension.CATEGORY, now=NOW)}
    assert by_category == {"市容秩序": 1, "施工管理": 2}
    assert [r.key for r in rate_rows(NOVEMBER, Dimension.COMMUNITY, now=NOW)] == [None]  # no community placed


@pytest.mark.django_db
def test_the_period_bounds_both_cohorts(district):
    lead(district, dispatched=datetime(2026, 10, 31, 23, tzinfo=TZ))  # October: not counted
    visit(lead(district), resolution="solved")
    visit(lead(district, dispatched=datetime(2026, 11, 30, 23, 59, tzinfo=TZ), answered=1), resolution="unsolved")

    row = department_row(district)
    assert row.received == 2
    # The second visit's answer went out on 1 December: it belongs to December's visits.
    assert (row.visits_answered, row.resolution_rate) == (1, 1.0)


@pytest.mark.django_db
@pytest.mark.parametrize("dimension", Dimension.values)
def test_each_dimension_costs_the_same_few_queries_however_many_rows(district, django_assert_num_queries, dimension):
    # The assignments' counts, the visits' counts, the assignments' moments, and the clock's
    # working periods and calendar overrides.
    visit(lead(district, "CGJ"), resolution="solved")
    with django_assert_num_queries(5):
        rate_rows(NOVEMBER, dimension, now=NOW)
    for code in ("ZJJ", "SHJ", "PSJD", "KZJD"):
        visit(lead(district, code, demand=make_demand(district, street="KZJD", matter="noise")), resolution="partly")
    with django_assert_num_queries(5):
        rows = rate_rows(NOVEMBER, dimension, now=NOW)
    assert sum(r.received for r in rows) == 5
