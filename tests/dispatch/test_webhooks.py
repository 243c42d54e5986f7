"""Webhooks: subscribed systems hear of demands' changes, signed, in order, and a receiver that was
down gets everything afterwards (the outbox is written with the change itself)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.utils import timezone

from config.demo_clock import clock_at
from demands.models import Channel
from demands.services import demand_rate, demand_submit
from demands.sources import source_system_register
from dispatch.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from dispatch.services import assignment_reply, assignment_sign, demand_reject
from dispatch.tasks import retry_webhooks
from dispatch.webhooks import sign
from tests.staff import latest_lead
from tests.webhook_receiver import Receiver

NOISE = {
    "title": "工地半夜施工噪音太大",
    "content": "六和城旁边的工地每天半夜施工打桩，吵得无法入睡",
    "location_text": "坪山街道六和城",
    "citizen_name": "王小明",
    "citizen_phone": "13800138000",
}


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


def subscribe(url: str, **extra) -> WebhookSubscription:
    return WebhookSubscription.objects.create(name=extra.pop("name", "市平台"), url=url, secret="s3cret", **extra)


def handled(district, callbacks, **extra):
    """A construction-noise case (住建局 leads) from submission to the citizen's rating."""
    with callbacks(execute=True):
        demand = demand_submit(**NOISE, **extra).demand
    lead = latest_lead(demand)
    with callbacks(execute=True):
        assignment_sign(assignment_id=lead.pk, actor=district.users["zjj"])
        for assist in demand.assignments.filter(role="assist"):
            from dispatch.services import assignment_contribute

            assignment_sign(assignment_id=assist.pk, actor=district.users["shj"])
            assignment_contribute(assignment_id=assist.pk, actor=district.users["shj"], body="已配合现场检测噪音超标。")
        assignment_reply(assignment_id=lead.pk, actor=district.users["zjj"], body="已责令工地夜间停工，群众认可。")
        demand.refresh_from_db()
        demand_rate(demand=demand, rating=5)
    return demand


@pytest.mark.django_db
def test_a_source_system_hears_its_demands_changes_signed_and_in_order(
    district, receiver, django_capture_on_commit_callbacks
):
    city = source_system_register(name="市12345平台", channel=Channel.CITY_PLATFORM).system
    subscribe(receiver.url, source_system=city)
    demand = handled(district, django_capture_on_commit_callbacks, source=city, source_reference="SZ-7")

    assert [(m["sequence"], m["kind"]) for m in receiver.messages] == [(1, "dispatched"), (2, "replied"), (3, "closed")]
    for headers, body in receiver.taken:
        assert headers["X-Webhook-Signature"] == sign("s3cret", int(headers["X-Webhook-Timestamp"]), body)
    replied = receiver.messages[1]
    assert replied["demand"]["tracking_number"] == demand.tracking_number
    assert replied["demand"]["source_reference"] == "SZ-7"
    assert replied["reply"] == "已责令工地夜间停工，群众认可。"  # its own case: it answers its citizen
    everything = b"".join(body for _headers, body in receiver.taken).decode()
    assert "王小明" not in everything and "13800138000" not in everything
    assert not WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).exists()


@pytest.mark.django_db
def test_a_receiver_that_was_down_gets_every_change_in_order_when_it_is_back(
    district, receiver, django_capture_on_commit_callbacks
):
    subscribe(receiver.url)
    receiver.up = False
    demand = handled(district, django_capture_on_commit_callbacks)
    deliveries = list(WebhookDelivery.objects.order_by("sequence"))
    assert [d.status for d in deliveries] == [DeliveryStatus.PENDING] * 3 and receiver.taken == []
    first = deliveries[0]
    # The first was tried each time the sending ran and waits longer each time; the others wait behind it.
    assert first.attempts >= 1 and first.last_status_code == 503 and first.next_attempt_at > timezone.now()
    assert {d.attempts for d in deliveries[1:]} == {0}

    receiver.up = True
    with clock_at(timezone.now() + timedelta(seconds=10)):
        assert retry_webhooks() == 0  # still waiting: the retry is not due yet
    with clock_at(timezone.now() + timedelta(hours=2)), django_capture_on_commit_callbacks(execute=True):
        assert retry_webhooks() == 1
    assert [(m["sequence"], m["kind"]) for m in receiver.messages] == [(1, "dispatched"), (2, "replied"), (3, "closed")]
    assert {m["demand"]["tracking_number"] for m in receiver.messages} == {demand.tracking_number}
    # A subscription to every demand does not get the reply's text: only the system that sent it does.
    assert "reply" not in receiver.messages[1]


@pytest.mark.django_db
def test_each_subscription_hears_only_what_it_follows(district, receiver, django_capture_on_commit_callbacks):
    app = source_system_register(name="i坪山", channel=Channel.APP).system
    city = source_system_register(name="市12345平台", channel=Channel.CITY_PLATFORM).system
    subscribe(receiver.url, name="应用", source_system=app)
    subscribe(receiver.url, name="仅办结", kinds=["closed", "returned"])
    handled(district, django_capture_on_commit_callbacks, source=city)
    with django_capture_on_commit_callbacks(execute=True):
        refused = demand_submit(**{**NOISE, "title": "咨询外区事务"}, source=city).demand
        demand_reject(demand_id=refused.pk, actor=district.users["dispatcher"], reason="该事项不属于本区职责范围")
    kinds = sorted(d.kind for d in WebhookDelivery.objects.all())
    assert not WebhookDelivery.objects.filter(subscription__name="应用").exists()
    assert kinds == ["closed", "returned"]
    assert [m["kind"] for m in receiver.messages] == ["closed", "returned"]


@pytest.mark.django_db
def test_the_admin_sends_a_delivery_again(district, receiver, django_capture_on_commit_callbacks):
    from django.contrib.auth.models import User

    subscribe(receiver.url)
    handled(district, django_capture_on_commit_callbacks)
    assert len(receiver.taken) == 3
    admin = site._registry[WebhookDelivery]
    request = RequestFactory().post("/admin/dispatch/webhookdelivery/")
    request.user = User.objects.create_superuser("root", password="pw-for-tests-only")
    request._messages = type("Messages", (), {"add": lambda *args, **kwargs: None})()
    with django_capture_on_commit_callbacks(execute=True):
        admin.send_again(request, WebhookDelivery.objects.filter(sequence=2))
    assert [m["sequence"] for m in receiver.messages] == [1, 2, 3, 2]
    assert receiver.messages[-1]["id"] == receiver.messages[1]["id"]
