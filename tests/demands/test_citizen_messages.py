"""Text messages to citizens: written with the event they tell of, sent after the commit, in the
citizen's language, never with the query code in them, and not to a landline or a citizen who
declined them."""

from __future__ import annotations

import re

from django.utils import translation

from demands.citizen_messages import citizen_messages_resend
from demands.phones import phone_hash
from dispatch.models import Assignment, Notification
from dispatch.services import assignment_sign, demand_merge
from tests.citizens import citizen_of, resend_is_due
from tests.staff import logged_in


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


def test_a_landline_gets_no_text_message(gateway, submit):
    message = submit(citizen_phone="0755-28331234").demand.text_messages.get()
    assert message.status == "skipped" and gateway.received == []


def test_the_embedded_default_writes_the_message_to_the_log_with_the_number_masked(submit, caplog):
    with caplog.at_level("INFO", logger="demands.citizen_messages"):
        demand = submit().demand
    assert demand.text_messages.get().status == "sent"
    assert "138****5678" in caplog.text and "13812345678" not in caplog.text
    assert demand.tracking_number in caplog.text


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
    resend_is_due()
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
