"""Leaders' instructions (领导批示): a supervisor or an administrator records the instruction a
leader gave on a case, naming the leader; it shows at the top of the case for every department
handling it, the lead department is told and answers it by its deadline, and the supervisors follow
the open and overdue ones, with counts, on the desk."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from config.demo_clock import clock_at
from config.errors import IllegalTransition, NotAllowed, ValidationFailed
from demands.models import DemandEvent
from demands.workflow import Action, Status
from departments.models import Role
from departments.working_time import current_clock
from dispatch.models import Assignment, AssignmentRole, LeaderInstruction, Notification
from dispatch.services import instruction_answer, instruction_record
from tests.citizens import STALL, VAGUE
from tests.factories import make_user
from tests.staff import answered, logged_in, open_lead

LEADER = "区长 张某"
TEXT = "请城管局本周内彻底清理占道摊贩，并建立长效管理机制。"
ANSWER = "已于周三清理全部占道摊贩，设置禁摆标识并安排每日巡查。"


@pytest.fixture
def supervisor(district):
    return make_user("dubanyuan", Role.SUPERVISOR, district.departments["ZXZX"])


@pytest.fixture
def in_hand(submit):
    """A stall on the pavement, dispatched to the city management bureau (CGJ)."""
    return submit(**STALL).demand


def _record(actor, demand, **deadline):
    return instruction_record(
        demand_id=demand.pk, actor=actor, leader_name=LEADER, text=TEXT, **(deadline or {"working_hours": Decimal(8)})
    )


def test_a_supervisor_records_a_leaders_instruction_and_the_lead_department_is_told(district, supervisor, in_hand):
    lead = open_lead(in_hand)
    before = timezone.now()
    instruction = _record(supervisor, in_hand)

    assert (instruction.leader_name, instruction.text, instruction.recorded_by) == (LEADER, TEXT, supervisor)
    assert instruction.is_open and not instruction.answered_late
    clock = current_clock()
    assert clock.add_working_hours(before, 8) <= instruction.deadline <= clock.add_working_hours(timezone.now(), 8)
    event = DemandEvent.objects.get(demand=in_hand, action=Action.INSTRUCT)
    assert (event.actor, event.reason, event.department) == (supervisor, TEXT, lead.department)
    assert event.data["leader"] == LEADER and event.data["instruction"] == instruction.pk
    assert event.from_status == event.to_status == in_hand.status and not event.is_public
    notice = Notification.objects.get(user=district.users["cgj"], kind=Action.INSTRUCT)
    assert in_hand.tracking_number in notice.message and LEADER in notice.message and TEXT in notice.message
    # Only the lead department is told.
    assert not Notification.objects.filter(user=district.users["zjj"], kind=Action.INSTRUCT).exists()


def test_the_deadline_may_be_a_date_after_today(supervisor, in_hand):
    today = timezone.localdate()
    with pytest.raises(ValidationFailed, match="今天之后"):
        _record(supervisor, in_hand, respond_by=today)
    with pytest.raises(ValidationFailed, match="二者选一"):
        _record(supervisor, in_hand, working_hours=None)
    later = today + timedelta(days=3)
    instruction = _record(supervisor, in_hand, respond_by=later)
    assert instruction.deadline == datetime.combine(later, time(18), current_clock().tz)


def test_who_may_record_and_what_an_instruction_needs(district, supervisor, in_hand):
    for name in ("dispatcher", "intake", "auditor", "cgj"):
        with pytest.raises(NotAllowed, match="督办员或管理员"):
            _record(district.users[name], in_hand)
    with pytest.raises(ValidationFailed, match="作出批示的领导"):
        instruction_record(demand_id=in_hand.pk, actor=supervisor, leader_name=" ", text=TEXT, working_hours=Decimal(8))
    with pytest.raises(ValidationFailed, match="批示内容"):
        instruction_record(
            demand_id=in_hand.pk, actor=supervisor, leader_name=LEADER, text=" 阅 ", working_hours=Decimal(8)
        )
    assert not LeaderInstruction.objects.exists()
    admin = make_user("root-admin", Role.ADMIN, district.departments["ZXZX"])
    assert _record(admin, in_hand).recorded_by == admin
    # A leader may give more than one instruction on a case.
    assert _record(supervisor, in_hand).pk != LeaderInstruction.objects.get(recorded_by=admin).pk


def test_a_case_no_department_has_in_hand_is_refused(district, supervisor, submit):
    waiting = submit(**VAGUE).demand
    assert waiting.status == Status.TRIAGE
    with pytest.raises(IllegalTransition, match="没有在办的主办部门"):
        _record(supervisor, waiting)
    assert not LeaderInstruction.objects.exists()


def test_the_lead_department_answers_once_and_the_recorder_is_told(district, supervisor, in_hand):
    instruction = _record(supervisor, in_hand)
    with pytest.raises(ValidationFailed, match="至少10个字"):
        instruction_answer(instruction_id=instruction.pk, actor=district.users["cgj"], answer="已办")
    # Not the lead department's staff, and not the desk.
    for name in ("zjj", "dispatcher"):
        with pytest.raises(NotAllowed, match="主办部门反馈"):
            instruction_answer(instruction_id=instruction.pk, actor=district.users[name], answer=ANSWER)
    with pytest.raises(NotAllowed):
        instruction_answer(instruction_id=instruction.pk, actor=supervisor, answer=ANSWER)

    done = instruction_answer(instruction_id=instruction.pk, actor=district.users["cgj"], answer=ANSWER)
    assert done.answer == ANSWER and done.answered_department == open_lead(in_hand).department
    assert not done.is_open and not done.answered_late
    event = DemandEvent.objects.get(demand=in_hand, action=Action.ANSWER_INSTRUCTION)
    assert event.actor == district.users["cgj"] and event.data["late"] is False and not event.is_public
    notice = Notification.objects.get(user=supervisor, kind=Action.ANSWER_INSTRUCTION)
    assert ANSWER in notice.message
    with pytest.raises(IllegalTransition, match="已反馈"):
        instruction_answer(instruction_id=instruction.pk, actor=district.users["cgj"], answer=ANSWER)


def test_an_instruction_still_owed_after_the_reply_is_answered_late_and_marked_so(district, supervisor, in_hand):
    instruction = _record(supervisor, in_hand, working_hours=Decimal(1))
    answered(district, in_hand, by="cgj")
    with clock_at(instruction.deadline + timedelta(hours=1)):
        done = instruction_answer(instruction_id=instruction.pk, actor=district.users["cgj"], answer=ANSWER)
    assert done.answered_late
    assert DemandEvent.objects.get(demand=in_hand, action=Action.ANSWER_INSTRUCTION).data["late"] is True


def test_it_shows_at_the_top_of_the_case_for_every_department_and_the_lead_answers_from_its_page(
    district, supervisor, in_hand
):
    number = in_hand.tracking_number
    page = logged_in(supervisor).get(f"/desk/demands/{number}/").content.decode()
    assert 'id="instruct"' in page
    assert (
        'id="instruct"' not in logged_in(district.users["dispatcher"]).get(f"/desk/demands/{number}/").content.decode()
    )

    response = logged_in(supervisor).post(
        f"/desk/demands/{number}/instruct/", {"leader_name": LEADER, "text": TEXT, "working_hours": "8"}, follow=True
    )
    page = response.content.decode()
    assert "已录入领导批示，主办部门已收到通知。" in page
    # At the top: before the case's facts.
    assert page.index('id="instructions"') < page.index('class="facts"') and TEXT in page and LEADER in page
    # The dispatcher reads it too, without the form to record one.
    desk_page = logged_in(district.users["dispatcher"]).get(f"/desk/demands/{number}/").content.decode()
    assert TEXT in desk_page and 'id="instruct"' not in desk_page

    lead = open_lead(in_hand)
    instruction = LeaderInstruction.objects.get()
    cgj = logged_in(district.users["cgj"])
    detail = cgj.get(f"/workbench/{lead.pk}/").content.decode()
    assert detail.index('id="instructions"') < detail.index('class="facts"') and TEXT in detail
    assert f"/workbench/{lead.pk}/instructions/{instruction.pk}/" in detail
    # An assisting department sees it at the top, but does not answer it.
    assist = Assignment.objects.create(
        demand=in_hand,
        department=district.departments["ZJJ"],
        role=AssignmentRole.ASSIST,
        dispatched_at=timezone.now(),
        sign_deadline=lead.sign_deadline,
        handle_deadline=lead.handle_deadline,
    )
    assisting = logged_in(district.users["zjj"]).get(f"/workbench/{assist.pk}/").content.decode()
    assert TEXT in assisting and "/instructions/" not in assisting
    refused = logged_in(district.users["zjj"]).post(
        f"/workbench/{assist.pk}/instructions/{instruction.pk}/", {"answer": ANSWER}, follow=True
    )
    assert "主办部门反馈" in refused.content.decode()

    answered_page = cgj.post(
        f"/workbench/{lead.pk}/instructions/{instruction.pk}/", {"answer": ANSWER}, follow=True
    ).content.decode()
    assert "已反馈领导批示。" in answered_page and ANSWER in answered_page


def test_the_desk_lists_the_open_instructions_with_the_report_on_all_of_them(district, supervisor, submit):
    on_time, late, owed, overdue = (submit(**STALL).demand for _ in range(4))
    kept = {}
    for name, demand, hours in (("on_time", on_time, 8), ("late", late, 1), ("owed", owed, 8), ("overdue", overdue, 1)):
        kept[name] = _record(supervisor, demand, working_hours=Decimal(hours))
    instruction_answer(instruction_id=kept["on_time"].pk, actor=district.users["cgj"], answer=ANSWER)
    with clock_at(kept["late"].deadline + timedelta(minutes=30)):
        instruction_answer(instruction_id=kept["late"].pk, actor=district.users["cgj"], answer=ANSWER)
        queue = logged_in(supervisor).get("/desk/?queue=instructions").content.decode()
    figures = queue[queue.index('id="instruction-figures"') :]
    assert "共 4 件批示：按期反馈 1 件，逾期反馈 1 件，待反馈 2 件（其中已逾期 1 件）。" in figures
    rows = queue[queue.index('aria-labelledby="queue-title"') :]
    assert owed.tracking_number in rows and overdue.tracking_number in rows
    assert on_time.tracking_number not in rows and late.tracking_number not in rows
    # The most pressing first, and the overdue one marked.
    assert rows.index(overdue.tracking_number) < rows.index(owed.tracking_number)
    assert "已逾期" in rows
    # Dispatchers have the tab as well; department staff do not reach the desk.
    assert logged_in(district.users["dispatcher"]).get("/desk/?queue=instructions").status_code == 200


def test_through_the_api(district, supervisor, in_hand):
    url = f"/api/v1/demands/{in_hand.tracking_number}/instructions/"
    made = logged_in(supervisor).post(
        url, {"leader_name": LEADER, "text": TEXT, "working_hours": "8"}, content_type="application/json"
    )
    assert made.status_code == 201 and made.json()["leader_name"] == LEADER and made.json()["answered_at"] is None
    assert (
        logged_in(supervisor)
        .post(url, {"leader_name": LEADER, "text": TEXT}, content_type="application/json")
        .status_code
        == 400
    )
    refused = logged_in(district.users["dispatcher"]).post(
        url, {"leader_name": LEADER, "text": TEXT, "working_hours": "8"}, content_type="application/json"
    )
    assert refused.status_code == 403
    answer_url = f"{url}{made.json()['id']}/answer/"
    assert (
        logged_in(district.users["zjj"])
        .post(answer_url, {"answer": ANSWER}, content_type="application/json")
        .status_code
        == 404
    )
    done = logged_in(district.users["cgj"]).post(answer_url, {"answer": ANSWER}, content_type="application/json")
    assert done.status_code == 200 and done.json()["answer"] == ANSWER
    assert done.json()["answered_department"] == open_lead(in_hand).department.name
    again = logged_in(district.users["cgj"]).post(answer_url, {"answer": ANSWER}, content_type="application/json")
    assert again.status_code == 409
