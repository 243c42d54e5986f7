"""A caller who reports the same thing again: told on the form, added as a follow-up (催办) to
their open demand, or still submitted as new; the API the same."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from config.errors import ValidationFailed
from demands.models import CitizenMessage, Demand
from demands.workflow import Status
from dispatch.models import Assignment, DuplicateSuggestion, Notification
from dispatch.services import demand_follow_up, demand_reject
from tests.citizens import FORM, citizen_of
from tests.staff import logged_in

# The same thing, told again in other words.
AGAIN = {
    **FORM,
    "title": "六和城工地半夜施工噪音大",
    "content": "六和城旁边工地每天半夜施工打桩，吵得无法入睡，希望处理。",
}


@pytest.fixture
def first(submit) -> Demand:
    return submit(title=FORM["title"], content=FORM["content"]).demand


def _notice(response) -> str:
    page = response.content.decode()
    start = page.index('id="repeat-notice"')
    return page[start : page.index("</div>", start)]


def test_the_form_tells_a_repeat_caller_and_makes_no_second_demand(first):
    response = Client().post("/", {**AGAIN, "citizen_phone": "138-1234 5678"})
    assert response.status_code == 200
    notice = _notice(response)
    assert f"你已反映过此事：{first.tracking_number}" in notice
    # The phone is typed by whoever sends the form: the notice names the number, nothing more.
    assert first.title not in notice and first.content not in notice and "住房和建设局" not in notice
    assert Demand.objects.count() == 1


def test_other_callers_and_other_matters_are_not_told(first):
    for form in (
        {**AGAIN, "citizen_phone": "13900001111"},
        {**FORM, "title": "小区停水没有通知", "content": "和平社区昨天起停水，事先没有任何通知。"},
    ):
        response = Client().post("/", form)
        assert response.status_code == 302 and response.url == "/submitted/"
    assert Demand.objects.count() == 3


def test_a_closed_demand_is_not_offered(first, district):
    Demand.objects.filter(pk=first.pk).update(status=Status.CLOSED)
    response = Client().post("/", AGAIN)
    assert response.status_code == 302 and Demand.objects.count() == 2


def test_the_caller_adds_the_repeat_as_a_follow_up(first, district, django_capture_on_commit_callbacks):
    citizen = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = citizen.post("/", {**AGAIN, "repeat": "follow_up", "repeat_of": first.tracking_number}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == "/followed-up/"
    assert first.tracking_number in page and "第 1 次催办" in page
    assert Demand.objects.count() == 1
    first.refresh_from_db()
    assert first.follow_up_count == 1 and first.status == Status.DISPATCHED  # an event, not a move
    event = first.events.get(action="follow_up")
    assert (event.from_status, event.to_status, event.actor_label) == (Status.DISPATCHED, Status.DISPATCHED, "citizen")
    assert event.reason == AGAIN["content"] and event.data["title"] == AGAIN["title"]
    # The departments on the case are told; so is the phone on file (its owner hears of any
    # follow-up, made by them or not).
    lead = Assignment.objects.get(demand=first, role="lead")
    assert Notification.objects.filter(user=district.users["zjj"], demand=first, kind="follow_up").exists()
    text = CitizenMessage.objects.get(demand=first, kind="follow_up")
    assert first.tracking_number in text.body and "如非您本人反映" in text.body
    # Adding a follow-up opens nothing: the demand's page still asks for its query code.
    assert citizen.get(f"/track/{first.tracking_number}/").status_code == 302
    # The staff read the words and the count; the citizen's timeline says a follow-up came.
    staff = logged_in(district.users["zjj"])
    case = staff.get(f"/workbench/{lead.pk}/").content.decode()
    assert AGAIN["content"] in case and 'id="follow-ups"' in case and "已催办 1 次" in case
    assert "催办 1 次" in staff.get("/workbench/").content.decode()
    public = citizen_of(first).get(f"/track/{first.tracking_number}/").content.decode()
    assert "群众催办" in public and "已催办 1 次" in public and AGAIN["content"] not in public
    # Reported a third time: counted again.
    citizen.post("/", {**FORM, "repeat": "follow_up", "repeat_of": first.tracking_number})
    first.refresh_from_db()
    assert first.follow_up_count == 2 and Demand.objects.count() == 1


def test_still_new_makes_a_demand_the_desk_sees_as_the_same_callers(
    first, district, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/", {**AGAIN, "location_text": "坑梓秀新村", "repeat": "new"})
    assert response.status_code == 302 and response.url == "/submitted/"
    second = Demand.objects.exclude(pk=first.pk).get()
    # Placed elsewhere (a slip, or a second address), but the same caller: still offered.
    assert DuplicateSuggestion.objects.filter(demand=second, original=first).exists()


@pytest.mark.parametrize("case", ["another phone", "unknown number", "refused", "another matter"])
def test_a_follow_up_the_platform_did_not_offer_is_refused_alike(first, district, case):
    form = {**AGAIN, "repeat": "follow_up", "repeat_of": first.tracking_number}
    if case == "another phone":
        form["citizen_phone"] = "13900001111"
    elif case == "unknown number":
        form["repeat_of"] = "PS-20200101-000001"
    elif case == "refused":
        Demand.objects.filter(pk=first.pk).update(status=Status.TRIAGE)
        demand_reject(demand_id=first.pk, actor=district.users["dispatcher"], reason="不属于本区受理范围的事项。")
    else:
        form.update(title="小区停水没有通知", content="和平社区昨天起停水，事先没有任何通知。")
    events = first.events.count()
    response = Client().post("/", form)
    assert response.status_code == 200
    assert f"这次反映不能记入 {form['repeat_of']}" in response.content.decode()
    first.refresh_from_db()
    assert first.follow_up_count == 0 and first.events.count() == events and Demand.objects.count() == 1


def test_the_service_takes_the_callers_words_only(first):
    with pytest.raises(ValidationFailed, match="请把诉求内容写清楚"):
        demand_follow_up(
            tracking_number=first.tracking_number,
            citizen_name="张三",
            citizen_phone="13812345678",
            title="x",
            content="",
        )


def _api_body(**extra) -> dict:
    body = {k: v for k, v in AGAIN.items() if k != "consent"}
    return {**body, **extra}


def test_the_api_names_the_repeat_asks_when_told_to_and_takes_a_follow_up(first):
    api = APIClient()
    asked = api.post("/api/v1/citizen/demands/", _api_body(ask_if_repeat=True), format="json")
    assert asked.status_code == 409
    assert asked.json() == {
        "code": "repeat",
        "detail": f"你已反映过此事：{first.tracking_number}",
        "repeat_of": first.tracking_number,
    }
    assert Demand.objects.count() == 1
    followed = api.post("/api/v1/citizen/demands/", _api_body(follow_up_of=first.tracking_number), format="json")
    assert followed.status_code == 200
    assert followed.json() == {
        "tracking_number": first.tracking_number,
        "status": "dispatched",
        "repeat_of": first.tracking_number,
        "followed_up": True,
    }
    first.refresh_from_db()
    assert first.follow_up_count == 1 and first.events.get(action="follow_up").data["channel"] == "api"
    # A source system that knows nothing of repeats still gets its demand, told of the repeat.
    plain = api.post("/api/v1/citizen/demands/", _api_body(), format="json")
    assert plain.status_code == 201 and plain.json()["repeat_of"] == first.tracking_number
    assert Demand.objects.count() == 2
    refused = api.post(
        "/api/v1/citizen/demands/",
        _api_body(follow_up_of=first.tracking_number, citizen_phone="13900001111"),
        format="json",
    )
    assert refused.status_code == 400 and Demand.objects.count() == 2


def test_the_intake_operator_adds_a_repeat_call_as_a_follow_up(first, district):
    operator = logged_in(district.users["intake"])
    call = {**AGAIN, "channel": "hotline"}
    call.pop("consent")
    told = operator.post("/intake/", call)
    assert f"来电人已反映过此事：{first.tracking_number}" in _notice(told) and Demand.objects.count() == 1
    done = operator.post("/intake/", {**call, "repeat": "follow_up", "repeat_of": first.tracking_number}, follow=True)
    assert f"已作为催办记入 {first.tracking_number}（第 1 次）" in done.content.decode()
    event = Demand.objects.get().events.get(action="follow_up")
    assert (event.actor, event.data["channel"]) == (district.users["intake"], "hotline")
    registered = operator.post("/intake/", {**call, "repeat": "new"})
    assert "请把受理编号和查询码告知群众" in registered.content.decode() and Demand.objects.count() == 2
