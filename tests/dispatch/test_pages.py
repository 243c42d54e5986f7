"""The four groups' pages, driven as a person would: forms posted, redirects followed."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from demands.models import ContactDisclosure, Demand
from demands.workflow import Status
from dispatch.models import Assignment
from tests.citizens import FORM
from tests.staff import logged_in


@pytest.fixture
def citizen_submission(district, django_capture_on_commit_callbacks):
    citizen = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = citizen.post("/", FORM, follow=True)
    assert response.status_code == 200
    receipt = response.context["receipt"]
    return citizen, receipt


def test_citizen_form_to_confirmation_to_tracking(citizen_submission):
    citizen, receipt = citizen_submission
    page = citizen.get(f"/track/{receipt['tracking_number']}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "已派单" in text and "坪山区住房和建设局" in text
    assert "13812345678" not in text


def test_confirmation_shows_the_code_once(citizen_submission):
    citizen, _ = citizen_submission
    again = citizen.get("/submitted/", follow=True)
    assert again.redirect_chain[-1][0] == "/track/"
    assert "只在提交后显示一次" in again.content.decode()


def test_form_without_consent_is_refused(district):
    response = Client().post("/", {**FORM, "consent": ""})
    assert response.status_code == 200
    assert Demand.objects.count() == 0
    summary = response.content.decode().split('id="error-summary"')[1].split("</div>")[0]
    # The summary says what to do, not the whole consent sentence with the error tacked on.
    assert "请阅读并勾选同意《个人信息使用说明》后再提交。" in summary and "工作人员查看会被记录" not in summary


def test_every_problem_of_the_form_is_shown_at_once(district):
    response = Client().post("/", {**FORM, "content": "", "citizen_phone": "12ab"})
    summary = response.content.decode().split('id="error-summary"')[1].split("</div>")[0]
    # The phone's rule is the service's; the citizen should not find it out on a second try.
    assert "诉求内容" in summary and "请填写有效的联系电话。" in summary
    assert Demand.objects.count() == 0


def test_overlong_title_and_content_are_refused_with_the_limit(district):
    response = Client().post("/", {**FORM, "title": "长" * 201, "content": "很长的内容。" * 2000})
    page = response.content.decode()
    assert "标题不能超过200字。" in page and "诉求内容不能超过10000字" in page
    assert Demand.objects.count() == 0
    # The API and the service keep the same limits.
    api = Client().post("/api/v1/citizen/demands/", {**FORM, "content": "很" * 10_001}, content_type="application/json")
    assert api.status_code == 400 and Demand.objects.count() == 0


def test_tracking_page_needs_the_query_code(citizen_submission):
    _, receipt = citizen_submission
    stranger = Client()
    # A saved link opened elsewhere asks for the query code, with the number filled in, and
    # answers the same for a number that does not exist.
    asked = stranger.get(f"/track/{receipt['tracking_number']}/", follow=True)
    page = asked.content.decode()
    assert asked.redirect_chain[-1][0] == f"/track/?number={receipt['tracking_number']}"
    assert "请输入这件诉求的查询码后查看。" in page and f'value="{receipt["tracking_number"]}"' in page
    assert "诉求内容" not in page  # nothing of the demand before the code
    unknown = stranger.get("/track/PS-19990101-000001/", follow=True)
    assert unknown.redirect_chain[-1][0] == "/track/?number=PS-19990101-000001"
    wrong = stranger.post("/track/", {"tracking_number": receipt["tracking_number"], "query_code": "AAAAAAAA"})
    assert "不正确" in wrong.content.decode()
    right = stranger.post("/track/", receipt)
    assert right.status_code == 302
    assert stranger.get(right["Location"]).status_code == 200


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_missing_and_forbidden_pages_speak_the_readers_language(district, settings, language):
    settings.DEBUG = False
    client = logged_in(district.users["auditor"])
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    missing = client.get("/no-such-page/")
    forbidden = client.get("/desk/")
    assert (missing.status_code, forbidden.status_code) == (404, 403)
    words = {
        "zh-hans": ("找不到这个页面", "您没有查看这个页面的权限"),
        "en": ("Page not found", "You may not open this page"),
    }
    assert words[language][0] in missing.content.decode()
    assert words[language][1] in forbidden.content.decode() and "auditor" in forbidden.content.decode()


def test_a_citizen_sees_a_dispute_between_departments_as_being_dispatched(district, citizen_submission):
    from dispatch.services import assignment_return

    citizen, receipt = citizen_submission
    demand = Demand.objects.get(tracking_number=receipt["tracking_number"])
    lead = Assignment.objects.get(demand=demand, role="lead")
    assignment_return(
        assignment_id=lead.pk, actor=district.users["zjj"], reason_code="not_ours", reason="应由环保部门查处"
    )
    page = citizen.get(f"/track/{demand.tracking_number}/").content.decode()
    assert 'id="status">分拨中</span>' in page
    assert "退单" not in page and "应由环保部门查处" not in page
    api = Client().post("/api/v1/citizen/track/", receipt, content_type="application/json").json()
    assert api["status_label"] == "分拨中"


def test_the_error_page_renders_without_a_request():
    from django.template.loader import render_to_string

    # Django renders 500.html with no request and no context processors: it must stand alone.
    page = render_to_string("500.html")
    assert "系统暂时出错" in page and "12345" in page


def test_department_signs_replies_and_citizen_rates(district, citizen_submission):
    citizen, receipt = citizen_submission
    demand = Demand.objects.get(tracking_number=receipt["tracking_number"])
    lead = Assignment.objects.get(demand=demand, role="lead")
    assist = Assignment.objects.get(demand=demand, role="assist")
    zjj, shj = logged_in(district.users["zjj"]), logged_in(district.users["shj"])
    assert receipt["tracking_number"] in zjj.get("/workbench/").content.decode()
    zjj.post(f"/workbench/{lead.pk}/sign/")
    assert 'id="notes"' in zjj.get(f"/workbench/{lead.pk}/").content.decode()  # notes can be written
    shj.post(f"/workbench/{assist.pk}/reply/", {"body": "夜间噪声监测结果超标，已立案。"})
    zjj.post(f"/workbench/{lead.pk}/reply/", {"body": "已责令施工单位停止夜间施工并处罚款。"})
    demand.refresh_from_db()
    assert demand.status == Status.REPLIED
    # Answered, with no notes written: no empty notes card is left behind.
    assert 'id="notes"' not in zjj.get(f"/workbench/{lead.pk}/").content.decode()
    page = citizen.get(f"/track/{demand.tracking_number}/").content.decode()
    assert "已责令施工单位停止夜间施工" in page
    citizen.post(f"/track/{demand.tracking_number}/rate/", {"rating": "5", "comment": "很快"})
    demand.refresh_from_db()
    assert demand.status == Status.CLOSED and demand.rating == 5


def test_refused_action_shows_the_reason(district, citizen_submission):
    _, receipt = citizen_submission
    lead = Assignment.objects.get(demand__tracking_number=receipt["tracking_number"], role="lead")
    page = logged_in(district.users["zjj"]).post(
        f"/workbench/{lead.pk}/reply/", {"body": "已经处理好了，请群众放心。"}, follow=True
    )
    assert "请先签收再答复" in page.content.decode()


def test_other_department_cannot_open_the_case(district, citizen_submission):
    _, receipt = citizen_submission
    lead = Assignment.objects.get(demand__tracking_number=receipt["tracking_number"], role="lead")
    cgj = logged_in(district.users["cgj"])
    assert cgj.get(f"/workbench/{lead.pk}/").status_code == 404
    assert cgj.post(f"/workbench/{lead.pk}/sign/").status_code == 404
    assert receipt["tracking_number"] not in cgj.get("/workbench/?show=all").content.decode()
    refused = cgj.get(f"/desk/demands/{receipt['tracking_number']}/")
    assert refused.status_code == 403
    assert '<a href="/staff/">返回我的工作页面</a>' in refused.content.decode()  # back to their own desk


def test_contact_is_masked_until_disclosed_and_disclosure_is_recorded(district, citizen_submission):
    _, receipt = citizen_submission
    lead = Assignment.objects.get(demand__tracking_number=receipt["tracking_number"], role="lead")
    zjj = logged_in(district.users["zjj"])
    assert "138****5678" in zjj.get(f"/workbench/{lead.pk}/").content.decode()
    zjj.post(f"/workbench/{lead.pk}/contact/", {"purpose": "电话核实施工地点"})
    assert "13812345678" in zjj.get(f"/workbench/{lead.pk}/").content.decode()
    disclosure = ContactDisclosure.objects.get()
    assert disclosure.user == district.users["zjj"] and disclosure.purpose == "电话核实施工地点"


def test_dispatch_officer_dispatches_from_triage(district, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/", {**FORM, "title": "咨询", "content": "想咨询孩子户口迁移要带什么材料", "location_text": ""})
    demand = Demand.objects.get()
    assert demand.status == Status.TRIAGE
    desk = logged_in(district.users["dispatcher"])
    assert demand.tracking_number in desk.get("/desk/").content.decode()
    assert "138****5678" in desk.get(f"/desk/demands/{demand.tracking_number}/").content.decode()
    desk.post(
        f"/desk/demands/{demand.tracking_number}/dispatch/",
        {"department": district.departments["CGJ"].pk, "note": "先由城管核实"},
    )
    demand.refresh_from_db()
    assert demand.status == Status.DISPATCHED and demand.lead_department == district.departments["CGJ"]


def test_dispatch_officer_rules_on_a_return(district, citizen_submission):
    _, receipt = citizen_submission
    lead = Assignment.objects.get(demand__tracking_number=receipt["tracking_number"], role="lead")
    logged_in(district.users["zjj"]).post(
        f"/workbench/{lead.pk}/return/",
        {
            "reason_code": "not_ours",
            "reason": "夜间噪声应由生态环境部门查处",
            "suggested_department": district.departments["SHJ"].pk,
        },
    )
    desk = logged_in(district.users["dispatcher"])
    assert receipt["tracking_number"] in desk.get("/desk/?queue=returns").content.decode()
    request = lead.returns.get()
    desk.post(f"/desk/returns/{request.pk}/rule/", {"uphold": "0", "note": "清单明确住建局主责"})
    demand = Demand.objects.get(tracking_number=receipt["tracking_number"])
    assert demand.status == Status.DISPATCHED
    assert demand.lead_department == district.departments["ZJJ"]


def test_auditor_exports_demands_and_events(district, citizen_submission):
    auditor = logged_in(district.users["auditor"])
    assert auditor.get("/audit/").status_code == 200
    response = auditor.get("/audit/export/demands.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][0] == "受理编号"
    assert len(rows) == 2 and "13812345678" not in rows[1] and rows[1][-1] == "138****5678"
    events = auditor.get("/audit/export/events.csv")
    event_rows = list(csv.reader(io.StringIO(b"".join(events.streaming_content).decode("utf-8-sig"))))
    assert [r[2] for r in event_rows[1:]] == ["提交诉求", "自动派单"]
    assert logged_in(district.users["cgj"]).get("/audit/export/demands.csv").status_code == 403


def test_staff_home_sends_each_role_to_its_page(district):
    assert logged_in(district.users["dispatcher"]).get("/staff/")["Location"] == "/desk/"
    assert logged_in(district.users["cgj"]).get("/staff/")["Location"] == "/workbench/"
    assert logged_in(district.users["auditor"]).get("/staff/")["Location"] == "/audit/"
    assert logged_in(district.users["intake"]).get("/staff/")["Location"] == "/intake/"
    roleless = logged_in(district.users["nobody"]).get("/staff/")
    assert roleless.status_code == 403
    assert 'href="/staff/"' not in roleless.content.decode()  # no role: no loop back to this page


def test_intake_operator_registers_a_phone_demand(district):
    operator = logged_in(district.users["intake"])
    form = operator.get("/intake/").content.decode()
    # The operator fills it in for the caller: it does not address the operator as the citizen.
    assert "来电人姓名" in form and "您的姓名" not in form and "一句话说明您反映的事情" not in form
    page = operator.post("/intake/", {**FORM, "channel": "hotline"})
    assert page.status_code == 200
    demand = Demand.objects.get()
    assert demand.channel == "hotline" and demand.entered_by == district.users["intake"]
    assert page.context["receipt"]["tracking_number"] == demand.tracking_number


def test_english_switch(district):
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert client.get("/").status_code == 200


def test_attachments_reach_only_staff_who_see_the_demand(district, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.uploads import PNG

    photo = SimpleUploadedFile("site.png", PNG, content_type="image/png")
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/", {**FORM, "attachments": photo})
    attachment = Demand.objects.get().attachments.get()
    response = logged_in(district.users["zjj"]).get(f"/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert logged_in(district.users["cgj"]).get(f"/attachments/{attachment.pk}/").status_code == 404
    assert Client().get(f"/attachments/{attachment.pk}/").status_code == 302  # to the login page


def test_language_is_chosen_not_guessed(district):
    client = Client()
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page["Content-Language"] == "zh-hans"
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert client.get("/")["Content-Language"] == "en"


def test_admin_lists_every_model(district, admin_client):
    from django.apps import apps
    from django.contrib import admin

    for app in ("departments", "responsibility_lists", "demands", "dispatch"):
        for model in apps.get_app_config(app).get_models():
            assert admin.site.is_registered(model), model
            url = f"/admin/{app}/{model._meta.model_name}/"
            assert admin_client.get(url).status_code == 200, url


def test_department_asks_the_citizen_who_answers_on_the_tracking_page(district, citizen_submission):
    citizen, receipt = citizen_submission
    number = receipt["tracking_number"]
    lead = Assignment.objects.get(demand__tracking_number=number, role="lead")
    zjj = logged_in(district.users["zjj"])
    zjj.post(f"/workbench/{lead.pk}/sign/")
    zjj.post(f"/workbench/{lead.pk}/ask-citizen/", {"question": "请提供工地的具体楼栋和施工时段"})
    assert "等待群众补充信息" in zjj.get(f"/workbench/{lead.pk}/").content.decode()
    page = citizen.get(f"/track/{number}/").content.decode()
    assert "请提供工地的具体楼栋和施工时段" in page and 'id="supplement"' in page
    citizen.post(f"/track/{number}/supplement/", {"answer": "六和城东侧工地，每晚十一点后打桩"})
    assert 'id="supplement"' not in citizen.get(f"/track/{number}/").content.decode()
    detail = zjj.get(f"/workbench/{lead.pk}/").content.decode()
    assert "每晚十一点后打桩" in detail and 'id="waiting"' not in detail
    # The citizen's answer goes to the department; the timeline does not credit it to them.
    timeline = detail[detail.index('id="timeline"') :]
    assert "群众补充信息</strong> → 坪山区住房和建设局" in timeline


def test_supervised_department_answers_from_the_workbench(district, citizen_submission):
    from dispatch.models import Supervision
    from dispatch.services.escalation import sweep_deadlines

    _, receipt = citizen_submission
    lead = Assignment.objects.get(demand__tracking_number=receipt["tracking_number"], role="lead")
    sweep_deadlines(now=lead.supervise_at)
    zjj = logged_in(district.users["zjj"])
    assert 'id="supervision"' in zjj.get(f"/workbench/{lead.pk}/").content.decode()
    zjj.post(f"/workbench/{lead.pk}/supervision/", {"response": "已约谈施工单位，三个工作日内办结。"})
    assert Supervision.objects.get(assignment=lead).responded_at is not None
    assert "已约谈施工单位" in zjj.get(f"/workbench/{lead.pk}/").content.decode()


def test_the_privacy_notice_is_one_click_from_the_form(district):
    form = Client().get("/").content.decode()
    assert 'href="/privacy/"' in form
    notice = Client().get("/privacy/").content.decode()
    assert "每一次查看都会被系统记录" in notice


def test_citizen_sees_the_lead_answer_not_the_internal_opinions_or_routing(district, citizen_submission):
    citizen, receipt = citizen_submission
    demand = Demand.objects.get(tracking_number=receipt["tracking_number"])
    lead = Assignment.objects.get(demand=demand, role="lead")
    assist = Assignment.objects.get(demand=demand, role="assist")
    logged_in(district.users["zjj"]).post(f"/workbench/{lead.pk}/sign/")
    logged_in(district.users["shj"]).post(f"/workbench/{assist.pk}/reply/", {"body": "内部意见：噪声超标"})
    logged_in(district.users["zjj"]).post(f"/workbench/{lead.pk}/reply/", {"body": "已责令施工单位停止夜间施工。"})
    page = citizen.get(f"/track/{demand.tracking_number}/").content.decode()
    assert "已责令施工单位停止夜间施工" in page and "内部意见" not in page
    routing_reason = demand.events.get(action="auto_dispatch").reason
    assert routing_reason and routing_reason not in page
    staff = logged_in(district.users["zjj"]).get(f"/workbench/{lead.pk}/").content.decode()
    assert "内部意见" in staff


def test_query_codes_cannot_be_guessed_at_speed(citizen_submission, settings):
    from django.core.cache import cache

    cache.clear()
    settings.CITIZEN_TRACK_RATE = "3/hour"
    _, receipt = citizen_submission
    guesser = Client()
    for _ in range(3):
        wrong = guesser.post("/track/", {"tracking_number": receipt["tracking_number"], "query_code": "AAAAAAAA"})
        assert wrong.status_code == 200 and "不正确" in wrong.content.decode()
    refused = guesser.post("/track/", receipt)  # even the right code, once the tries are used
    assert refused.status_code == 429 and "查询过于频繁" in refused.content.decode()
    assert Client(REMOTE_ADDR="10.0.0.9").post("/track/", receipt).status_code == 302


def test_one_client_cannot_flood_the_form(district, settings, django_capture_on_commit_callbacks):
    from django.core.cache import cache

    cache.clear()
    settings.CITIZEN_SUBMIT_RATE = "2/hour"
    citizen = Client()
    form = {**FORM, "repeat": "new"}  # the same report again and again, insisted on as new each time
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            assert citizen.post("/", form).status_code == 302
    refused = citizen.post("/", form)
    assert refused.status_code == 429 and "提交过于频繁" in refused.content.decode()
    assert Demand.objects.count() == 2
    other = Client(REMOTE_ADDR="10.0.0.9")
    with django_capture_on_commit_callbacks(execute=True):
        assert other.post("/", form).status_code == 302


def test_admin_shows_answers_and_attachments_but_never_changes_them(district, submit, admin_client):
    from demands.models import Reply
    from dispatch.services import assignment_contribute

    demand = submit().demand
    assist = Assignment.objects.get(demand=demand, role="assist")
    assignment_contribute(assignment_id=assist.pk, actor=district.users["shj"], body="已对工地夜间施工噪声监测，超标。")
    reply = Reply.objects.get(demand=demand)
    page = admin_client.get(f"/admin/demands/reply/{reply.pk}/change/")
    assert page.status_code == 200 and "已对工地夜间施工噪声监测" in page.content.decode()
    # Flipping is_contribution would show the citizen a department's internal part as the answer.
    admin_client.post(f"/admin/demands/reply/{reply.pk}/change/", {"is_contribution": ""})
    assert admin_client.post(f"/admin/demands/reply/{reply.pk}/delete/", {"post": "yes"}).status_code == 403
    reply.refresh_from_db()
    assert reply.is_contribution
    assert admin_client.get("/admin/demands/attachment/add/").status_code == 403


def test_api_docs_speak_the_readers_language(db):
    client = Client()
    chinese = client.get("/api/schema/?format=json").json()["info"]
    assert chinese["title"] == "坪山区民生诉求服务平台 API" and "分拨" in chinese["description"]
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/api/schema/?format=json").json()["info"]
    assert english["title"] == "Pingshan District Public Request Service Platform API"
    assert english["description"].startswith("Submit and follow citizens' requests")


def test_the_browsers_favicon_request_finds_the_icon(db):
    answer = Client().get("/favicon.ico")
    assert answer.status_code == 301 and answer["Location"].endswith("/img/favicon.svg")
