"""Ratings given by phone (电话评价): staff record the stars, or the unsatisfied answer, a citizen gave
on the phone, as the citizen's own: the same move and effects as the tracking page, with the
channel and the one who took it in the record."""

from __future__ import annotations

import pytest
from django.test import Client

from assessment.models import CallbackVisit, VisitStatus
from config.errors import IllegalTransition, NotAllowed, ValidationFailed
from demands.models import DemandEvent
from demands.workflow import Action, Status
from departments.models import Role
from dispatch.models import Assignment, AssignmentRole
from dispatch.services import demand_rate_by_phone
from tests.citizens import STALL
from tests.factories import make_user
from tests.staff import answered, logged_in


@pytest.fixture
def callback(district):
    return make_user("huifang", Role.CALLBACK_OFFICER, district.departments["ZXZX"])


@pytest.fixture
def replied(district, submit, django_capture_on_commit_callbacks):
    submission = submit(**STALL)
    with django_capture_on_commit_callbacks(execute=True):
        answered(district, submission.demand, by="cgj")
    submission.demand.refresh_from_db()
    return submission


def test_the_intake_operator_records_the_stars_the_citizen_gave_and_the_case_closes(
    district, replied, django_capture_on_commit_callbacks
):
    demand = replied.demand
    with django_capture_on_commit_callbacks(execute=True):
        rated = demand_rate_by_phone(
            demand_id=demand.pk, actor=district.users["intake"], rating=4, comment="处理得比较及时。"
        )
    assert (rated.status, rated.rating, rated.rating_comment) == (Status.CLOSED, 4, "处理得比较及时。")
    assert rated.closed_at is not None and rated.rated_at is not None
    event = DemandEvent.objects.get(demand=demand, action=Action.RATE)
    # The citizen's own rating, taken by the operator on the phone.
    assert event.actor_label == "citizen" and event.actor == district.users["intake"]
    assert event.data == {"rating": 4, "channel": "phone", "taken_by": "intake"}
    assert event.action_label == "评价（电话）"
    # The stars answer the callback visit of the answer, as the citizen's own do.
    assert CallbackVisit.objects.get(demand=demand).status == VisitStatus.CITIZEN_RATED


def test_an_unsatisfied_answer_by_phone_sends_the_case_back_once_as_the_tracking_page_allows(
    district, replied, callback, submit
):
    demand = replied.demand
    reopened = demand_rate_by_phone(
        demand_id=demand.pk, actor=callback, rating=1, comment="摊贩第二天又回来了，问题没有解决。", reopen=True
    )
    assert (reopened.status, reopened.reopen_count, reopened.rating) == (Status.REOPENED, 1, 1)
    event = DemandEvent.objects.get(demand=demand, action=Action.REOPEN)
    assert event.actor == callback and event.actor_label == "citizen"
    assert event.data["channel"] == "phone" and event.reason == "摊贩第二天又回来了，问题没有解决。"
    assert event.action_label == "不满意重办（电话）"
    # Back to the department that answered, with fresh deadlines.
    assert Assignment.objects.filter(demand=demand, role=AssignmentRole.LEAD).count() == 2

    answered(district, demand, by="cgj")
    with pytest.raises(IllegalTransition, match="已重办过一次"):
        demand_rate_by_phone(
            demand_id=demand.pk, actor=callback, rating=1, comment="还是没有解决，仍然有人摆摊。", reopen=True
        )
    # Only an unsatisfied rating sends a case back, with the citizen's reason.
    other = answered(district, submit(**STALL).demand, by="cgj")
    with pytest.raises(ValidationFailed, match="不满意"):
        demand_rate_by_phone(demand_id=other.pk, actor=callback, rating=4, comment="还可以吧，凑合。", reopen=True)
    with pytest.raises(ValidationFailed, match="不满意的原因"):
        demand_rate_by_phone(demand_id=other.pk, actor=callback, rating=2, comment="", reopen=True)
    assert Status(other.status) == Status.REPLIED


def test_only_the_hotline_and_callback_staff_record_a_phone_rating(district, replied):
    for name in ("cgj", "auditor", "maintainer", "nobody"):
        with pytest.raises(NotAllowed, match="电话评价"):
            demand_rate_by_phone(demand_id=replied.demand.pk, actor=district.users[name], rating=5)
    supervisor = make_user("dubanyuan", Role.SUPERVISOR, district.departments["ZXZX"])
    with pytest.raises(NotAllowed):
        demand_rate_by_phone(demand_id=replied.demand.pk, actor=supervisor, rating=5)
    assert not DemandEvent.objects.filter(demand=replied.demand, action=Action.RATE).exists()
    assert demand_rate_by_phone(demand_id=replied.demand.pk, actor=district.users["dispatcher"], rating=5).rating == 5


