"""Assisting departments as partners: their own deadline (the matter's share of the lead's working
time), their own extension requests (never past the lead's deadline), a ladder of their own
(warned, overdue; told to them and to the lead), and the pages, API and figures that show it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from assessment.assists import assist_rows
from assessment.figures import AuditFilters
from config.errors import ValidationFailed
from demands.models import DemandEvent
from demands.workflow import Action
from departments.models import Role
from departments.working_time import current_clock
from dispatch.models import Assignment, AssignmentStatus, DeadlineState, Notification, Supervision
from dispatch.services import assignment_contribute, assignment_sign, extension_decide, extension_request
from dispatch.services.assignments import create_assignments
from dispatch.services.escalation import sweep_deadlines
from responsibility_lists.models import Category, ListVersion
from tests.dispatch.test_api import client_for
from tests.factories import make_matter, make_user
from tests.staff import latest_lead, logged_in


def _case(submit, **text):
    demand = submit(**text).demand
    return demand, latest_lead(demand), Assignment.objects.get(demand=demand, role="assist")


def _working_hours(assignment: Assignment) -> float:
    return current_clock().working_hours_between(assignment.dispatched_at, assignment.handle_deadline)


def test_an_assisting_part_is_due_within_the_matters_share_of_the_leads_working_time(district, submit):
    demand, lead, assist = _case(submit)
    assert district.matters["noise"].assist_share_percent == 50  # the default
    assert _working_hours(assist) == pytest.approx(_working_hours(lead) * 0.5, abs=0.05)
    assert assist.handle_deadline < lead.handle_deadline
    assert assist.warn_at < assist.handle_deadline and assist.sign_deadline <= assist.handle_deadline
    # Supervising and escalating are the lead's rungs; the case is due when the lead is.
    assert assist.supervise_at is None and assist.escalate_at is None
    demand.refresh_from_db()
    assert demand.due_at == lead.handle_deadline
    # The assisting department is told when its part is due.
    due = f"{timezone.localtime(assist.handle_deadline):%Y-%m-%d %H:%M}"
    assert Notification.objects.filter(user=district.users["shj"], kind="dispatch", message__contains=due).exists()


def test_each_matter_sets_its_own_share(district, submit):
    demand, _lead, _assist = _case(submit)
    draft = ListVersion.objects.create(number=2, title="草稿")
    site = Category.objects.create(
        version=draft, parent=Category.objects.create(version=draft, name="住房"), name="工地"
    )
    matter = make_matter(
        draft, site, "PS-0201-001", "建筑施工噪音扰民", ["施工噪音"],
        lead_department=district.departments["ZJJ"], assisting=[district.departments["SHJ"]], assist_share_percent=80,
    )  # fmt: skip
    Assignment.objects.filter(demand=demand).update(status=AssignmentStatus.RELEASED)
    lead = create_assignments(
        demand=demand,
        lead=district.departments["ZJJ"],
        matter=matter,
        assisting=[district.departments["SHJ"]],
        actor=district.users["dispatcher"],
    )
    assist = Assignment.objects.get(demand=demand, role="assist", status=AssignmentStatus.PENDING_SIGN)
    assert _working_hours(assist) == pytest.approx(_working_hours(lead) * 0.8, abs=0.05)


def test_an_assisting_department_asks_for_more_time_but_not_past_the_lead(district, submit):
    shj, dispatcher = district.users["shj"], district.users["dispatcher"]
    demand, lead, assist = _case(submit)
    # The lead has not signed yet (the case is still "dispatched"): the assisting part may ask.
    assignment_sign(assignment_id=assist.pk, actor=shj)
    # Five working days of ten are the part's; eight more would run past the lead's deadline.
    with pytest.raises(ValidationFailed, match="不能晚于主办部门的办理期限"):
        extension_request(assignment_id=assist.pk, actor=shj, extra_days=8, reason="需要连续三晚夜间监测")
    assert Assignment.objects.get(pk=assist.pk).paused_since is None

    request = extension_request(assignment_id=assist.pk, actor=shj, extra_days=2, reason="需要连续两晚夜间监测")
    assert Assignment.objects.get(pk=assist.pk).paused_since is not None
    extension_decide(extension_id=request.pk, actor=dispatcher, approve=True)
    moved = Assignment.objects.get(pk=assist.pk)
    assert assist.handle_deadline < moved.handle_deadline <= lead.handle_deadline
    assert _working_hours(moved) == pytest.approx(_working_hours(assist) + 2 * current_clock().hours_per_day, abs=0.1)
    demand.refresh_from_db()
    assert demand.due_at == lead.handle_deadline  # the case's deadline is the lead's
    approval = DemandEvent.objects.get(demand=demand, action=Action.APPROVE_EXTENSION)
    assert not approval.is_public and approval.data["role"] == "assist"
    assert Notification.objects.filter(
        user=district.users["zjj"], kind="assist", message__contains="协办期限已延长至"
    ).exists()


def test_an_approval_past_the_leads_deadline_is_refused_and_may_be_denied(district, submit):
    shj, dispatcher = district.users["shj"], district.users["dispatcher"]
    _demand, lead, assist = _case(submit)
    assignment_sign(assignment_id=assist.pk, actor=shj)
    request = extension_request(assignment_id=assist.pk, actor=shj, extra_days=2, reason="需要连续两晚夜间监测")
    # Meanwhile the lead's deadline is nearer than the part would be after two more days.
    Assignment.objects.filter(pk=lead.pk).update(handle_deadline=assist.handle_deadline + timedelta(hours=1))
    with pytest.raises(ValidationFailed, match="不能晚于主办部门的办理期限"):
        extension_decide(extension_id=request.pk, actor=dispatcher, approve=True)
    extension_decide(extension_id=request.pk, actor=dispatcher, approve=False, note="主办期限临近，请先提交已有结论")
    assert Assignment.objects.get(pk=assist.pk).paused_since is None


def test_an_assisting_department_is_warned_and_found_overdue_and_the_lead_hears(
    district, submit, django_capture_on_commit_callbacks
):
    make_user("zjj_head", Role.HEAD, district.departments["ZJJ"])
    make_user("supervisor", Role.SUPERVISOR, district.departments["ZXZX"])
    demand, lead, assist = _case(submit)
    assignment_sign(assignment_id=lead.pk, actor=district.users["zjj"])
    assignment_sign(assignment_id=assist.pk, actor=district.users["shj"])
    shj_name = district.departments["SHJ"].display_name

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_deadlines(now=assist.warn_at)[Action.WARN] == 1
    assert Notification.objects.filter(
        user=district.users["shj"], kind=Action.WARN, message__contains="协办期限已过 75%"
    ).exists()
    told = Notification.objects.filter(user=district.users["zjj"], kind="assist", message__contains=shj_name)
    assert told.filter(message__contains="协办期限已过 75%").exists()

    with django_capture_on_commit_callbacks(execute=True):
        taken = sweep_deadlines(now=assist.handle_deadline + timedelta(minutes=1))
    assert taken[Action.OVERDUE] == 1 and taken[Action.WARN] == 0  # the lead is not yet warned
    assert Notification.objects.filter(user=district.users["shj"], message__contains="已超过协办期限").exists()
    for lead_user in ("zjj", "zjj_head"):
        assert Notification.objects.filter(
            user__username=lead_user, kind="assist", message__contains=f"{shj_name} 已超过协办期限"
        ).exists()
    # The citizen follows the lead's deadline: the assisting part's rungs are internal.
    assert not DemandEvent.objects.filter(demand=demand, action__in=[Action.WARN, Action.OVERDUE], is_public=True)

    # Long after, the lead is supervised and escalated; the assisting part's ladder stopped at overdue.
    later = sweep_deadlines(now=lead.escalate_at + timedelta(days=1))
    assert later[Action.SUPERVISE] == 1 and later[Action.ESCALATE] == 1
    assert Supervision.objects.filter(assignment=lead).exists()
    assert not Supervision.objects.filter(assignment=assist).exists()


def test_the_state_of_an_assisting_part(district, submit):
    _demand, _lead, assist = _case(submit)
    assert Assignment.objects.get(pk=assist.pk).deadline_state == DeadlineState.ON_TIME
    Assignment.objects.filter(pk=assist.pk).update(warn_at=timezone.now() - timedelta(minutes=1))
    assert Assignment.objects.get(pk=assist.pk).deadline_state == DeadlineState.WARNED
    Assignment.objects.filter(pk=assist.pk).update(handle_deadline=timezone.now() - timedelta(minutes=1))
    assert Assignment.objects.get(pk=assist.pk).deadline_state == DeadlineState.OVERDUE
    assignment_contribute(assignment_id=assist.pk, actor=district.users["shj"], body="已安排夜间噪声监测，结果附后。")
    assert Assignment.objects.get(pk=assist.pk).deadline_state == DeadlineState.DONE_LATE


def test_pages_show_the_assisting_deadline_its_state_and_extension(district, submit):
    _demand, lead, assist = _case(submit)
    shj = logged_in(district.users["shj"])
    assignment_sign(assignment_id=assist.pk, actor=district.users["shj"])
    page = shj.get(f"/workbench/{assist.pk}/").content.decode()
    assert "协办期限" in page and 'id="lead-deadline"' in page and 'id="extension"' in page
    assert 'data-deadline-state="on_time"' in page
    assert "协办期限" in shj.get("/workbench/?view=assisting").content.decode()

    response = shj.post(f"/workbench/{assist.pk}/extension/", {"extra_days": "8", "reason": "需要连续三晚夜间监测"})
    assert response.status_code in (200, 302)
    assert not Assignment.objects.get(pk=assist.pk).extensions.exists()
    shj.post(f"/workbench/{assist.pk}/extension/", {"extra_days": "1", "reason": "需要夜间再监测一次"})
    assert Assignment.objects.get(pk=assist.pk).extensions.filter(status="pending").exists()

    zjj = logged_in(district.users["zjj"])
    lead_page = zjj.get(f"/workbench/{lead.pk}/").content.decode()
    assert 'id="assists"' in lead_page and f'id="assist-{assist.pk}"' in lead_page
    assert "延长 1 个工作日：待审批" in lead_page

    desk = logged_in(district.users["dispatcher"]).get("/desk/?queue=extensions").content.decode()
    assert "主办办理期限" in desk


def test_the_api_shows_the_assisting_deadline_state_and_extension(district, submit):
    _demand, lead, assist = _case(submit)
    assignment_sign(assignment_id=assist.pk, actor=district.users["shj"])
    api = client_for(district.users["shj"])
    (row,) = [r for r in api.get("/api/v1/assignments/").json()["results"] if r["id"] == assist.pk]
    assert row["role"] == "assist" and row["deadline_state"] == "on_time" and row["extension"] is None
    assert parse_datetime(row["lead_deadline"]) == lead.handle_deadline
    assert parse_datetime(row["handle_deadline"]) == assist.handle_deadline

    refused = api.post(f"/api/v1/assignments/{assist.pk}/extension/", {"extra_days": 8, "reason": "需要三晚监测"})
    assert refused.status_code == 400 and "主办部门的办理期限" in refused.json()["detail"]
    asked = api.post(f"/api/v1/assignments/{assist.pk}/extension/", {"extra_days": 1, "reason": "需要再监测一晚"})
    assert asked.status_code == 200
    assert asked.json()["extension"]["status"] == "pending"
    assert Decimal(asked.json()["extension"]["extra_days"]) == 1


def test_figures_count_assisting_parts_given_on_time_and_overdue(district, submit):
    _d1, _l1, on_time = _case(submit)
    _d2, _l2, late = _case(submit, content="秀新村旁边的工地每天半夜施工打桩，噪音很大，吵得无法入睡。")
    assignment_contribute(assignment_id=on_time.pk, actor=district.users["shj"], body="已安排夜间噪声监测。")
    Assignment.objects.filter(pk=late.pk).update(handle_deadline=timezone.now() - timedelta(minutes=1))
    today = timezone.localdate()
    rows = assist_rows(AuditFilters(date_from=today - timedelta(days=1), date_to=today + timedelta(days=1)))
    (shj,) = [r for r in rows if r.department_id == district.departments["SHJ"].pk]
    assert (shj.received, shj.contributed, shj.on_time, shj.late, shj.overdue) == (2, 1, 1, 0, 1)
    assert shj.on_time_rate == 0.5

    auditor = logged_in(district.users["auditor"])
    page = auditor.get("/audit/").content.decode()
    assert 'id="by-assisting-department"' in page and district.departments["SHJ"].name in page

    period = {"date_from": (today - timedelta(days=1)).isoformat(), "date_to": (today + timedelta(days=1)).isoformat()}
    figures = client_for(district.users["auditor"]).get("/api/v1/assessment/figures/", period).json()
    (api_row,) = [r for r in figures["assists"] if r["department_id"] == district.departments["SHJ"].pk]
    assert (api_row["on_time"], api_row["overdue"], api_row["on_time_rate"]) == (1, 1, 0.5)


def test_a_period_without_assisting_work_has_no_rows(district):
    assert assist_rows(AuditFilters(date_from=date(2020, 1, 1), date_to=date(2020, 1, 31))) == []
