from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from demands.models import Demand
from demands.workflow import Status
from dispatch.models import Assignment, ReturnRequest


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def submitted(district, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for().post(
            "/api/v1/citizen/demands/",
            {
                "title": "路边有流动摊贩占道经营",
                "content": "坪山大道上每天傍晚都有小贩摆摊占道经营，堵塞人行道。",
                "citizen_name": "钱七",
                "citizen_phone": "13700001234",
            },
            format="json",
        )
    assert response.status_code == 201, response.content
    return response.json()


def test_citizen_submits_and_tracks_without_an_account(submitted):
    assert submitted["query_code"]
    response = client_for().post(
        "/api/v1/citizen/track/",
        {"tracking_number": submitted["tracking_number"], "query_code": submitted["query_code"]},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == Status.DISPATCHED
    assert [e["action"] for e in body["timeline"]] == ["submit", "auto_dispatch"]
    assert body["timeline"][1]["reason"] == ""  # the router's reasons are for staff
    assert "citizen_phone" not in body and "13700001234" not in response.content.decode()


def test_wrong_query_code_is_refused(submitted):
    response = client_for().post(
        "/api/v1/citizen/track/",
        {"tracking_number": submitted["tracking_number"], "query_code": "WRONGCODE"},
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"


def test_invalid_submission_names_the_fields(district):
    response = client_for().post("/api/v1/citizen/demands/", {"title": "", "content": "x"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert {"title", "citizen_name", "citizen_phone"} <= set(response.json()["fields"])
    assert Demand.objects.count() == 0


def test_department_journey_through_the_api(district, submitted):
    cgj = client_for(district.users["cgj"])
    inbox = cgj.get("/api/v1/assignments/").json()["results"]
    assert [a["tracking_number"] for a in inbox] == [submitted["tracking_number"]]
    assignment_id = inbox[0]["id"]
    assert cgj.post(f"/api/v1/assignments/{assignment_id}/sign/").json()["status"] == "signed"
    response = cgj.post(
        f"/api/v1/assignments/{assignment_id}/reply/", {"body": "已清理占道摊贩并加强巡查。"}, format="json"
    )
    assert response.status_code == 200, response.content
    rated = client_for().post(
        "/api/v1/citizen/rate/",
        {"tracking_number": submitted["tracking_number"], "query_code": submitted["query_code"], "rating": 4},
        format="json",
    )
    assert rated.json()["status"] == Status.CLOSED


def test_illegal_move_is_refused_with_the_reason(district, submitted):
    cgj = client_for(district.users["cgj"])
    assignment_id = cgj.get("/api/v1/assignments/").json()["results"][0]["id"]
    response = cgj.post(
        f"/api/v1/assignments/{assignment_id}/reply/", {"body": "还没签收就想答复群众。"}, format="json"
    )
    assert response.status_code == 409
    assert "签收" in response.json()["detail"]


def test_other_department_gets_404_and_sees_nothing(district, submitted):
    zjj = client_for(district.users["zjj"])
    assignment = Assignment.objects.get(demand__tracking_number=submitted["tracking_number"])
    assert zjj.post(f"/api/v1/assignments/{assignment.pk}/sign/").status_code == 404
    assert zjj.get("/api/v1/demands/").json()["results"] == []
    assert zjj.get(f"/api/v1/demands/{submitted['tracking_number']}/").status_code == 404


def test_staff_see_masked_contact(district, submitted):
    body = client_for(district.users["dispatcher"]).get(f"/api/v1/demands/{submitted['tracking_number']}/").json()
    assert body["citizen_phone"] == "137****1234"
    assert body["citizen_name"] == "钱*"
    # With what the citizen was texted, and whether it went; never the number.
    [receipt] = body["text_messages"]
    assert (receipt["kind"], receipt["status"], receipt["attempts"]) == ("submit", "sent", 1)
    assert submitted["tracking_number"] in receipt["body"] and "13700001234" not in str(body)
    assert body["wants_text_messages"] is True


def test_anonymous_staff_endpoints_are_closed(submitted):
    assert client_for().get("/api/v1/demands/").status_code in (401, 403)


def test_return_and_ruling_through_the_api(district, submitted):
    cgj = client_for(district.users["cgj"])
    assignment_id = cgj.get("/api/v1/assignments/").json()["results"][0]["id"]
    response = cgj.post(
        f"/api/v1/assignments/{assignment_id}/return/",
        {
            "reason_code": "not_ours",
            "reason": "属于街道管辖",
            "suggested_department_id": district.departments["PSJD"].pk,
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    request = ReturnRequest.objects.get()
    dispatcher = client_for(district.users["dispatcher"])
    ruled = dispatcher.post(
        f"/api/v1/returns/{request.pk}/rule/",
        {"uphold": True, "note": "属街道", "department_id": district.departments["PSJD"].pk},
        format="json",
    )
    assert ruled.status_code == 200, ruled.content
    assert ruled.json()["lead_department"] == district.departments["PSJD"].name
    # A department cannot rule on returns.
    assert (
        cgj.post(f"/api/v1/returns/{request.pk}/rule/", {"uphold": False, "note": "x"}, format="json").status_code
        == 403
    )


def test_dispatch_officer_actions(district, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        body = (
            client_for()
            .post(
                "/api/v1/citizen/demands/",
                {
                    "title": "咨询",
                    "content": "我想咨询一下孩子户口迁移的手续",
                    "citizen_name": "孙八",
                    "citizen_phone": "13600000000",
                },
                format="json",
            )
            .json()
        )
    number = body["tracking_number"]
    dispatcher = client_for(district.users["dispatcher"])
    assert len(dispatcher.get("/api/v1/demands/", {"status": "triage"}).json()["results"]) == 1
    response = dispatcher.post(
        f"/api/v1/demands/{number}/dispatch/", {"department_id": district.departments["CGJ"].pk}, format="json"
    )
    assert response.json()["status"] == Status.DISPATCHED
    # Rejecting a dispatched demand is not a legal move.
    refused = dispatcher.post(f"/api/v1/demands/{number}/reject/", {"reason": "不属于受理范围的事项"}, format="json")
    assert refused.status_code == 409


def test_openapi_schema_lists_every_operation(district):
    schema = client_for().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/assignments/{assignment_id}/sign/" in paths
    assert "/api/v1/citizen/demands/" in paths


def test_waiting_for_the_citizen_and_answering_a_supervision_through_the_api(district, submitted):
    from dispatch.services.escalation import sweep_deadlines

    cgj = client_for(district.users["cgj"])
    assignment_id = cgj.get("/api/v1/assignments/").json()["results"][0]["id"]
    cgj.post(f"/api/v1/assignments/{assignment_id}/sign/")
    asked = cgj.post(
        f"/api/v1/assignments/{assignment_id}/ask-citizen/", {"question": "请说明摊贩所在的具体路段"}, format="json"
    )
    assert asked.status_code == 200, asked.content
    citizen = {"tracking_number": submitted["tracking_number"], "query_code": submitted["query_code"]}
    answered = client_for().post(
        "/api/v1/citizen/supplement/", {**citizen, "answer": "坪山大道与东纵路交叉口"}, format="json"
    )
    assert answered.status_code == 200, answered.content
    assert answered.json()["timeline"][-1]["action"] == "citizen_supplement"
    again = client_for().post("/api/v1/citizen/supplement/", {**citizen, "answer": "再补充一次内容"}, format="json")
    assert again.status_code == 409

    assert cgj.post(f"/api/v1/assignments/{assignment_id}/supervision/", {"response": "x" * 12}).status_code == 409
    sweep_deadlines(now=Assignment.objects.get(pk=assignment_id).supervise_at)
    response = cgj.post(
        f"/api/v1/assignments/{assignment_id}/supervision/", {"response": "已联合街道清理，明日办结。"}, format="json"
    )
    assert response.status_code == 200, response.content


def test_the_dispatch_centre_reads_what_the_router_answered_and_departments_do_not(district, submitted):
    number = submitted["tracking_number"]
    body = client_for(district.users["dispatcher"]).get(f"/api/v1/demands/{number}/").json()
    routing = body["routing"]
    stored = Demand.objects.get(tracking_number=number).routing_results.get()
    assert routing["router_version"] == stored.router_version and routing["list_version"] == district.version.number
    assert routing["confidence"] == stored.confidence and routing["auto_dispatched"] == stored.auto_dispatched
    assert [c["department_name"] for c in routing["candidates"]] == [c["department_name"] for c in stored.candidates]
    assert all("reasons" in c and "similar_cases" in c for c in routing["candidates"])
    lead = Assignment.objects.get(demand__tracking_number=number, role="lead")
    handler = next(m.user for m in lead.department.memberships.all())
    assert client_for(handler).get(f"/api/v1/demands/{number}/").json()["routing"] is None
