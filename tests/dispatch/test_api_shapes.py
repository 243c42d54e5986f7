"""The API's one error body and its cursor pages."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from config.pagination import MAX_PAGE_SIZE
from demands.models import Demand
from departments.tokens import token_issue

LIST = "/api/v1/demands/"


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=user).key}")
    return client


def test_every_refusal_reads_code_and_detail(district):
    dispatcher = client_for(district.users["dispatcher"])
    refusals = {
        "not_authenticated": APIClient().get(LIST),
        "authentication_failed": APIClient(HTTP_AUTHORIZATION="Token no-such-token").get(LIST),
        "not_found": dispatcher.get("/api/v1/demands/PS-NOTHING/"),
        "method_not_allowed": dispatcher.delete(LIST),
    }
    for code, response in refusals.items():
        body = response.json()
        assert body["code"] == code and body["detail"], (code, body)
        assert "fields" not in body


def test_a_url_that_names_nothing_answers_the_same_body_under_the_api_only(district):
    dispatcher = client_for(district.users["dispatcher"])
    # -1 is no <int:> at all: Django's own 404, not the view's.
    response = dispatcher.post("/api/v1/assignments/-1/sign/", {}, format="json")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "没有找到。"}
    page = APIClient().get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_invalid_input_keeps_each_fields_messages_under_fields(district):
    response = APIClient().post("/api/v1/citizen/demands/", {"title": "", "content": "x"}, format="json")
    body = response.json()
    assert response.status_code == 400 and body["code"] == "invalid"
    assert body["detail"] == body["fields"]["title"][0]
    assert {"title", "citizen_name", "citizen_phone"} <= set(body["fields"])


def test_a_domain_refusal_keeps_what_it_carries(district):
    response = client_for(district.users["zjj"]).post("/api/v1/demands/PS-NOTHING/reject/", {"reason": "x"})
    assert response.status_code == 403 and response.json()["code"] == "not_allowed"


def test_throttled_says_when_to_come_back(district, settings):
    from config import throttle

    settings.CITIZEN_TRACK_RATE = "1/minute"
    throttle.local_windows.clear()
    answers = [
        APIClient().post("/api/v1/citizen/track/", {"tracking_number": "PS-X", "query_code": "Y"}, format="json")
        for _ in range(3)
    ]
    throttled = [a for a in answers if a.status_code == 429]
    assert throttled, [a.status_code for a in answers]
    body = throttled[0].json()
    assert body["code"] in ("throttled", "too_many") and body["detail"]


@pytest.fixture
def five_demands(submit):
    for n in range(5):
        submit(title=f"工地半夜施工噪音太大{n}号", citizen_phone=f"1381234567{n}")
    return list(Demand.objects.order_by("-submitted_at", "-pk").values_list("tracking_number", flat=True))


def test_lists_page_by_cursor_newest_first(district, five_demands):
    dispatcher = client_for(district.users["dispatcher"])
    seen: list[str] = []
    url: str | None = f"{LIST}?page_size=2"
    pages = 0
    while url:
        body = dispatcher.get(url).json()
        assert set(body) == {"next", "previous", "results"}
        assert len(body["results"]) <= 2
        seen += [row["tracking_number"] for row in body["results"]]
        url = body["next"]
        pages += 1
    assert seen == five_demands and pages == 3
    # A filter holds on every page.
    first = dispatcher.get(LIST, {"page_size": 1, "status": "dispatched"}).json()
    assert all(row["status"] == "dispatched" for row in first["results"])


def test_page_size_is_bounded(district, five_demands):
    from config.pagination import CursorPage

    assert CursorPage.max_page_size == MAX_PAGE_SIZE
    dispatcher = client_for(district.users["dispatcher"])
    assert len(dispatcher.get(LIST, {"page_size": MAX_PAGE_SIZE * 10}).json()["results"]) == 5
    assert dispatcher.get(LIST, {"cursor": "not-a-cursor"}).json()["code"] == "not_found"


def test_a_dispatch_officers_action_answers_the_demand_its_schema_documents(district):
    from demands.services import demand_submit
    from dispatch.api.outputs import StaffDemandOutput

    # Not routed (the test's transaction never commits): the dispatch centre places it by hand.
    demand = demand_submit(
        title="门口有件事", content="说不清归谁管", citizen_name="甲", citizen_phone="13100008888"
    ).demand
    Demand.objects.filter(pk=demand.pk).update(status="triage")
    response = client_for(district.users["dispatcher"]).post(
        f"/api/v1/demands/{demand.tracking_number}/dispatch/",
        {"department_id": district.departments["CGJ"].pk},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert set(response.json()) == set(StaffDemandOutput().fields)
    assert response.json()["status"] == "dispatched"


def test_a_file_operations_refusal_is_json_whatever_type_was_asked(district):
    auditor = client_for(district.users["auditor"])
    for kind in ("xlsx", "pdf"):
        response = auditor.get(f"/api/v1/assessment/reports/999/{kind}/", {"format": kind})
        assert response.status_code == 404 and response["Content-Type"] == "application/json"
        assert response.json()["code"] == "not_found"
