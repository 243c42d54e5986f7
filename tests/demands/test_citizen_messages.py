"""Text messages to citizens: written with the event they tell of, sent after the commit, tried
again when the gateway fails, and never with the query code in them."""

from __future__ import annotations

import json
import re
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.db.models import F
from django.utils import timezone, translation

from config.errors import ValidationFailed
from demands.citizen_messages import WebhookSender, _sender_class, citizen_message_send, citizen_messages_resend
from demands.models import CitizenMessage
from demands.phones import phone_hash
from demands.tasks import resend_citizen_messages
from dispatch.models import Assignment, Notification
from dispatch.services import assignment_contribute, assignment_reply, assignment_sign, demand_merge, demand_reject
from dispatch.tasks import notify_unsent_message
from tests.citizens import citizen_of
from tests.staff import logged_in


class Gateway(BaseHTTPRequestHandler):
    """A real HTTP gateway on a local port: it keeps what it was sent, and answers with the
    status the test gives it."""

    received: list[dict] = []
    answer = 200

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Gateway.received.append({"auth": self.headers.get("Authorization"), **json.loads(body)})
        self.send_response(Gateway.answer)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def gateway(settings):
    Gateway.received, Gateway.answer = [], 200
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.CITIZEN_MESSAGE_SENDER = "demands.citizen_messages.WebhookSender"
    settings.CITIZEN_MESSAGE_WEBHOOK_URL = f"http://127.0.0.1:{server.server_port}/sms"
    settings.CITIZEN_MESSAGE_WEBHOOK_TOKEN = "secret-token"
    _sender_class.cache_clear()
    yield Gateway
    server.shutdown()
    _sender_class.cache_clear()


def test_the_citizen_is_told_the_demand_was_taken_in_without_the_query_code(gateway, submit):
    submission = submit(citizen_phone="138-1234-5678")
    message = submission.demand.text_messages.get()
    assert (message.kind, message.status, message.attempts) == ("submit", "sent", 1)
    [sent] = gateway.received
    assert sent["to"] == "13812345678" and sent["auth"] == "Bearer secret-token"
    assert sent["reference"] == str(message.pk)
    assert sent["text"].startswith("【坪山区民生诉求】您的诉求已受理，受理编号" + submission.demand.tracking_number)
    assert submission.query_code not in sent["text"] and submission.query_code not in message.body


def test_the_receipt_says_where_to_look_the_demand_up_with_or_without_the_code(gateway, submit, settings):
    settings.CITIZEN_PORTAL_URL = "https://12345.pingshan.example.cn/"
    submission = submit()
    [sent] = gateway.received
    assert (
        f"受理编号{submission.demand.tracking_number}。查询进度：https://12345.pingshan.example.cn/track/，"
        "凭受理编号和查询码，或凭本手机号接收验证码查询。"
    ) in sent["text"]


def test_merged_citizens_are_told_of_the_merge_and_of_the_answer(
    gateway, district, submit, django_capture_on_commit_callbacks
):
    first = submit().demand
    second = submit(content="六和城工地又在半夜打桩施工，噪音扰民严重。", citizen_phone="13900001111").demand
    with django_capture_on_commit_callbacks(execute=True):
        demand_merge(demand_id=second.pk, original_id=first.pk, actor=district.users["dispatcher"])
    lead = Assignment.objects.get(demand=first, role="lead")
    assist = Assignment.objects.get(demand=first, role="assist")
    with django_capture_on_commit_callbacks(execute=True):
        assignment_sign(assignment_id=lead.pk, actor=district.users["zjj"])
        assignment_contribute(assignment_id=assist.pk, actor=district.users["shj"], body="噪声监测超标，已立案。")
        assignment_reply(assignment_id=lead.pk, actor=district.users["zjj"], body="已责令工地停止夜间施工。")
    told = [(m["to"], m["text"].removeprefix("【坪山区民生诉求】")) for m in gateway.received[2:]]
    assert told == [
        ("13900001111", f"您的诉求{second.tracking_number}与诉求{first.tracking_number}反映同一问题，已合并办理，答复后将通知您。"),
        ("13812345678", f"您的诉求{first.tracking_number}已答复，请凭受理编号和查询码查看答复并评价。"),
        ("13900001111", f"与您的诉求{second.tracking_number}合并办理的诉求{first.tracking_number}已答复，请凭您的受理编号和查询码查看答复。"),
    ]  # fmt: skip
    # Signing and the assisting opinion are the departments' business: no message.
    assert CitizenMessage.objects.filter(kind__in=["sign", "contribute"]).count() == 0


