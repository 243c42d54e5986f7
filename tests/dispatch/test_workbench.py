"""The department workbench: the inbox by the deadline that matters with its marks, the
department's figures, reply templates and notes between the departments on a case."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from config.errors import NotAllowed, ValidationFailed
from demands.models import DemandEvent
from demands.workflow import Action
from dispatch.models import Assignment, Notification, ReplyTemplate
from dispatch.services import assignment_reply, assignment_sign
from dispatch.services.notes import case_note
from dispatch.services.reply_templates import reply_template_save
from dispatch.workbench_queries import department_summary, inbox
from tests.citizens import NOISE, STALL
from tests.staff import latest_lead, logged_in


def test_inbox_puts_the_most_pressing_first_and_marks_it(district, submit):
    first, second = submit(**STALL).demand, submit(**STALL).demand
    # The second is past its handling deadline; the first only past its warning share.
    Assignment.objects.filter(pk=latest_lead(second).pk).update(
        handle_deadline=timezone.now() - timedelta(hours=1), sign_deadline=timezone.now() - timedelta(hours=2)
    )
    Assignment.objects.filter(pk=latest_lead(first).pk).update(warn_at=timezone.now() - timedelta(minutes=1))
    rows = list(inbox(district.users["cgj"]))
    assert [r.demand_id for r in rows] == [second.pk, first.pk]
    assert [r.mark for r in rows] == ["red", "yellow"]
    page = logged_in(district.users["cgj"]).get("/workbench/").content.decode()
    # Not signed yet: what it is late for is signing, and here its handling deadline too.
    assert '<span class="badge danger">签收超时</span>' in page and "临期" in page and 'class="mark-red"' in page
    assert f'id="unsigned-overdue-{latest_lead(second).pk}">已超期' in page
    assert f'id="unsigned-overdue-{latest_lead(first).pk}"' not in page
    detail = logged_in(district.users["cgj"]).get(f"/workbench/{latest_lead(second).pk}/").content.decode()
    assert 'id="handle-overdue"' in detail
    assert (
        'id="handle-overdue"'
        not in logged_in(district.users["cgj"]).get(f"/workbench/{latest_lead(first).pk}/").content.decode()
    )


def test_inbox_views(district, submit):
    demand = submit(**STALL).demand
    cgj = district.users["cgj"]
    assert list(inbox(cgj, "to_sign")) == [latest_lead(demand)]
    assert list(inbox(cgj, "in_progress")) == []
    assignment_sign(assignment_id=latest_lead(demand).pk, actor=cgj)
    assert list(inbox(cgj, "in_progress")) == [latest_lead(demand)]
    assignment_reply(assignment_id=latest_lead(demand).pk, actor=cgj, body="已清理占道摊贩，并安排每日巡查。")
    assert list(inbox(cgj)) == [] and len(inbox(cgj, "all")) == 1


def test_the_department_figures(district, submit):
    on_time, late, waiting = submit(**STALL).demand, submit(**STALL).demand, submit(**STALL).demand
    cgj = district.users["cgj"]
    for demand in (on_time, late):
        assignment_sign(assignment_id=latest_lead(demand).pk, actor=cgj)
    Assignment.objects.filter(pk=latest_lead(late).pk).update(handle_deadline=timezone.now() - timedelta(hours=1))
    for demand in (on_time, late):
        assignment_reply(assignment_id=latest_lead(demand).pk, actor=cgj, body="已清理占道摊贩，并安排每日巡查。")
    summary = department_summary(cgj)
    assert (summary.open, summary.to_sign, summary.answered, summary.answered_on_time) == (1, 1, 2, 1)
    assert summary.on_time_rate == 0.5
    assert latest_lead(waiting).status == "pending_sign"
    assert "50%" in logged_in(cgj).get("/workbench/").content.decode()


def test_a_department_counts_overdue_as_the_auditors_do(district, submit):
    from assessment.figures import AuditFilters, department_rows

    late, paused, soon = submit(**STALL).demand, submit(**STALL).demand, submit(**STALL).demand
    cgj = district.users["cgj"]
    now = timezone.now()
    # Past its deadline, though no sweep has taken the overdue rung yet.
    Assignment.objects.filter(pk=latest_lead(late).pk).update(handle_deadline=now - timedelta(hours=1))
    # Past its deadline while waiting for the citizen: the time will be given back.
    Assignment.objects.filter(pk=latest_lead(paused).pk).update(
        handle_deadline=now - timedelta(hours=1), paused_since=now
    )
    Assignment.objects.filter(pk=latest_lead(soon).pk).update(handle_deadline=now + timedelta(days=1))
    summary = department_summary(cgj, now=now)
    assert (summary.overdue, summary.due_soon) == (1, 1)
    # Unsigned past the sign-for deadline is counted apart, as the rows mark it (签收超时).
    assert summary.sign_late == 0
    Assignment.objects.filter(pk=latest_lead(soon).pk).update(sign_deadline=now - timedelta(minutes=1))
    assert department_summary(cgj, now=now).sign_late == 1
    tile = logged_in(cgj).get("/workbench/").content.decode().split('id="sign-late"')[1][:80]
    assert "<b>1</b>" in tile and "签收超时" in tile
    judged = {r.name: r for r in department_rows(AuditFilters.default())}["坪山区城市管理和综合执法局"]
    assert judged.overdue == summary.overdue


def test_reply_templates_fill_the_reply_box(district, submit):
    cgj = district.users["cgj"]
    template = reply_template_save(
        actor=cgj,
        department_id=district.departments["CGJ"].pk,
        title="占道经营",
        body="关于{标题}（{受理编号}），我局已依法处理。",
    )
    with pytest.raises(ValidationFailed, match="已有名为"):
        reply_template_save(
            actor=cgj, department_id=district.departments["CGJ"].pk, title="占道经营", body="另一份模板内容足够长了"
        )
    with pytest.raises(NotAllowed):
        reply_template_save(
            actor=cgj, department_id=district.departments["ZJJ"].pk, title="越权", body="不是本部门的模板内容"
        )
    demand = submit(**STALL).demand
    lead = latest_lead(demand)
    assignment_sign(assignment_id=lead.pk, actor=cgj)
    page = logged_in(cgj).get(f"/workbench/{lead.pk}/?template={template.pk}").content.decode()
    assert f"关于{demand.title}（{demand.tracking_number}），我局已依法处理。</textarea>" in page
    assert 'id="template-pick"' in page


def test_templates_page_adds_and_deletes(district):
    cgj = logged_in(district.users["cgj"])
    department = district.departments["CGJ"].pk
    cgj.post(
        "/workbench/templates/",
        {"department": department, "title": "已办结", "body": "您反映的问题已处理完毕，感谢监督。"},
    )
    template = ReplyTemplate.objects.get()
    assert "已办结" in cgj.get("/workbench/templates/").content.decode()
    logged_in(district.users["zjj"]).post("/workbench/templates/", {"delete": template.pk})
    assert ReplyTemplate.objects.exists()  # another department cannot delete it
    cgj.post("/workbench/templates/", {"delete": template.pk})
    assert not ReplyTemplate.objects.exists()


def test_notes_reach_the_other_departments_on_the_case(district, submit):
    demand = submit(**NOISE).demand  # lead 住建局, assisting 生态环境
    case_note(demand_id=demand.pk, actor=district.users["shj"], body="噪声监测安排在今晚十一点")
    event = DemandEvent.objects.get(demand=demand, action=Action.NOTE)
    assert not event.is_public and event.department == district.departments["SHJ"]
    assert Notification.objects.filter(user=district.users["zjj"], message__contains="今晚十一点").exists()
    assert not Notification.objects.filter(user=district.users["shj"], message__contains="今晚十一点").exists()
    with pytest.raises(NotAllowed):
        case_note(demand_id=demand.pk, actor=district.users["cgj"], body="不相干的部门")
    page = logged_in(district.users["zjj"]).get(f"/workbench/{latest_lead(demand).pk}/").content.decode()
    assert "噪声监测安排在今晚十一点" in page
