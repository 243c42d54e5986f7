"""A dispatch follows the version of the list in force: never a draft's matter, always recorded."""

from __future__ import annotations

import pytest

from config.errors import ValidationFailed
from demands.models import Demand, DemandEvent
from demands.workflow import Status
from dispatch.services import demand_dispatch
from responsibility_lists.models import Matter
from responsibility_lists.services import matter_save, version_create_draft
from tests.citizens import VAGUE


@pytest.fixture
def draft(district):
    return version_create_draft(actor=district.users["maintainer"])


def test_a_matter_of_a_draft_is_refused_and_nothing_changes(district, submit, draft):
    demand = submit(**VAGUE).demand
    drafted_stall = Matter.objects.get(version=draft, code=district.matters["stall"].code)
    events_before = DemandEvent.objects.filter(demand=demand).count()

    with pytest.raises(ValidationFailed, match=r"V2.*V1"):
        demand_dispatch(
            demand_id=demand.pk,
            actor=district.users["dispatcher"],
            department_id=district.departments["CGJ"].pk,
            matter_id=drafted_stall.pk,
        )

    demand.refresh_from_db()
    assert demand.status == Status.TRIAGE
    assert demand.matter is None
    assert DemandEvent.objects.filter(demand=demand).count() == events_before


def test_editing_a_draft_never_changes_a_dispatched_demand(district, submit, draft):
    demand = submit(**VAGUE).demand
    demand_dispatch(
        demand_id=demand.pk,
        actor=district.users["dispatcher"],
        department_id=district.departments["CGJ"].pk,
        matter_id=district.matters["stall"].pk,
    )
    drafted = Matter.objects.get(version=draft, code=district.matters["stall"].code)
    matter_save(
        version_id=draft.pk,
        actor=district.users["maintainer"],
        code=drafted.code,
        category_id=drafted.category_id,
        name="占道经营查处（草稿改名）",
    )

    demand.refresh_from_db()
    assert demand.matter == district.matters["stall"]
    assert demand.matter.name == "占道经营查处"
    assert demand.list_version == district.version


def test_a_dispatch_without_a_matter_records_the_version_in_force(district, submit, draft):
    demand = submit(**VAGUE).demand
    demand.list_version = None
    Demand.objects.filter(pk=demand.pk).update(list_version=None)

    demand = demand_dispatch(
        demand_id=demand.pk,
        actor=district.users["dispatcher"],
        department_id=district.departments["CGJ"].pk,
    )

    demand.refresh_from_db()
    assert demand.status == Status.DISPATCHED
    assert demand.matter is None
    assert demand.list_version == district.version
