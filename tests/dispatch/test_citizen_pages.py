"""The citizens' pages, driven as a person would: the form, the confirmation, the tracking page with
its query code, a question answered there, and the limits that keep guessers and floods out."""

from __future__ import annotations

from django.test import Client

from demands.models import Demand
from dispatch.models import Assignment
from tests.citizens import FORM
from tests.staff import logged_in


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
