"""Every move the transition map does not allow is refused with the reason and changes nothing."""

from __future__ import annotations

import itertools

import pytest
from django.db import transaction
from django.utils import timezone

from config.errors import IllegalTransition
from demands.models import Demand, DemandEvent
from demands.services import demand_transition
from demands.workflow import TRANSITIONS, Status

ILLEGAL = [
    (action, status)
    for action, status in itertools.product(TRANSITIONS, Status.values)
    if status not in TRANSITIONS[action]
]


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "status"), ILLEGAL)
def test_illegal_move_is_refused(action, status):
    original = None
    if status == Status.MERGED:
        original = Demand.objects.create(
            tracking_number="PS-20260101-000000", query_code_hash="x", citizen_name="甲", citizen_phone="1",
            title="原诉求", content="内容", submitted_at=timezone.now(),
        )  # fmt: skip
    demand = Demand.objects.create(
        tracking_number="PS-20260101-000001", query_code_hash="x", citizen_name="乙", citizen_phone="1",
        title="测试", content="内容", status=status, duplicate_of=original, submitted_at=timezone.now(),
    )  # fmt: skip
    with pytest.raises(IllegalTransition) as error, transaction.atomic():
        demand_transition(demand_id=demand.pk, action=action, actor=None, changes={"title": "改了"})
    assert demand.get_status_display() in error.value.message
    demand.refresh_from_db()
    assert (demand.status, demand.title) == (status, "测试")
    assert not DemandEvent.objects.filter(demand=demand).exists()


def test_there_are_illegal_moves_to_check():
    assert len(ILLEGAL) > 100


@pytest.mark.django_db
def test_a_change_to_a_field_the_demand_does_not_have_is_refused_not_dropped():
    demand = Demand.objects.create(
        tracking_number="PS-20260101-000002", query_code_hash="x", citizen_name="丙", citizen_phone="1",
        title="测试", content="内容", status=Status.IN_PROGRESS, submitted_at=timezone.now(),
    )  # fmt: skip
    with pytest.raises(TypeError, match="replyed_at"), transaction.atomic():
        demand_transition(demand_id=demand.pk, action="reply", actor=None, changes={"replyed_at": timezone.now()})
    demand.refresh_from_db()
    assert demand.status == Status.IN_PROGRESS and not DemandEvent.objects.filter(demand=demand).exists()
    # A foreign key is known by its name and by its column's.
    with transaction.atomic():
        demand_transition(demand_id=demand.pk, action="reply", actor=None, changes={"street_id": None, "matter": None})
    demand.refresh_from_db()
    assert demand.status == Status.REPLIED