def test_a_demand_merged_into_an_answered_one_is_told_the_answer_is_there(
    gateway, district, submit, django_capture_on_commit_callbacks
):
    first = submit().demand
    lead = Assignment.objects.get(demand=first, role="lead")
    assist = Assignment.objects.get(demand=first, role="assist")
    assignment_sign(assignment_id=lead.pk, actor=district.users["zjj"])
    assignment_contribute(assignment_id=assist.pk, actor=district.users["shj"], body="噪声监测超标，已立案。")
    assignment_reply(assignment_id=lead.pk, actor=district.users["zjj"], body="已责令工地停止夜间施工并处罚款。")
    second = submit(content="六和城工地又在半夜打桩施工，噪音扰民严重。").demand
    with django_capture_on_commit_callbacks(execute=True):
        demand_merge(demand_id=second.pk, original_id=first.pk, actor=district.users["dispatcher"])
    assert gateway.received[-1]["text"].endswith(
        f"您的诉求{second.tracking_number}与已答复的诉求{first.tracking_number}反映同一问题，已合并，请凭受理编号和查询码查看答复。"
    )


def _time_passes(minutes: int = 3) -> None:
    """Past RETRY_AFTER, as when the beat's next resend comes."""
    step = timedelta(minutes=minutes)
    CitizenMessage.objects.update(created_at=F("created_at") - step, last_attempt_at=F("last_attempt_at") - step)


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
    _time_passes()
    with django_capture_on_commit_callbacks(execute=True):
        assert resend_citizen_messages.apply().get() == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("sent", 2, "")
    _time_passes()
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
        _time_passes()
        with django_capture_on_commit_callbacks(execute=True):
            citizen_messages_resend()
    rejected.refresh_from_db()
    assert (rejected.status, rejected.attempts) == ("failed", 5)
    _time_passes()
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
    _time_passes()
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
    settings.CITIZEN_MESSAGE_SENDER = "tests.demands.test_citizen_messages.Broken"
    first, second = submit().demand, submit().demand
    for demand in (first, second):
        message = demand.text_messages.get()
        assert (message.status, message.attempts, message.last_error) == (
            "pending", 1, "unexpected reply from the gateway",
        )  # fmt: skip
    settings.CITIZEN_MESSAGE_SENDER = "demands.citizen_messages.LogSender"
    _time_passes()
    with django_capture_on_commit_callbacks(execute=True):
        assert citizen_messages_resend() == 2
    assert set(CitizenMessage.objects.values_list("status", flat=True)) == {"sent"}


def test_a_question_that_cannot_be_texted_asks_the_department_to_phone(
    gateway, district, submit, django_capture_on_commit_callbacks
):
    from dispatch.services import info_request_ask

    for phone, wants, status in (("0755-28331234", True, "skipped"), ("13900003333", False, "declined")):
        demand = submit(citizen_phone=phone, text_messages=wants).demand
        lead = Assignment.objects.get(demand=demand, role="lead")
        assignment_sign(assignment_id=lead.pk, actor=district.users["zjj"])
        with django_capture_on_commit_callbacks(execute=True):
            info_request_ask(
                assignment_id=lead.pk, actor=district.users["zjj"], question="请问具体是哪一栋楼旁边的工地？"
            )
        asked = demand.text_messages.get(kind="ask_citizen")
        assert asked.status == status and asked.followed_up_at is not None
        notices = Notification.objects.filter(kind="message_failed", data__message=asked.pk)
        zjj = set(district.departments["ZJJ"].memberships.values_list("user_id", flat=True))
        assert {n.user_id for n in notices} == zjj
        assert (
            notices[0].message
            == f"诉求{demand.tracking_number}的群众收不到短信（非手机号码或不接收短信），请电话告知您的问题。"
        )
    assert gateway.received == []


