"""The territory over the API: the street passes down, the community lists and answers or sends up,
the street withdraws; a head assigns inside the bureau; refusals carry their reasons."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from dispatch.models import DelegationStatus
from tests.territory import build_territory, case_in_hand

ANSWER = "已到现场核实，社区网格员已协调物业清理，居民表示满意。"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def territory(district):
    return build_territory(district)


@pytest.fixture
def street_case(submit, district, territory):
    return case_in_hand(submit, district)


def test_down_and_up_through_the_api(district, territory, street_case):
    street = client_for(district.users["psjd"])
    response = street.post(
        f"/api/v1/assignments/{street_case.pk}/delegate/",
        {"community": territory.stations["六和"].pk, "note": "请核实"},
        format="json",
    )
    assert response.status_code == 201, response.content
    delegation = response.json()
    assert delegation["status"] == "open" and delegation["holder"] == "六和社区"
    assert delegation["tracking_number"] == street_case.demand.tracking_number

    community = client_for(territory.users["liuhe"])
    listed = community.get("/api/v1/delegations/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [row["id"] for row in rows] == [delegation["id"]]
    assert client_for(territory.users["heping"]).get("/api/v1/delegations/").json() == {
        "next": None,
        "previous": None,
        "results": [],
    }
    # Another community's staff get a 404; a short answer is refused with the reason.
    other = client_for(territory.users["heping"]).post(
        f"/api/v1/delegations/{delegation['id']}/answer/", {"body": ANSWER}, format="json"
    )
    assert other.status_code == 404
    short = community.post(f"/api/v1/delegations/{delegation['id']}/answer/", {"body": "好"}, format="json")
    assert short.status_code == 400
    answered = community.post(f"/api/v1/delegations/{delegation['id']}/answer/", {"body": ANSWER}, format="json")
    assert answered.status_code == 200 and answered.json()["status"] == DelegationStatus.ANSWERED
    assert answered.json()["answer"] == ANSWER


def test_send_up_and_withdraw_through_the_api(district, territory, street_case):
    street = client_for(district.users["psjd"])
    first = street.post(
        f"/api/v1/assignments/{street_case.pk}/delegate/", {"community": territory.stations["和平"].pk}, format="json"
    ).json()
    withdrawn = street.post(f"/api/v1/delegations/{first['id']}/withdraw/", {"reason": "自行处理"}, format="json")
    assert withdrawn.json()["status"] == DelegationStatus.WITHDRAWN
    second = street.post(
        f"/api/v1/assignments/{street_case.pk}/delegate/", {"community": territory.stations["六和"].pk}, format="json"
    ).json()
    sent = client_for(territory.users["liuhe"]).post(
        f"/api/v1/delegations/{second['id']}/send-up/", {"reason": "涉及执法，社区无权处理"}, format="json"
    )
    assert sent.json()["status"] == DelegationStatus.SENT_UP
    # Another street's community is refused with the reason.
    refused = street.post(
        f"/api/v1/assignments/{street_case.pk}/delegate/", {"community": territory.stations["秀新"].pk}, format="json"
    )
    assert refused.status_code == 400 and "本街道" in refused.content.decode()


def test_only_a_street_delegates_and_only_a_head_assigns(submit, district, territory):
    case = case_in_hand(submit, district, "ZJJ", "zjj")
    handler = client_for(district.users["zjj"])
    refused = handler.post(
        f"/api/v1/assignments/{case.pk}/delegate/", {"community": territory.stations["六和"].pk}, format="json"
    )
    assert refused.status_code == 403 and "街道办事处" in refused.content.decode()
    refused = handler.post(
        f"/api/v1/assignments/{case.pk}/internal-assign/", {"user": territory.users["zjj_two"].pk}, format="json"
    )
    assert refused.status_code == 403
    head = client_for(territory.users["zjj_head"])
    given = head.post(
        f"/api/v1/assignments/{case.pk}/internal-assign/", {"section": territory.section.pk}, format="json"
    )
    assert given.status_code == 201 and given.json()["to_department"] == territory.section.name
    rows = client_for(territory.users["jianguan"]).get("/api/v1/delegations/").json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    assert len(rows) == 1 and rows[0]["kind"] == "internal"


def test_the_demand_in_the_api_lists_its_delegations(district, territory, street_case):
    street = client_for(district.users["psjd"])
    street.post(
        f"/api/v1/assignments/{street_case.pk}/delegate/", {"community": territory.stations["六和"].pk}, format="json"
    )
    for reader in (district.users["psjd"], district.users["dispatcher"]):
        detail = client_for(reader).get(f"/api/v1/demands/{street_case.demand.tracking_number}/").json()
        assert [(d["kind"], d["holder"], d["status"]) for d in detail["delegations"]] == [("down", "六和社区", "open")]
