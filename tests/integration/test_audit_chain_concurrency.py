"""On PostgreSQL, writers of one demand's audit trail at the same moment each take their own place
in its chain (under the demand's lock) and the chain verifies; the deadline sweep skips a demand
another change holds, instead of waiting on it or forking its chain, and takes it next time."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from demands.audit_chain import verify
from demands.models import Demand
from demands.services import demand_disclose_contact, demand_submit, demand_transition
from demands.workflow import Action
from dispatch.models import Assignment
from dispatch.services.escalation import sweep_deadlines
from tests.factories import build_district
from tests.services import require_postgres

pytestmark = pytest.mark.django_db(transaction=True)


def _demand() -> Demand:
    return demand_submit(
        title="路边有流动摊贩占道经营", content="坪山大道上每天傍晚都有小贩摆摊占道经营",
        location_text="坪山街道六和城", citizen_name="甲", citizen_phone="13800000000",
    ).demand  # fmt: skip


def test_writers_of_one_demand_at_once_each_take_their_place():
    require_postgres()
    district = build_district()
    demand = _demand()
    before = demand.events.count()
    start = threading.Barrier(8, timeout=20)
    errors: list[Exception] = []

    def write(n: int) -> None:
        try:
            start.wait()
            with transaction.atomic():
                demand_transition(
                    demand_id=demand.pk, action=Action.FOLLOW_UP, actor=None, actor_label="citizen", reason=f"催办{n}"
                )
            demand_disclose_contact(demand=demand, user=district.users["dispatcher"], purpose=f"回访{n}")
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(demand.events.values_list("seq", flat=True)) == list(range(1, before + 9))
    assert sorted(demand.disclosures.values_list("seq", flat=True)) == list(range(1, 9))
    assert verify().intact


def test_the_sweep_skips_a_demand_another_change_holds_and_takes_it_next_time():
    require_postgres()
    build_district()
    demand = _demand()
    lead = Assignment.objects.get(demand=demand, role="lead")
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with transaction.atomic():
            Demand.objects.select_for_update().get(pk=demand.pk)
            held.set()
            release.wait(20)
        connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(20)
        assert sweep_deadlines(now=lead.sign_deadline)[Action.SIGN_OVERDUE] == 0
    finally:
        release.set()
        holder.join()
    assert sweep_deadlines(now=lead.sign_deadline)[Action.SIGN_OVERDUE] == 1
    assert demand.events.filter(action=Action.SIGN_OVERDUE).count() == 1
    assert verify().intact