def test_a_gateway_that_cannot_be_reached_keeps_the_message_pending(settings, submit):
    settings.CITIZEN_MESSAGE_SENDER = "demands.citizen_messages.WebhookSender"
    settings.CITIZEN_MESSAGE_WEBHOOK_URL = "http://127.0.0.1:9/sms"  # the discard port: nothing listens
    _sender_class.cache_clear()
    message = submit().demand.text_messages.get()
    assert message.status == "pending" and message.attempts == 1 and message.last_error
    _sender_class.cache_clear()


def test_a_landline_gets_no_text_message(gateway, submit):
    message = submit(citizen_phone="0755-28331234").demand.text_messages.get()
    assert message.status == "skipped" and gateway.received == []


def test_the_embedded_default_writes_the_message_to_the_log_with_the_number_masked(submit, caplog):
    with caplog.at_level("INFO", logger="demands.citizen_messages"):
        demand = submit().demand
    assert demand.text_messages.get().status == "sent"
    assert "138****5678" in caplog.text and "13812345678" not in caplog.text
    assert demand.tracking_number in caplog.text


def test_webhook_sender_names_the_failure():
    from demands.citizen_messages import SendFailed

    sender = WebhookSender.__new__(WebhookSender)
    sender.url, sender.token = "http://127.0.0.1:9/sms", ""
    with pytest.raises(SendFailed):
        sender.send("13812345678", "测试", reference="1")


def test_staff_see_on_the_case_what_the_citizen_was_sent_and_whether_it_went(gateway, district, submit):
    gateway.answer = 503
    demand = submit().demand
    desk = logged_in(district.users["dispatcher"])
    card = desk.get(f"/desk/demands/{demand.tracking_number}/").content.decode()
    card = card[card.index('id="citizen-messages"') :]
    assert (
        "提交诉求" in card
        and "待发送" in card
        and '已尝试1次 · <span lang="en">HTTP 503 Service Unavailable</span>' in card
    )
    assert f"您的诉求已受理，受理编号{demand.tracking_number}" in card and "13812345678" not in card
    lead = Assignment.objects.get(demand=demand, role="lead")
    handler = logged_in(district.users["zjj"])
    page = handler.get(f"/workbench/{lead.pk}/").content.decode()
    assert 'id="citizen-messages"' in page and "待发送" in page


def test_a_citizen_who_submitted_in_english_is_written_to_in_english(gateway, district, submit):
    from demands.models import Demand

    with translation.override("en"):
        english = submit().demand
    assert english.citizen_language == "en"
    assert gateway.received[-1]["text"] == (
        f"【坪山区民生诉求】Your request has been received. Tracking number: {english.tracking_number}. "
        'Follow its progress at the platform\'s "Track my request" page with the tracking number and your '
        "query code, or with this phone number and a code texted to it."
    )
    # Staff entering a phone call with an English screen: the caller is written to in Chinese.
    with translation.override("en"):
        called = submit(channel="hotline", entered_by=district.users["dispatcher"]).demand
    assert Demand.objects.get(pk=called.pk).citizen_language == "zh-hans"
    assert "您的诉求已受理" in called.text_messages.get().body


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
        _time_passes()
        with django_capture_on_commit_callbacks(execute=True):
            citizen_messages_resend()
    told = {n.user.username for n in Notification.objects.filter(kind="message_failed")}
    zjj = set(district.departments["ZJJ"].memberships.values_list("user__username", flat=True))
    assert told == zjj and district.users["dispatcher"].username not in told