def test_a_case_not_awaiting_a_rating_is_refused_with_its_state(district, replied, submit):
    with pytest.raises(ValidationFailed, match="评分须为"):
        demand_rate_by_phone(demand_id=replied.demand.pk, actor=district.users["intake"], rating=9)
    in_hand = submit(**STALL).demand
    with pytest.raises(IllegalTransition, match="「已派单」，不在待评价状态"):
        demand_rate_by_phone(demand_id=in_hand.pk, actor=district.users["intake"], rating=5)
    demand_rate_by_phone(demand_id=replied.demand.pk, actor=district.users["intake"], rating=5)
    with pytest.raises(IllegalTransition, match="「已办结」，不在待评价状态"):
        demand_rate_by_phone(demand_id=replied.demand.pk, actor=district.users["intake"], rating=3)


def test_from_the_case_page_and_the_citizen_sees_it_as_given_by_phone(district, replied):
    demand = replied.demand
    intake = logged_in(district.users["intake"])
    page = intake.get(f"/desk/demands/{demand.tracking_number}/").content.decode()
    assert 'id="phone-rating"' in page
    response = intake.post(
        f"/desk/demands/{demand.tracking_number}/phone-rating/",
        {"rating": "5", "comment": "很满意，谢谢。"},
        follow=True,
    )
    page = response.content.decode()
    assert "已记录群众的电话评价。" in page and "评价（电话）" in page
    assert 'id="phone-rating"' not in page  # rated: nothing more to record
    # The citizen's timeline says how the rating came.
    citizen = Client()
    citizen.post("/track/", {"tracking_number": demand.tracking_number, "query_code": replied.query_code})
    tracking = citizen.get(f"/track/{demand.tracking_number}/").content.decode()
    assert "评价（电话）" in tracking and "很满意，谢谢。" in tracking and "intake" not in tracking


def test_a_refusal_on_the_page_is_said(district, replied):
    intake = logged_in(district.users["intake"])
    response = intake.post(
        f"/desk/demands/{replied.demand.tracking_number}/phone-rating/",
        {"rating": "4", "comment": "还行吧，总算处理了。", "reopen": "on"},
        follow=True,
    )
    assert "只有群众表示不满意" in response.content.decode()
    replied.demand.refresh_from_db()
    assert replied.demand.status == Status.REPLIED
    handler = logged_in(district.users["cgj"])
    assert (
        handler.post(f"/desk/demands/{replied.demand.tracking_number}/phone-rating/", {"rating": "5"}).status_code
        == 403
    )


def test_the_callback_officer_records_it_from_the_visit_page_and_goes_back_there(
    district, replied, callback, django_capture_on_commit_callbacks
):
    demand = replied.demand
    visit = CallbackVisit.objects.get(demand=demand)
    officer = logged_in(callback)
    page = officer.get(f"/visits/{visit.pk}/").content.decode()
    assert 'id="phone-rating"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = officer.post(
            f"/desk/demands/{demand.tracking_number}/phone-rating/",
            {"rating": "3", "comment": "基本满意。", "next": f"/visits/{visit.pk}/"},
        )
    assert response.status_code == 302 and response["Location"] == f"/visits/{visit.pk}/"
    demand.refresh_from_db()
    assert (demand.status, demand.rating) == (Status.CLOSED, 3)
    assert CallbackVisit.objects.get(pk=visit.pk).status == VisitStatus.CITIZEN_RATED


def test_through_the_api(district, replied, callback):
    url = f"/api/v1/demands/{replied.demand.tracking_number}/phone-rating/"
    api = logged_in(callback)
    assert api.post(url, {"rating": 7}, content_type="application/json").status_code == 400
    made = api.post(url, {"rating": 2, "comment": "不太满意。"}, content_type="application/json")
    assert made.status_code == 200
    assert made.json()["status"] == Status.CLOSED and made.json()["rating"] == 2
    assert "content" not in made.json()  # the case's text is not the callback staff's to read
    again = api.post(url, {"rating": 5}, content_type="application/json")
    assert again.status_code == 409 and "不在待评价状态" in again.json()["detail"]
    handler = logged_in(district.users["cgj"])
    assert handler.post(url, {"rating": 5}, content_type="application/json").status_code == 403
