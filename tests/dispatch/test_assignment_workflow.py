"""An assignment guards its own moves, by one map, and is read through one set of named reads
that the desk, the workbench and the auditors' figures all count by."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from assessment.figures import AuditFilters, department_rows, district_row
from config.errors import IllegalTransition
from dispatch.assignment_workflow import (
    OPEN_ASSIGNMENT_STATUSES,
    TRANSITIONS,
    AssignmentMove,
    AssignmentRole,
    AssignmentStatus,
    target_of,
)
from dispatch.desk_queues import DeskFilters, queue_counts, queue_items
from dispatch.models import Assignment
from dispatch.services import assignment_sign
from dispatch.services.transitions import assignment_transition, let_go
from dispatch.workbench_queries import department_summary, inbox
from tests.citizens import NOISE, STALL
from tests.staff import latest_lead

FINAL = [s for s in AssignmentStatus.values if s not in OPEN_ASSIGNMENT_STATUSES]


@pytest.mark.parametrize("move", AssignmentMove.values)
@pytest.mark.parametrize("status", FINAL)
def test_nothing_moves_an_assignment_that_has_ended(move, status):
    for role in AssignmentRole.values:
        assert target_of(move, role, status) is None


def test_the_map_keeps_each_move_to_its_role():
    lead, assist = AssignmentRole.LEAD, AssignmentRole.ASSIST
    signed, pending = AssignmentStatus.SIGNED, AssignmentStatus.PENDING_SIGN
    assert target_of(AssignmentMove.ANSWER, lead, signed) == AssignmentStatus.DONE
    assert target_of(AssignmentMove.ANSWER, lead, pending) is None  # sign first
    assert target_of(AssignmentMove.ANSWER, assist, signed) is None  # the lead answers
    assert target_of(AssignmentMove.CONTRIBUTE, assist, pending) == AssignmentStatus.DONE
    assert target_of(AssignmentMove.RETURN, assist, signed) is None
    assert target_of(AssignmentMove.RELEASE, lead, signed) is None
    assert target_of(AssignmentMove.REQUEST_EXTENSION, lead, signed) == signed
    assert set(TRANSITIONS) == set(AssignmentMove.values)


def test_an_illegal_move_is_refused_with_the_reason_and_changes_nothing(district, submit):
    lead = latest_lead(submit(**STALL).demand)
    with pytest.raises(IllegalTransition) as refused:
        assignment_transition(assignment=lead, move=AssignmentMove.ANSWER)
    assert "待签收" in refused.value.message and refused.value.extra == {"status": "pending_sign", "move": "answer"}
    lead.refresh_from_db()
    assert lead.status == AssignmentStatus.PENDING_SIGN and lead.finished_at is None


def test_a_move_that_ends_the_assignment_stops_its_clock(district, submit):
    lead = latest_lead(submit(**STALL).demand)
    Assignment.objects.filter(pk=lead.pk).update(paused_since=timezone.now())
    lead.refresh_from_db()
    assignment_transition(assignment=lead, move=AssignmentMove.RETURN)
    lead.refresh_from_db()
    assert lead.status == AssignmentStatus.RETURNED and lead.finished_at and lead.paused_since is None


def test_letting_go_leaves_ended_work_as_it_ended(district, submit):
    demand = submit(**NOISE).demand
    assist = Assignment.objects.of_demand(demand.pk).assisting().get()
    Assignment.objects.filter(pk=assist.pk).update(status=AssignmentStatus.DONE)
    assert let_go(Assignment.objects.of_demand(demand.pk), timezone.now()) == 1
    assert set(Assignment.objects.of_demand(demand.pk).values_list("role", "status")) == {
        (AssignmentRole.LEAD, AssignmentStatus.RELEASED),
        (AssignmentRole.ASSIST, AssignmentStatus.DONE),
    }


def test_the_pages_and_figures_count_overdue_by_the_named_read(district, submit):
    late, paused, _running = (submit(**STALL).demand for _ in range(3))
    cgj = district.users["cgj"]
    now = timezone.now()
    Assignment.objects.filter(pk=latest_lead(late).pk).update(handle_deadline=now - timedelta(hours=1))
    Assignment.objects.filter(pk=latest_lead(paused).pk).update(
        handle_deadline=now - timedelta(hours=1), paused_since=now - timedelta(hours=2)
    )
    overdue = Assignment.objects.lead().overdue_now()
    assert list(overdue) == [latest_lead(late)]
    assert list(queue_items("overdue", DeskFilters())) == list(overdue)
    assert queue_counts(DeskFilters(), ("overdue",))["overdue"] == overdue.count()
    assert department_summary(cgj).overdue == overdue.count()
    assert [row.is_overdue for row in inbox(cgj, "all") if row.is_overdue] == [True]
    filters = AuditFilters.default()
    assert district_row(filters).overdue == overdue.count()
    assert sum(row.overdue for row in department_rows(filters)) == overdue.count()


def test_the_pages_and_figures_count_open_and_answered_by_the_named_reads(district, submit):
    answered, waiting = submit(**STALL).demand, submit(**NOISE).demand
    cgj = district.users["cgj"]
    assignment_sign(assignment_id=latest_lead(answered).pk, actor=cgj)
    assignment_transition(assignment=latest_lead(answered), move=AssignmentMove.ANSWER)
    assert list(inbox(district.users["shj"], "assisting")) == list(
        Assignment.objects.assisting().open().filter(department=district.departments["SHJ"])
    )
    assert list(inbox(cgj)) == list(Assignment.objects.open().filter(department=district.departments["CGJ"]))
    summary = department_summary(cgj)
    mine = Assignment.objects.filter(department=district.departments["CGJ"])
    assert (summary.open, summary.answered, summary.answered_on_time) == (
        mine.open().count(),
        mine.lead().answered().count(),
        mine.lead().answered_on_time().count(),
    )
    totals = district_row(AuditFilters.default())
    leads = Assignment.objects.lead()
    assert (totals.open, totals.answered, totals.on_time) == (
        leads.open().count(),
        leads.answered().count(),
        leads.answered_on_time().count(),
    )
    assert waiting.pk in leads.open().values_list("demand_id", flat=True)


def test_one_assignment_reads_overdue_as_the_queryset_does(district, submit):
    late, paused, answered, _running = (submit(**STALL).demand for _ in range(4))
    now = timezone.now()
    Assignment.objects.filter(pk__in=[latest_lead(d).pk for d in (late, paused, answered)]).update(
        handle_deadline=now - timedelta(hours=1)
    )
    Assignment.objects.filter(pk=latest_lead(paused).pk).update(paused_since=now)
    Assignment.objects.filter(pk=latest_lead(answered).pk).update(status=AssignmentStatus.DONE)
    overdue = set(Assignment.objects.overdue_now().values_list("pk", flat=True))
    assert overdue == {latest_lead(late).pk}
    assert {a.pk for a in Assignment.objects.all() if a.is_overdue_now} == overdue