def test_a_citizen_who_declines_text_messages_gets_none(gateway, district, submit, django_capture_on_commit_callbacks):
    from django.test import Client
    from rest_framework.test import APIClient

    from demands.models import Demand

    form = {
        "title": "工地半夜施工噪音太大", "content": "六和城旁边的工地每天半夜施工打桩，吵得无法入睡，请尽快处理。",
        "location_text": "坪山街道六和城", "urgency": "normal", "citizen_name": "张三",
        "citizen_phone": "13700000001", "consent": "on",
    }  # fmt: skip
    page = Client().get("/").content.decode()
    assert re.search(r'<input type="checkbox" name="text_messages"[^>]* checked>', page)  # ticked unless declined
    with django_capture_on_commit_callbacks(execute=True):
        declined_page = Client().post("/", form, follow=True).content.decode()  # the box left unticked
        ticked = Client().post("/", {**form, "citizen_phone": "13700000002", "text_messages": "on"}, follow=True)
        APIClient().post(
            "/api/v1/citizen/demands/", {**form, "citizen_phone": "13700000003", "text_messages": False}, format="json"
        )
        APIClient().post("/api/v1/citizen/demands/", {**form, "citizen_phone": "13700000004"}, format="json")
    wanted = dict(Demand.objects.values_list("citizen_phone", "wants_text_messages"))
    assert wanted == {"13700000001": False, "13700000002": True, "13700000003": False, "13700000004": True}
    assert sorted(m["to"] for m in gateway.received) == ["13700000002", "13700000004"]
    # The receipt page says where the tracking number goes, masked; not when declined.
    assert "受理编号会用短信发到 137****0002，短信里没有查询码。" in ticked.content.decode()
    assert 'id="texted-to"' not in declined_page and 'id="query-code"' in declined_page

    # Merged into a demand that is then answered: one who declined is still not written to.
    first = Demand.objects.get(citizen_phone_hash=phone_hash("13700000002"))
    declined = Demand.objects.get(citizen_phone_hash=phone_hash("13700000001"))
    with django_capture_on_commit_callbacks(execute=True):
        demand_merge(demand_id=declined.pk, original_id=first.pk, actor=district.users["dispatcher"])
    assert set(declined.text_messages.values_list("kind", "status")) == {("submit", "declined"), ("merge", "declined")}
    assert sorted(m["to"] for m in gateway.received) == ["13700000002", "13700000004"]


def _answer(district, demand) -> None:
    lead = Assignment.objects.get(demand=demand, role="lead")
    assist = Assignment.objects.get(demand=demand, role="assist")
    assignment_sign(assignment_id=lead.pk, actor=district.users["zjj"])
    assignment_contribute(assignment_id=assist.pk, actor=district.users["shj"], body="噪声监测超标，已立案。")
    assignment_reply(assignment_id=lead.pk, actor=district.users["zjj"], body="已责令工地停止夜间施工并处罚款。")


def _tracking_page(demand) -> str:
    return citizen_of(demand).get(f"/track/{demand.tracking_number}/").content.decode()


def test_merges_that_chain_share_the_final_answer_and_its_message(
    gateway, district, submit, django_capture_on_commit_callbacks
):
    noise = "六和城工地又在半夜打桩施工，噪音扰民严重。"
    a, b, c = submit(content=noise + "（一）").demand, submit(content=noise + "（二）").demand, submit().demand
    dispatcher = district.users["dispatcher"]
    demand_merge(demand_id=a.pk, original_id=b.pk, actor=dispatcher)
    demand_merge(demand_id=b.pk, original_id=c.pk, actor=dispatcher)
    with django_capture_on_commit_callbacks(execute=True):
        _answer(district, c)
    told = {m.demand_id: m.body for m in CitizenMessage.objects.filter(kind="reply")}
    assert (
        told[a.pk]
        == f"与您的诉求{a.tracking_number}合并办理的诉求{c.tracking_number}已答复，请凭您的受理编号和查询码查看答复。"
    )
    assert set(told) == {a.pk, b.pk, c.pk}
    assert "已责令工地停止夜间施工并处罚款" in _tracking_page(a)


