"""Supervision by hand (人工督办): a supervisor puts any case a department has in hand under
supervision with a note and a response deadline; the department is told, answers, and the case
counts as supervised in the figures like the ladder's."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from assessment import daily
from assessment.figures import AuditFilters
from assessment.models import DailyFigures
from assessment.rates import rate_rows
from config.demo_clock import clock_at
from config.errors import IllegalTransition, NotAllowed, ValidationFailed
from demands.models import DemandEvent
from demands.workflow import Action, Status
from departments.models import Role
from departments.working_time import current_clock
from dispatch.models import Notification, Supervision
from dispatch.services import supervision_answer, supervision_open
from dispatch.services.escalation import sweep_deadlines
from tests.citizens import STALL, VAGUE
from tests.factories import make_user
from tests.staff import answered, logged_in, open_lead

NOTE = "群众反映多次，请三日内清理占道摊贩并说明长效措施。"


@pytest.fixture
def supervisor(district):
    return make_user("dubanyuan", Role.SUPERVISOR, district.departments["ZXZX"])


@pytest.fixture
def in_hand(submit):
    """A stall on the pavement, dispatched to the city management bureau (CGJ) and not yet late."""
    return submit(**STALL).demand


def test_a_supervisor_puts_a_case_in_hand_under_supervision_and_the_department_is_told(district, supervisor, in_hand):
    lead = open_lead(in_hand)
    before = timezone.now()
    supervision = supervision_open(demand_id=in_hand.pk, actor=supervisor, note=NOTE, working_hours=Decimal(7))

    assert supervision.assignment == lead and supervision.by_hand and supervision.supervisor == supervisor
    assert supervision.note == NOTE and supervision.kind_label == "人工督办"
    clock = current_clock()
    assert clock.add_working_hours(before, 7) <= supervision.response_deadline
    assert supervision.response_deadline <= clock.add_working_hours(timezone.now(), 7)
    # One event, the ladder's action, marked as by hand, with the note and who did it.
    event = DemandEvent.objects.get(demand=in_hand, action=Action.SUPERVISE)
    assert (event.actor, event.reason, event.department) == (supervisor, NOTE, lead.department)
    assert event.data["by_hand"] is True and event.data["supervision"] == supervision.pk
    assert event.from_status == event.to_status == in_hand.status
    assert event.action_label == "人工督办"
    notice = Notification.objects.get(user=district.users["cgj"], kind=Action.SUPERVISE)
    assert in_hand.tracking_number in notice.message and NOTE in notice.message
    # The ladder's stamps are the ladder's: the case is not marked as having taken its rung.
    lead.refresh_from_db()
    assert lead.supervised_at is None


def test_the_deadline_may_be_a_date_after_today_answered_by_the_close_of_office_hours(supervisor, in_hand):
    today = timezone.localdate()
    with pytest.raises(ValidationFailed, match="今天之后"):
        supervision_open(demand_id=in_hand.pk, actor=supervisor, note=NOTE, respond_by=today)
    with pytest.raises(ValidationFailed, match="今天之后"):
        supervision_open(demand_id=in_hand.pk, actor=supervisor, note=NOTE, respond_by=today - timedelta(days=3))
    later = today + timedelta(days=3)
    supervision = supervision_open(demand_id=in_hand.pk, actor=supervisor, note=NOTE, respond_by=later)
    clock = current_clock()
    assert supervision.response_deadline == datetime.combine(later, time(18), clock.tz)


@pytest.mark.parametrize(
    ("hours", "by_date", "refusal"),
    [
        (None, None, "二者选一"),
        (Decimal(4), "tomorrow", "二者选一"),
        (Decimal(0), None, "大于0"),
        (Decimal(500), None, "不超过"),
    ],
)
def test_exactly_one_sensible_deadline_is_given(supervisor, in_hand, hours, by_date, refusal):
    respond_by = timezone.localdate() + timedelta(days=1) if by_date else None
    with pytest.raises(ValidationFailed, match=refusal):
        supervision_open(demand_id=in_hand.pk, actor=supervisor, note=NOTE, working_hours=hours, respond_by=respond_by)
    assert not Supervision.objects.exists()


def test_only_supervisors_and_administrators_supervise_and_a_note_is_needed(district, supervisor, in_hand):
    for name in ("dispatcher", "intake", "auditor", "cgj"):
        with pytest.raises(NotAllowed, match="督办员或管理员"):
            supervision_open(demand_id=in_hand.pk, actor=district.users[name], note=NOTE, working_hours=Decimal(7))
    with pytest.raises(ValidationFailed, match="督办意见"):
        supervision_open(demand_id=in_hand.pk, actor=supervisor, note="  快办 ", working_hours=Decimal(7))
    admin = make_user("root-admin", Role.ADMIN, district.departments["ZXZX"])
    assert supervision_open(demand_id=in_hand.pk, actor=admin, note=NOTE, working_hours=Decimal(7)).by_hand
    assert not DemandEvent.objects.filter(demand=in_hand, action=Action.SUPERVISE, actor=supervisor).exists()


def test_a_case_no_department_has_in_hand_is_refused_with_its_state(district, supervisor, submit):
    waiting = submit(**VAGUE).demand
    assert waiting.status == Status.TRIAGE
    with pytest.raises(IllegalTransition, match="没有在办的主办部门"):
        supervision_open(demand_id=waiting.pk, actor=supervisor, note=NOTE, working_hours=Decimal(7))
    replied = answered(district, submit(**STALL).demand, by="cgj")
    with pytest.raises(IllegalTransition, match="已答复"):
        supervision_open(demand_id=replied.pk, actor=supervisor, note=NOTE, working_hours=Decimal(7))
    assert not Supervision.objects.exists()


def test_an_open_supervision_is_answered_before_another_and_the_ladder_adds_none_beside_it(
    district, supervisor, in_hand
):
    first = supervision_open(demand_id=in_hand.pk, actor=supervisor, note=NOTE, working_hours=Decimal(7))
    with pytest.raises(IllegalTransition, match="已在督办中（人工督办"):
        supervision_open(demand_id=in_hand.pk, actor=supervisor, note=NOTE, working_hours=Decimal(7))
    # The case runs late meanwhile: the ladder takes its rung (its event), and keeps the open one.
    lead = open_lead(in_hand)
    taken = sweep_deadlines(now=lead.supervise_at + timedelta(minutes=1))
    assert taken[Action.SUPERVISE] == 1
    assert list(Supervision.objects.values_list("pk", flat=True)) == [first.pk]

    supervision_answer(supervision_id=first.pk, actor=district.users["cgj"], response="已清理摊贩，设置了禁摆标识。")
    assert Notification.objects.filter(user=supervisor, kind=Action.ANSWER_SUPERVISION).exists()
    second = supervision_open(
        demand_id=in_hand.pk,
        actor=supervisor,
        note="请说明长效管理措施的落实情况。",
        respond_by=timezone.localdate() + timedelta(days=2),
    )
    assert second.pk != first.pk and Supervision.objects.filter(assignment=lead).count() == 2


def test_the_ladders_supervision_is_marked_as_the_ladders(district, in_hand):
    lead = open_lead(in_hand)
    sweep_deadlines(now=lead.supervise_at + timedelta(minutes=1))
    supervision = Supervision.objects.get(assignment=lead)
    assert not supervision.by_hand and supervision.kind_label == "超期督办"


def test_from_the_case_page_the_supervisor_supervises_and_the_department_sees_it_in_its_list(
    district, supervisor, in_hand
):
    number = in_hand.tracking_number
    page = logged_in(supervisor).get(f"/desk/demands/{number}/").content.decode()
    assert 'id="supervise"' in page and "该诉求未被督办。" in page
    # A dispatcher reads the case but is not offered supervision.
    assert (
        'id="supervise"' not in logged_in(district.users["dispatcher"]).get(f"/desk/demands/{number}/").content.decode()
    )

    response = logged_in(supervisor).post(
        f"/desk/demands/{number}/supervise/", {"note": NOTE, "working_hours": "7"}, follow=True
    )
    assert "已列入督办，承办部门已收到通知。" in response.content.decode()
    page = response.content.decode()
    assert "人工督办" in page and NOTE in page and "尚未反馈" in page
    assert 'id="supervise"' not in page  # one waits for its answer: no second is offered

    cgj = logged_in(district.users["cgj"])
    listed = cgj.get("/workbench/?view=supervised").content.decode()
    assert number in listed and "人工督办" in listed
    assert number not in logged_in(district.users["zjj"]).get("/workbench/?view=supervised").content.decode()
    lead = open_lead(in_hand)
    detail = cgj.get(f"/workbench/{lead.pk}/").content.decode()
    assert 'id="supervision-kind"' in detail and NOTE in detail
    # The supervisors' own queue tells the two kinds apart too.
    queue = logged_in(supervisor).get("/desk/?queue=supervised").content.decode()
    assert number in queue and "人工督办" in queue


def test_a_refusal_on_the_page_is_said_and_nothing_is_made(district, supervisor, in_hand):
    response = logged_in(supervisor).post(
        f"/desk/demands/{in_hand.tracking_number}/supervise/", {"note": NOTE}, follow=True
    )
    assert "二者选一" in response.content.decode()
    assert not Supervision.objects.exists()
    refused = logged_in(district.users["dispatcher"]).post(
        f"/desk/demands/{in_hand.tracking_number}/supervise/", {"note": NOTE, "working_hours": "7"}
    )
    assert refused.status_code == 403 and not Supervision.objects.exists()


def test_through_the_api(district, supervisor, in_hand):
    url = f"/api/v1/demands/{in_hand.tracking_number}/supervise/"
    api = logged_in(supervisor)
    made = api.post(url, {"note": NOTE, "working_hours": "7"}, content_type="application/json")
    assert made.status_code == 201
    assert made.json()["by_hand"] is True and made.json()["department"] == open_lead(in_hand).department.name
    again = api.post(
        url,
        {"note": NOTE, "respond_by": str(timezone.localdate() + timedelta(days=2))},
        content_type="application/json",
    )
    assert again.status_code == 409 and "已在督办中" in again.json()["detail"]
    assert api.post(url, {"note": NOTE}, content_type="application/json").status_code == 400
    dispatcher = logged_in(district.users["dispatcher"])
    assert (
        dispatcher.post(url, {"note": NOTE, "working_hours": "7"}, content_type="application/json").status_code == 403
    )
    assert Supervision.objects.count() == 1


def test_a_case_supervised_by_hand_counts_as_supervised_in_the_figures_and_the_daily_table(
    district, supervisor, in_hand
):
    today = timezone.localdate()
    period = AuditFilters(date_from=today, date_to=today)
    cgj = district.departments["CGJ"].pk
    start = timezone.now()
    with clock_at(start + timedelta(minutes=10)):
        daily.refresh()
        assert next(r for r in rate_rows(period) if r.key == cgj).supervised == 0
    with clock_at(start + timedelta(minutes=20)):
        supervision_open(demand_id=in_hand.pk, actor=supervisor, note=NOTE, working_hours=Decimal(7))
        # The supervision's event touched the day: counted from the cases at once.
        assert next(r for r in rate_rows(period) if r.key == cgj).supervised == 1
    with clock_at(start + timedelta(minutes=30)):
        refreshed = daily.refresh()
        assert refreshed is not None and today in refreshed.days
        assert daily.split_period(period, timezone.now())[1] == []
        assert next(r for r in rate_rows(period) if r.key == cgj).supervised == 1
    table = DailyFigures.objects.filter(day=today, department_id=cgj).aggregate(n=Sum("supervised"))
    assert table["n"] == 1


def test_a_supervision_leaves_the_desks_queue_when_its_case_is_answered_or_let_go(district, supervisor, submit):
    from dispatch.models import Assignment
    from dispatch.services.transitions import let_go

    answered_case, let_go_case, still_open = (submit(**STALL).demand for _ in range(3))
    for demand in (answered_case, let_go_case, still_open):
        supervision_open(demand_id=demand.pk, actor=supervisor, note=NOTE, working_hours=Decimal(7))
    answered(district, answered_case, by="cgj")
    let_go(Assignment.objects.of_demand(let_go_case.pk), timezone.now())
    marks = dict(Supervision.objects.values_list("assignment__demand_id", "assignment_open"))
    assert marks == {answered_case.pk: False, let_go_case.pk: False, still_open.pk: True}
    queue = logged_in(supervisor).get("/desk/?queue=supervised").content.decode()
    assert still_open.tracking_number in queue
    assert answered_case.tracking_number not in queue and let_go_case.tracking_number not in queue


def test_the_migration_marks_the_supervisions_of_cases_already_closed(district, supervisor, submit):
    from importlib import import_module

    from django.apps import apps

    closed, open_case = submit(**STALL).demand, submit(**STALL).demand
    for demand in (closed, open_case):
        supervision_open(demand_id=demand.pk, actor=supervisor, note=NOTE, working_hours=Decimal(7))
    answered(district, closed, by="cgj")
    Supervision.objects.update(assignment_open=True)  # as every row stood before the mark existed
    import_module("dispatch.migrations.0032_supervision_of_open_case").fill_in(apps, None)
    marks = dict(Supervision.objects.values_list("assignment__demand_id", "assignment_open"))
    assert marks == {closed.pk: False, open_case.pk: True}
