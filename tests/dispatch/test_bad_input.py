"""The server errors the probe found, each answered now with a clear refusal (the walk over every
URL in tests/test_no_server_errors.py looks for the rest)."""

from __future__ import annotations

import html

from django.test import Client

from demands.models import Demand
from dispatch.models import Assignment
from tests.citizens import FORM
from tests.staff import logged_in


def test_deeply_nested_json_is_a_bad_request(district):
    for body in ("[" * 10_000 + "]" * 10_000, '{"a": ' * 10_000 + "1" + "}" * 10_000):
        response = Client().post("/api/v1/citizen/demands/", body, content_type="application/json")
        assert response.status_code == 400
        assert "JSON 嵌套超过 20 层" in response.json()["detail"]


def test_ordinary_json_still_parses(district, django_capture_on_commit_callbacks):
    fields = {k: v for k, v in FORM.items() if k != "consent"}
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            "/api/v1/citizen/demands/", {**fields, "title": "带括号[的]{标题}"}, content_type="application/json"
        )
    assert response.status_code == 201
    assert Demand.objects.get().title == "带括号[的]{标题}"


def test_nul_in_query_parameters_and_form_fields_is_refused(district, submit):
    staff = logged_in(district.users["dispatcher"])
    demand = submit().demand
    for url in ("/desk/?q=a%00b", "/desk/find/?q=%00", "/api/v1/demands/?street=P%00S", "/list/v1/?q=%00"):
        response = staff.get(url)
        assert response.status_code == 400, url
        text = response.json()["detail"] if url.startswith("/api/") else html.unescape(response.content.decode())
        assert "空字符（NUL）" in text, url
    refused = staff.post(f"/desk/demands/{demand.tracking_number}/reject/", {"reason": "不属于\x00受理范围"})
    assert refused.status_code == 400
    assert Client().get(f"/track/{demand.tracking_number}%00/").status_code == 400
    demand.refresh_from_db()
    assert demand.status != "rejected"


def test_a_cookie_holding_nul_is_read_as_absent(district):
    """A forged session id with NUL in it failed the session's query on PostgreSQL (a server
    error on every page and API call); it is now no session at all."""
    forged = {"HTTP_COOKIE": "sessionid=abcdefghij\x00klmnopqrst"}  # as sent, not quoted by a cookie jar
    client = Client()
    assert client.get("/workbench/", **forged).status_code == 302  # to sign-in, as with no session
    assert client.get("/api/v1/assignments/", **forged).status_code in (401, 403)
    assert client.get("/", **forged).status_code == 200


def test_an_audit_period_out_of_range_is_refused_with_the_field(district):
    from departments.models import Membership, Role
    from tests.factories import make_user

    auditor = make_user("auditor2")
    Membership.objects.create(user=auditor, department=district.departments["ZXZX"], role=Role.AUDITOR)
    client = logged_in(auditor)
    for query in ("date_from=9999-12-31", "date_to=9999-12-31", "date_from=0001-01-01&date_to=0001-01-02"):
        page = client.get(f"/audit/?{query}")
        assert page.status_code == 200, query
        assert "日期须在 2000-01-01 至 2099-12-31 之间。" in html.unescape(page.content.decode()), query
        export = client.get(f"/audit/export/demands.csv?{query}")
        assert export.status_code < 500, query
    for query in (f"department={10**30}", f"street={10**30}"):
        assert client.get(f"/audit/?{query}").status_code == 200, query
        assert client.get(f"/audit/export/demands.csv?{query}").status_code < 500, query


def test_ids_that_do_not_exist_are_not_found(district, submit):
    dispatcher = logged_in(district.users["dispatcher"])
    for url, body in (
        ("/api/v1/assignments/999999/release/", {"reason": "不再需要协办"}),
        ("/api/v1/returns/999999/rule/", {"uphold": True, "note": "维持"}),
        ("/api/v1/extensions/999999/decide/", {"approve": True}),
        (f"/api/v1/assignments/{10**30}/release/", {"reason": "不再需要协办"}),
    ):
        response = dispatcher.post(url, body, content_type="application/json")
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found", url
    assert (
        "不存在"
        in dispatcher.post(
            "/api/v1/assignments/999999/release/", {"reason": "不再需要"}, content_type="application/json"
        ).json()["detail"]
    )

    lead = Assignment.objects.get(demand=submit().demand, role="lead")
    huge = str(10**30)
    response = dispatcher.post("/desk/duplicates/decide/", {"original": huge, "shown": [huge], "decision": "merge"})
    assert response.status_code == 302
    assert dispatcher.get(f"/list/v1/?category={huge}").status_code == 200
    lead.refresh_from_db()
    assert lead.status == "pending_sign"


def test_a_next_address_that_is_not_a_path_leads_back_to_the_desk(district):
    dispatcher = logged_in(district.users["dispatcher"])
    for target in ("9999-12-31", "desk", "https://elsewhere.example/"):
        response = dispatcher.post("/desk/duplicates/decide/", {"original": "x", "next": target})
        assert response.status_code == 302, target
        assert response["Location"] == "/desk/", target
    back = dispatcher.post("/desk/duplicates/decide/", {"original": "x", "next": "/desk/?queue=triage"})
    assert back["Location"] == "/desk/?queue=triage"


def test_an_empty_post_past_the_limit_is_told_to_wait(district, settings):
    # The form was left unbound by an empty body, and the refusal added to it crashed.
    # An empty body names no phone: the address's own ceiling is the limit it meets.
    settings.CITIZEN_CODE_THROTTLE_RATE = settings.CITIZEN_SUBMIT_ADDRESS_RATE = "1/hour"
    client = Client()
    client.post("/track/phone/", {"phone": "13812345678"})
    client.post("/", FORM)
    for url in ("/track/phone/", "/"):
        response = client.post(url)
        assert response.status_code == 429, url
        assert "过于频繁" in html.unescape(response.content.decode()), url


def test_the_token_endpoint_parses_json_with_the_same_limits(district):
    response = Client().post("/api/v1/auth/token/", "[" * 10_000 + "]" * 10_000, content_type="application/json")
    assert response.status_code == 400
    ok = Client().post(
        "/api/v1/auth/token/",
        {"username": "dispatcher", "password": "pw-for-tests-only"},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["token"]