def test_when_the_original_is_refused_its_merged_citizens_are_told_why(
    gateway, district, submit, django_capture_on_commit_callbacks
):
    vague = "我想问一下关于孩子户口的事情应该去哪里办理"
    original = submit(title="想咨询一件事", content=vague).demand
    again = submit(title="还想咨询一件事", content=vague + "，谢谢").demand
    dispatcher = district.users["dispatcher"]
    demand_merge(demand_id=again.pk, original_id=original.pk, actor=dispatcher)
    with django_capture_on_commit_callbacks(execute=True):
        demand_reject(demand_id=original.pk, actor=dispatcher, reason="属于市公安局户籍业务，请拨打110咨询")
    told = CitizenMessage.objects.get(kind="reject", demand=again)
    assert (
        told.body
        == f"与您的诉求{again.tracking_number}合并办理的诉求{original.tracking_number}不予受理，请凭您的受理编号和查询码查看原因。"
    )
    page = _tracking_page(again)
    assert 'id="original-refused"' in page and "属于市公安局户籍业务，请拨打110咨询" in page
    # Nothing more can be merged into a refused demand: its citizen would wait for an answer in vain.
    later = submit(title="再咨询一件事", content=vague + "。").demand
    with pytest.raises(ValidationFailed, match="已不予受理"):
        demand_merge(demand_id=later.pk, original_id=original.pk, actor=dispatcher)


def test_a_failed_message_to_a_merged_citizen_is_for_the_dispatch_officers(
    gateway, district, submit, django_capture_on_commit_callbacks
):
    first = submit().demand
    second = submit(content="六和城工地又在半夜打桩施工，噪音扰民严重。").demand
    demand_merge(demand_id=second.pk, original_id=first.pk, actor=district.users["dispatcher"])
    gateway.answer = 500
    with django_capture_on_commit_callbacks(execute=True):
        _answer(district, first)
    for _ in range(4):
        _time_passes()
        with django_capture_on_commit_callbacks(execute=True):
            citizen_messages_resend()
    to_merged = CitizenMessage.objects.get(kind="reply", demand=second)
    notified = {n.user for n in Notification.objects.filter(kind="message_failed", data__message=to_merged.pk)}
    assert to_merged.status == "failed" and notified == {district.users["dispatcher"]}


def test_a_citizen_can_stop_and_resume_texts_from_the_tracking_page(
    gateway, district, submit, django_capture_on_commit_callbacks
):
    from django.test import Client

    gateway.answer = 503
    demand = submit().demand  # its receipt is still waiting to be sent
    citizen = citizen_of(demand)
    page = citizen.get(f"/track/{demand.tracking_number}/").content.decode()
    assert "不再接收短信" in page
    citizen.post(f"/track/{demand.tracking_number}/texts/", {"wanted": "0"})
    demand.refresh_from_db()
    assert demand.wants_text_messages is False
    assert demand.text_messages.get().status == "declined"  # what waited is not sent either
    gateway.answer = 200
    _time_passes()
    with django_capture_on_commit_callbacks(execute=True):
        assert citizen_messages_resend() == 0
    assert "恢复短信通知" in citizen.get(f"/track/{demand.tracking_number}/").content.decode()
    citizen.post(f"/track/{demand.tracking_number}/texts/", {"wanted": "1"})
    demand.refresh_from_db()
    assert demand.wants_text_messages is True
    # Only the citizen who holds the demand may change it.
    assert Client().post(f"/track/{demand.tracking_number}/texts/", {"wanted": "0"}).status_code == 404


def test_a_citizen_who_left_a_landline_is_not_promised_texts(district, submit):
    demand = submit(citizen_phone="0755-12345678", text_messages=False).demand
    citizen = citizen_of(demand)
    page = citizen.get(f"/track/{demand.tracking_number}/").content.decode()
    assert "收不到短信" in page and "恢复短信通知" not in page
    # Nor by posting the form of a page that offered it.
    answer = citizen.post(f"/track/{demand.tracking_number}/texts/", {"wanted": "1"}, follow=True)
    assert "收不到短信" in answer.content.decode() and "之后的办理进展会用短信告诉您" not in answer.content.decode()
    demand.refresh_from_db()
    assert demand.wants_text_messages is False
