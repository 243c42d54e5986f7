"""The background work: routing is queued on commit, the reconciler picks up what was left in
"submitted", and the auto-close sweep takes each step once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from demands.models import Demand, DemandEvent
from demands.services import demand_submit
from demands.workflow import Action, Status
from dispatch.services import assignment_reply, assignment_sign
from dispatch.tasks import auto_close_replied, reconcile_unrouted, route_demand


def _unrouted(district) -> Demand:
    # Without running the commit callbacks, routing never happens: as if the broker was down.
    demand = demand_submit(
        title="路边有流动摊贩占道经营",
        content="坪山大道上每天傍晚都有小贩摆摊占道经营",
        citizen_name="周九",
        citizen_phone="13500000000",
    ).demand
    assert demand.status == Status.SUBMITTED
    return demand


def test_routing_is_queued_only_on_commit(district, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        demand = _unrouted(district)
    assert len(callbacks) == 2  # routing, and the text message that the demand was taken in
    demand.refresh_from_db()
    assert demand.status == Status.SUBMITTED  # nothing ran before the commit
    assert demand.text_messages.get().status == "pending"


def test_reconciler_routes_what_was_left_behind(district, settings):
    demand = _unrouted(district)
    settings.RECONCILE_AFTER = timedelta(minutes=5)
    assert reconcile_unrouted.apply().get() == 0  # too young: its own task may still be on the way
    Demand.objects.filter(pk=demand.pk).update(submitted_at=timezone.now() - timedelta(minutes=10))
    assert reconcile_unrouted.apply().get() == 1
    demand.refresh_from_db()
    assert demand.status == Status.DISPATCHED


def test_routing_twice_routes_once(district):
    demand = _unrouted(district)
    assert route_demand.apply(args=[demand.pk]).get() == Status.DISPATCHED
    assert route_demand.apply(args=[demand.pk]).get() == "skipped"
    assert DemandEvent.objects.filter(demand=demand, action=Action.AUTO_DISPATCH).count() == 1
    assert route_demand.apply(args=[999999]).get() == "skipped"  # gone: nothing to do


def test_auto_close_sweep_closes_each_once(district, submit, settings):
    demand = submit(title="路边有流动摊贩占道经营", content="坪山大道上每天傍晚都有小贩摆摊占道经营").demand
    lead = demand.assignments.get(role="lead")
    assignment_sign(assignment_id=lead.pk, actor=district.users["cgj"])
    assignment_reply(assignment_id=lead.pk, actor=district.users["cgj"], body="已清理占道摊贩并加强巡查。")
    assert auto_close_replied.apply().get() == 0
    Demand.objects.filter(pk=demand.pk).update(
        replied_at=timezone.now() - timedelta(days=settings.AUTO_CLOSE_AFTER_DAYS + 1)
    )
    assert auto_close_replied.apply().get() == 1
    assert auto_close_replied.apply().get() == 0
    demand.refresh_from_db()
    assert demand.status == Status.CLOSED
    assert DemandEvent.objects.filter(demand=demand, action=Action.AUTO_CLOSE).count() == 1


def test_a_fault_in_routing_sends_the_demand_to_a_person(district, monkeypatch):
    # A bad model or a bug must not keep a demand in "submitted", out of every queue.
    from dispatch.services import routing
    from routing.models import RoutingResult

    def broken(**kwargs):
        RoutingResult.objects.create(  # half-written work is rolled back with the failure
            demand_id=demand.pk, router_version="x", confidence=1, auto_dispatched=True, created_at=timezone.now()
        )
        raise ValueError("the model blob is damaged")

    def also_broken(*args, **kwargs):
        raise ValueError("an alias bug")

    monkeypatch.setattr(routing, "route", broken)
    monkeypatch.setattr(routing, "resolve_location", also_broken)  # the fallback does not need it
    demand = _unrouted(district)
    assert route_demand.apply(args=[demand.pk]).get() == Status.TRIAGE
    event = DemandEvent.objects.get(demand=demand, action=Action.SEND_TO_TRIAGE)
    assert event.reason == "自动分拨出错，转人工分拨。" and event.data == {"routing_failed": True}
    assert not RoutingResult.objects.filter(demand=demand).exists()


def test_a_database_away_is_retried_not_sent_to_a_person(district, monkeypatch):
    from django.db import OperationalError

    from dispatch.services import routing

    def away(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(routing, "route", away)
    demand = _unrouted(district)
    with pytest.raises(OperationalError):
        routing.demand_route(demand_id=demand.pk)
    demand.refresh_from_db()
    assert demand.status == Status.SUBMITTED  # the task retries; the reconciler after it
