"""The staff's pages, driven as a person would: departments sign and answer, dispatch officers
dispatch and rule, intake registers a call, auditors export, and each sees only what is theirs."""

from __future__ import annotations

import csv
import io

from django.test import Client

from demands.models import ContactDisclosure, Demand
from demands.workflow import Status
from dispatch.models import Assignment
from tests.citizens import FORM
from tests.staff import logged_in


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
