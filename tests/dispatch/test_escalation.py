"""The escalation ladder: each rung once per assignment, in order, with its event, records and
notices; sweeps are idempotent; citizens see an overdue case."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from demands.models import DemandEvent
from demands.workflow import Action
from departments.models import Membership, Role
from dispatch.models import Assignment, Notification, Supervision
from dispatch.services.escalation import sweep_deadlines
from tests.factories import build_district, make_user
from tests.staff import latest_lead


def test_each_rung_in_turn_and_once(district, submit, django_capture_on_commit_callbacks):
    district.users["zjj"].email = "zjj@example.org"
    district.users["zjj"].save()
    make_user("zjj_head", Role.HEAD, district.departments["ZJJ"])
    make_user("supervisor", Role.SUPERVISOR, district.departments["ZXZX"])
    demand = submit().demand
    lead = latest_lead(demand)
    assert lead.warn_at < lead.handle_deadline < lead.supervise_at < lead.escalate_at

    # The assisting department's part is due within its share of the lead's time: its own ladder
    # (warned, overdue) runs ahead of the lead's and stops there.
    assist = Assignment.objects.get(demand=demand, role="assist")
    assert assist.warn_at < assist.handle_deadline < lead.warn_at
    assert assist.supervise_at is None and assist.escalate_at is None

    assert lead.sign_deadline < lead.warn_at
    with django_capture_on_commit_callbacks(execute=True):
        early = sweep_deadlines(now=lead.warn_at - timedelta(seconds=1))
        # Neither the lead nor the assisting department has signed in time.
        assert early == {
            Action.SIGN_OVERDUE: 2, Action.WARN: 1, Action.OVERDUE: 1, Action.SUPERVISE: 0, Action.ESCALATE: 0
        }  # fmt: skip
        assert sweep_deadlines(now=lead.warn_at)[Action.WARN] == 1
    bodies = {message.body for message in mail.outbox if message.to == ["zjj@example.org"]}
    assert any("办理时限已过 75%" in body for body in bodies) and any("超过签收时限" in body for body in bodies)
    with django_capture_on_commit_callbacks(execute=True):
        taken = sweep_deadlines(now=lead.escalate_at + timedelta(days=1))
    assert taken == {Action.SIGN_OVERDUE: 0, Action.WARN: 0, Action.OVERDUE: 1, Action.SUPERVISE: 1, Action.ESCALATE: 1}
    assert sweep_deadlines(now=lead.escalate_at + timedelta(days=2)) == dict.fromkeys(taken, 0)

    actions = list(DemandEvent.objects.filter(demand=demand).values_list("action", flat=True))
    for rung in (Action.WARN, Action.OVERDUE):
        assert actions.count(rung) == 2
    for rung in (Action.SUPERVISE, Action.ESCALATE):
        assert actions.count(rung) == 1
    assert Supervision.objects.filter(assignment=lead).exists()
    assert not Supervision.objects.filter(assignment=assist).exists()
    kinds = set(Notification.objects.filter(user__username="zjj_head").values_list("kind", flat=True))
    # The lead's head also hears when its assisting department runs late ("assist").
    assert kinds == {"dispatch", "assist", Action.SIGN_OVERDUE, Action.OVERDUE, Action.SUPERVISE, Action.ESCALATE}
    assert Notification.objects.filter(user__username="zjj", kind="dispatch", demand=demand).exists()
    assert Notification.objects.filter(user__username="supervisor", kind=Action.SUPERVISE).exists()


def test_answered_cases_are_not_swept(district, submit):
    from dispatch.services import assignment_release, assignment_reply, assignment_sign

    demand = submit().demand
    lead = latest_lead(demand)
    assignment_sign(assignment_id=lead.pk, actor=district.users["zjj"])
    assist = Assignment.objects.get(demand=demand, role="assist")
    assignment_release(assignment_id=assist.pk, actor=district.users["dispatcher"], reason="不需要")
    assignment_reply(assignment_id=lead.pk, actor=district.users["zjj"], body="已责令停止夜间施工并处罚。")
    assert sum(sweep_deadlines(now=timezone.now() + timedelta(days=60)).values()) == 0


def test_extension_moves_the_rungs_not_yet_taken(district, submit):
    from dispatch.services import extension_decide, extension_request

    demand = submit(title="路边有流动摊贩占道经营", content="坪山大道上每天傍晚都有小贩摆摊占道经营").demand
    lead = latest_lead(demand)
    from dispatch.services import assignment_sign

    assignment_sign(assignment_id=lead.pk, actor=district.users["cgj"])
    sweep_deadlines(now=lead.warn_at)
    request = extension_request(assignment_id=lead.pk, actor=district.users["cgj"], extra_days=5, reason="需要联合执法")
    extension_decide(extension_id=request.pk, actor=district.users["dispatcher"], approve=True)
    moved = latest_lead(demand)
    assert moved.warned_at is not None and moved.warn_at == lead.warn_at  # taken stays taken
    assert moved.supervise_at > lead.supervise_at and moved.escalate_at > lead.escalate_at
    assert sweep_deadlines(now=lead.handle_deadline + timedelta(minutes=1))[Action.OVERDUE] == 0


def test_citizen_sees_an_overdue_case(district, submit):
    submission = submit()
    lead = latest_lead(submission.demand)
    citizen = Client()
    citizen.post("/track/", {"tracking_number": submission.demand.tracking_number, "query_code": submission.query_code})
    page = f"/track/{submission.demand.tracking_number}/"
    assert "已超期" not in citizen.get(page).content.decode()
    # Overdue as soon as the deadline has passed, whether or not the sweep has run since.
    Assignment.objects.filter(pk=lead.pk).update(handle_deadline=timezone.now() - timedelta(minutes=1))
    assert "已超期" in citizen.get(page).content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_take_each_rung_once():
    from tests.services import require_postgres

    require_postgres()
    district = build_district()
    from demands.services import demand_submit
    from dispatch.services import demand_route

    for i in range(30):
        demand = demand_submit(
            title="路边有流动摊贩占道经营", content=f"坪山大道上每天傍晚都有小贩摆摊占道经营（{i}）",
            citizen_name="甲", citizen_phone="13800000000",
        ).demand  # fmt: skip
        demand_route(demand_id=demand.pk)
    moment = timezone.now() + timedelta(days=90)
    results, errors = [], []

    def sweep() -> None:
        try:
            results.append(sweep_deadlines(now=moment, batch=7))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    for rung in (Action.WARN, Action.OVERDUE, Action.SUPERVISE, Action.ESCALATE):
        assert sum(r[rung] for r in results) == 30
        assert DemandEvent.objects.filter(action=rung).count() == 30
    assert Membership.objects.exists() and district.version


def test_notices_of_a_rung_are_fanned_out_once(district, submit):
    from dispatch.services.escalation import notify_ladder_events

    demand = submit().demand
    sweep_deadlines(now=latest_lead(demand).warn_at)  # notices not fanned out yet: no commit here
    events = DemandEvent.objects.filter(demand=demand, action=Action.WARN).order_by("pk")
    first, last = events.first().pk, events.last().pk
    notify_ladder_events(first_id=first, last_id=last)
    notify_ladder_events(first_id=first, last_id=last)  # a redelivered task
    assert Notification.objects.filter(kind=Action.WARN, user=district.users["zjj"]).count() == 1
    assert Notification.objects.filter(kind=Action.WARN, user=district.users["shj"]).count() == 1


def test_the_clock_stands_still_while_an_extension_is_pending(district, submit):
    from dispatch.services import assignment_sign, extension_decide, extension_request

    demand = submit(title="路边有流动摊贩占道经营", content="坪山大道上每天傍晚都有小贩摆摊占道经营").demand
    lead = latest_lead(demand)
    assignment_sign(assignment_id=lead.pk, actor=district.users["cgj"])
    request = extension_request(assignment_id=lead.pk, actor=district.users["cgj"], extra_days=2, reason="需要联合执法")
    # Past the deadline while the request waits: no overdue, no supervision.
    assert sweep_deadlines(now=lead.escalate_at + timedelta(days=5))[Action.OVERDUE] == 0
    # Denied a working day later: that day is given back, nothing more.
    Assignment.objects.filter(pk=lead.pk).update(paused_since=request.requested_at - timedelta(days=1))
    from departments.working_time import current_clock

    clock = current_clock()
    paused = clock.working_hours_between(request.requested_at - timedelta(days=1), timezone.now())
    extension_decide(extension_id=request.pk, actor=district.users["dispatcher"], approve=False, note="时限充足")
    moved = latest_lead(demand)
    expected = clock.add_working_hours(lead.handle_deadline, paused)
    assert abs((moved.handle_deadline - expected).total_seconds()) < 120
