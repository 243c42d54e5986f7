"""Text messages to citizens on their way: tried again when the gateway fails or a worker is lost,
then marked failed, and a failed answer is for the department to phone."""

from __future__ import annotations

import pytest
from django.utils import timezone

from demands.citizen_messages import WebhookSender, _sender_class, citizen_message_send, citizen_messages_resend
from demands.models import CitizenMessage
from demands.tasks import resend_citizen_messages
from dispatch.models import Assignment, Notification
from dispatch.services import assignment_contribute, assignment_reply, assignment_sign, demand_reject
from dispatch.tasks import notify_unsent_message
from tests.citizens import resend_is_due


def test_a_failing_gateway_is_tried_again_then_the_message_is_marked_failed(
    gateway, district, submit, django_capture_on_commit_callbacks
):
    gateway.answer = 503
    demand = submit().demand
    message = demand.text_messages.get()
    assert (message.status, message.attempts, message.last_error) == ("pending", 1, "HTTP 503 Service Unavailable")
    gateway.answer = 200
    with django_capture_on_commit_callbacks(execute=True):
        assert resend_citizen_messages.apply().get() == 0  # tried just now: the next try waits
    assert citizen_message_send(message_id=message.pk) is None  # nor can another worker try it yet
    resend_is_due()
    with django_capture_on_commit_callbacks(execute=True):
        assert resend_citizen_messages.apply().get() == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("sent", 2, "")
    resend_is_due()
    assert citizen_message_send(message_id=message.pk) is None  # sent once only
    assert [r["reference"] for r in gateway.received] == [str(message.pk)] * 2  # refused once, then taken

    gateway.answer = 500
    with django_capture_on_commit_callbacks(execute=True):
        vague = submit(title="想咨询一件事", content="我想问一下关于孩子户口的事情应该去哪里办理").demand
        demand_reject(
            demand_id=vague.pk, actor=district.users["dispatcher"], reason="属于市公安局户籍业务，请拨打110咨询"
        )
    rejected = CitizenMessage.objects.get(kind="reject")
    for _ in range(4):
        resend_is_due()
        with django_capture_on_commit_callbacks(execute=True):
            citizen_messages_resend()
    rejected.refresh_from_db()
    assert (rejected.status, rejected.attempts) == ("failed", 5)
    resend_is_due()
    assert citizen_messages_resend() == 0  # failed ones are left to a person
    # The centre refused it, so the dispatch officers are asked to phone (once per message).
    notices = Notification.objects.filter(kind="message_failed", data__message=rejected.pk)
    assert [n.user for n in notices] == [district.users["dispatcher"]]
    assert notices[0].message == f"发给群众的短信（{vague.tracking_number}）5次都未能发出，请电话告知群众。"
    rejected.refresh_from_db()
    assert rejected.followed_up_at is not None
    assert notify_unsent_message.apply(args=[rejected.pk]).get() == 0
    # Had the notice's task been lost (a broker away), the beat's resend asks for it again.
    Notification.objects.filter(kind="message_failed").delete()
    CitizenMessage.objects.filter(pk=rejected.pk).update(followed_up_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        citizen_messages_resend()
    assert Notification.objects.filter(kind="message_failed", data__message=rejected.pk).count() == 1


def test_a_worker_lost_while_sending_costs_one_attempt_and_the_message_is_sent_later(
    gateway, submit, django_capture_on_commit_callbacks
):
    gateway.answer = 503
    message = submit().demand.text_messages.get()
    # As a worker leaves it when it dies after its claim, before the gateway answered.
    CitizenMessage.objects.filter(pk=message.pk).update(attempts=2, last_error="", last_attempt_at=timezone.now())
    gateway.answer = 200
    with django_capture_on_commit_callbacks(execute=True):
        assert citizen_messages_resend() == 0
    resend_is_due()
    with django_capture_on_commit_callbacks(execute=True):
        assert citizen_messages_resend() == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 3)


class Broken:
    """A sender that fails in a way the gateway client did not foresee."""

    def send(self, phone: str, text: str, *, reference: str) -> None:
        raise ValueError("unexpected reply from the gateway")


def test_any_error_of_the_sender_is_a_failed_attempt_and_holds_up_no_other_message(
    settings, submit, django_capture_on_commit_callbacks
):
    settings.CITIZEN_MESSAGE_SENDER = "tests.demands.test_citizen_message_delivery.Broken"
    first, second = submit().demand, submit().demand
    for demand in (first, second):
        message = demand.text_messages.get()
        assert (message.status, message.attempts, message.last_error) == (
            "pending", 1, "unexpected reply from the gateway",
        )  # fmt: skip
    settings.CITIZEN_MESSAGE_SENDER = "demands.citizen_messages.LogSender"
    resend_is_due()
    with django_capture_on_commit_callbacks(execute=True):
        assert citizen_messages_resend() == 2
    assert set(CitizenMessage.objects.values_list("status", flat=True)) == {"sent"}


def test_a_gateway_that_cannot_be_reached_keeps_the_message_pending(settings, submit):
    settings.CITIZEN_MESSAGE_SENDER = "demands.citizen_messages.WebhookSender"
    settings.CITIZEN_MESSAGE_WEBHOOK_URL = "http://127.0.0.1:9/sms"  # the discard port: nothing listens
    _sender_class.cache_clear()
    message = submit().demand.text_messages.get()
    assert message.status == "pending" and message.attempts == 1 and message.last_error
    _sender_class.cache_clear()


def test_webhook_sender_names_the_failure():
    from demands.citizen_messages import SendFailed

    sender = WebhookSender.__new__(WebhookSender)
    sender.url, sender.token = "http://127.0.0.1:9/sms", ""
    with pytest.raises(SendFailed):
        sender.send("13812345678", "测试", reference="1")


def test_an_answer_that_could_not_be_sent_is_for_the_answering_department_to_phone(
    gateway, district, submit, django_capture_on_commit_callbacks
):
    demand = submit().demand
    lead = Assignment.objects.get(demand=demand, role="lead")
    assist = Assignment.objects.get(demand=demand, role="assist")
    gateway.answer = 500
    with django_capture_on_commit_callbacks(execute=True):
        assignment_sign(assignment_id=lead.pk, actor=district.users["zjj"])
        assignment_contribute(assignment_id=assist.pk, actor=district.users["shj"], body="噪声监测超标，已立案。")
        assignment_reply(assignment_id=lead.pk, actor=district.users["zjj"], body="已责令工地停止夜间施工并处罚款。")
    for _ in range(4):
        resend_is_due()
        with django_capture_on_commit_callbacks(execute=True):
            citizen_messages_resend()
    told = {n.user.username for n in Notification.objects.filter(kind="message_failed")}
    zjj = set(district.departments["ZJJ"].memberships.values_list("user__username", flat=True))
    assert told == zjj and district.users["dispatcher"].username not in told
