"""The callback visit queue on its page and in the API: overdue first, the phone shown to the callback
officer only when asked (and the view recorded), a call recorded from the form and through the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from assessment.models import CallbackVisit, VisitStatus
from demands.models import ContactDisclosure, Demand, DemandEvent
from demands.workflow import Action, Status
from departments.models import Role
from tests.citizens import STALL
from tests.factories import make_user
from tests.staff import answered, logged_in

PHONE = "13912345678"


@pytest.fixture
def officer(district):
    return make_user("callback", Role.CALLBACK_OFFICER, district.departments["ZXZX"])


@pytest.fixture
def visits(district, submit, django_capture_on_commit_callbacks):
    """Two answered stall cases with their visits: `late` past its deadline, `fresh` not yet."""
    made = {}
    for name in ("fresh", "late"):
        demand = submit(**STALL, citizen_phone=PHONE).demand
        with django_capture_on_commit_callbacks(execute=True):
            answered(district, demand, by="cgj", body=f"{name}：已清理占道摊贩并加强巡查。")
        made[name] = CallbackVisit.objects.get(demand=demand)
    CallbackVisit.objects.filter(pk=made["late"].pk).update(due_at=timezone.now() - timedelta(hours=3))
    return made


def test_a_callback_officer_is_sent_to_the_queue_which_shows_overdue_visits_first(officer, visits):
    client = logged_in(officer)
    assert client.get("/staff/", follow=False)["Location"] == "/visits/"
    page = client.get("/visits/").content.decode()
    late, fresh = visits["late"].demand.tracking_number, visits["fresh"].demand.tracking_number
    assert page.index(late) < page.index(fresh)
    assert 'id="visits-overdue"' in page and PHONE not in page


def test_the_phone_is_shown_only_when_asked_and_each_view_is_recorded(officer, visits):
    client = logged_in(officer)
    visit = visits["fresh"]
    page = client.get(f"/visits/{visit.pk}/").content.decode()
    assert PHONE not in page and "fresh：已清理占道摊贩" in page
    client.post(f"/visits/{visit.pk}/contact/", {"purpose": "电话回访诉求人"})
    assert PHONE in client.get(f"/visits/{visit.pk}/").content.decode()
    disclosure = ContactDisclosure.objects.get(demand=visit.demand)
    assert (disclosure.user, disclosure.purpose) == (officer, "电话回访诉求人")


def test_supervisors_read_the_queue_but_neither_see_the_phone_nor_record(district, officer, visits):
    supervisor = logged_in(make_user("supervisor", Role.SUPERVISOR, district.departments["ZXZX"]))
    visit = visits["fresh"]
    page = supervisor.get(f"/visits/{visit.pk}/").content.decode()
    assert 'id="record"' not in page and 'id="show-phone"' not in page
    assert supervisor.post(f"/visits/{visit.pk}/contact/", {"purpose": "看看"}).status_code == 403
    assert supervisor.post(f"/visits/{visit.pk}/record/", {"outcome": "not_reached"}).status_code == 403
    assert logged_in(district.users["cgj"]).get("/visits/").status_code == 403


def test_a_call_recorded_on_the_page(officer, visits):
    client = logged_in(officer)
    visit = visits["fresh"]
    response = client.post(f"/visits/{visit.pk}/record/", {"outcome": "not_reached", "notes": "无人接听"})
    assert response["Location"] == f"/visits/{visit.pk}/"
    form = {
        "outcome": "reached", "contacted_in_time": "yes", "resolution": "partly", "satisfaction": "basically",
        "notes": "摊贩少了，偶尔还有",
    }  # fmt: skip
    assert client.post(f"/visits/{visit.pk}/record/", form)["Location"] == "/visits/"
    visit.refresh_from_db()
    assert (visit.status, visit.attempts, visit.resolution, visit.contacted_in_time) == (
        VisitStatus.DONE, 2, "partly", True
    )  # fmt: skip
    page = client.get(f"/visits/{visit.pk}/").content.decode()
    assert 'id="visit-result"' in page and "无人接听" in page


def test_a_reopening_refused_on_the_page_says_why_and_records_nothing(officer, visits):
    client = logged_in(officer)
    visit = visits["fresh"]
    Demand.objects.filter(pk=visit.demand_id).update(reopen_count=0, status=Status.CLOSED)
    form = {
        "outcome": "reached", "contacted_in_time": "no", "resolution": "unsolved", "satisfaction": "unsatisfied",
        "reopen": "on", "reopen_reason": "摊贩一直都在，没有人来处理",
    }  # fmt: skip
    response = client.post(f"/visits/{visit.pk}/record/", form, follow=True)
    assert "不能再重办" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DUE and not DemandEvent.objects.filter(action=Action.VISIT).exists()


def test_the_api_lists_the_queue_and_records_a_call(district, officer, visits):
    client = logged_in(officer)
    rows = client.get("/api/v1/assessment/visits/").json()["results"]
    assert [row["tracking_number"] for row in rows] == [
        visits["late"].demand.tracking_number,
        visits["fresh"].demand.tracking_number,
    ]
    assert rows[0]["citizen_phone"] != PHONE and rows[0]["answer"].startswith("late：")
    visit = visits["late"]
    body = {"reached": True, "contacted_in_time": True, "resolution": "solved", "satisfaction": "satisfied"}
    answer = client.post(f"/api/v1/assessment/visits/{visit.pk}/record/", body, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["status"] == VisitStatus.DONE
    again = client.post(f"/api/v1/assessment/visits/{visit.pk}/record/", body, content_type="application/json")
    assert again.status_code == 409
    missing = client.post(
        f"/api/v1/assessment/visits/{visits['fresh'].pk}/record/", {"reached": True}, content_type="application/json"
    )
    assert missing.status_code == 400
    dispatcher = logged_in(district.users["dispatcher"])
    assert dispatcher.get("/api/v1/assessment/visits/").status_code == 403
    assert (
        dispatcher.post(
            f"/api/v1/assessment/visits/{visit.pk}/record/", body, content_type="application/json"
        ).status_code
        == 403
    )
