"""A lead's return lets its assisting departments go and names itself on them; the ruling brings
back exactly those, by that link, not by matching when they ended. Rows from before the link are
linked by the old timestamp rule when the database migrates."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from dispatch.models import Assignment, AssignmentRole, AssignmentStatus
from dispatch.services import assignment_release
from dispatch.services.returns import assignment_return, return_rule
from tests.citizens import NOISE
from tests.staff import open_lead

BEFORE_THE_LINK = [("dispatch", "0020_models_moved_out")]


def _returned(district, demand):
    return assignment_return(
        assignment_id=open_lead(demand).pk,
        actor=district.users["zjj"],
        reason_code="not_ours",
        reason="不属于本部门职责",
    )


def test_a_return_names_itself_on_the_assisting_departments_it_lets_go(district, submit):
    demand = submit(**NOISE).demand
    request = _returned(district, demand)
    request.assignment.refresh_from_db()
    assist = Assignment.objects.of_demand(demand.pk).assisting().get()
    assert (assist.status, assist.released_by_return) == (AssignmentStatus.RELEASED, request)
    assert request.assignment.status == AssignmentStatus.RETURNED
    assert list(request.released_assists.all()) == [assist]


def test_a_ruling_brings_back_only_what_the_return_let_go(district, submit):
    demand = submit(**NOISE).demand
    assist = Assignment.objects.of_demand(demand.pk).assisting().get()
    assignment_release(assignment_id=assist.pk, actor=district.users["dispatcher"], reason="不需要协办")
    request = _returned(district, demand)
    # Released by the dispatcher, though at the very moment of the return: the old rule (matching
    # timestamps) would have brought it back with the case.
    Assignment.objects.filter(pk=assist.pk).update(finished_at=request.requested_at)
    demand = return_rule(return_id=request.pk, actor=district.users["dispatcher"], uphold=False, note="清单明确")
    assert not Assignment.objects.of_demand(demand.pk).assisting().open().exists()
    assert Assignment.objects.of_demand(demand.pk).lead().open().get().department == district.departments["ZJJ"]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_link_is_linked_by_the_timestamp_rule(district, submit):
    demand = submit(**NOISE).demand
    request = _returned(district, demand)
    released = Assignment.objects.of_demand(demand.pk).assisting().get()
    # Another assisting department of the case, released earlier on its own.
    other = Assignment.objects.create(
        demand=demand,
        department=district.departments["PSJD"],
        role=AssignmentRole.ASSIST,
        status=AssignmentStatus.RELEASED,
        dispatched_at=released.dispatched_at,
        sign_deadline=released.sign_deadline,
        handle_deadline=released.handle_deadline,
        finished_at=released.dispatched_at,
    )
    try:
        _migrate(BEFORE_THE_LINK)
        _migrate(_latest())
        released.refresh_from_db()
        other.refresh_from_db()
        assert released.released_by_return_id == request.pk
        assert other.released_by_return_id is None
    finally:
        _migrate(_latest())
