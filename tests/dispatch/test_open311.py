"""Open311 GeoReport v2 at /open311/v2/: an existing client (the `georeport` package) lists the
services, reads the requests and follows one it created; every answer validates against the
specification's schemas (tests/open311_schemas), in JSON and in XML; nothing personal leaves."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest
import requests
import xmltodict
from django.utils import timezone
from georeport import GeoReport
from rest_framework.test import APIClient

from demands.models import Channel, Demand
from demands.services import demand_submit
from demands.sources import source_system_register
from demands.workflow import Status
from dispatch.open311 import views
from tests.factories import build_district

SCHEMAS = Path(__file__).resolve().parents[1] / "open311_schemas"
NOISE = {
    "service_code": "PS-0201-001",
    "description": "六和城旁边的工地每天半夜施工打桩，吵得无法入睡，我的电话13800138000。",
    "last_name": "王",
    "first_name": "小明",
    "phone": "13800138000",
    "lat": "22.708123",
    "long": "114.346789",
    "address_string": "坪山街道六和城",
    "attribute[demand_type]": "complaint",
    "media_url": "https://img.example.cn/p/1.jpg",
}


def valid(name: str, answer) -> None:
    jsonschema.validate(answer, json.loads((SCHEMAS / f"{name}.json").read_text()))


@pytest.fixture
def app_key(district) -> str:
    return source_system_register(name="i坪山", channel=Channel.APP).key


def create(client: APIClient, key: str, callbacks, **changes):
    with callbacks(execute=True):
        return client.post("/open311/v2/requests.json", {**NOISE, "api_key": key, **changes})


@pytest.mark.django_db(transaction=True)
def test_an_existing_client_lists_creates_and_follows_a_request(live_server):
    build_district()
    key = source_system_register(name="市12345平台", channel=Channel.CITY_PLATFORM).key
    root = f"{live_server.url}/open311/v2"
    client = GeoReport(root)

    services = client.get_service_list()
    valid("services", services)
    assert {s["service_code"] for s in services} == {"PS-0101-001", "PS-0201-001", "PS-0101-002"}
    definition = client.get_service_definition("PS-0201-001")
    valid("service-definition", definition)
    assert {a["code"] for a in definition["attributes"]} == {"demand_type", "urgency"}

    # The package reads only; it posts as the specification says: a form with the api_key.
    created = requests.post(f"{root}/requests.json", data={**NOISE, "api_key": key}, timeout=30)
    assert created.status_code == 201, created.text
    valid("post-response", created.json())
    number = created.json()[0]["service_request_id"]

    one = client.get_service_request(number)
    valid("requests", [one])
    assert (one["service_request_id"], one["status"], one["service_code"]) == (number, "open", "PS-0201-001")
    assert one["agency_responsible"] == "坪山区住房和建设局"  # the list's lead for construction noise
    assert (one["lat"], one["long"]) == (22.708123, 114.346789)
    listed = client.get_service_requests(status="open")
    valid("requests", listed)
    assert [r["service_request_id"] for r in listed] == [number]

    in_xml = GeoReport(root, output_format="xml")
    assert in_xml.get_service_request(number)["service_request_id"] == number
    assert len(in_xml.get_service_list()) == 3
    demand = Demand.objects.get(tracking_number=number)
    assert (demand.channel, demand.source_system.name) == (Channel.CITY_PLATFORM, "市12345平台")


@pytest.mark.django_db
def test_an_answer_shows_the_place_and_the_department_never_the_citizen(app_key, django_capture_on_commit_callbacks):
    number = create(APIClient(), app_key, django_capture_on_commit_callbacks).json()[0]["service_request_id"]
    demand = Demand.objects.get(tracking_number=number)
    public = APIClient().get(f"/open311/v2/requests/{number}.json")
    (request,) = public.json()
    # The public reads no citizen's words, no photo and no address as given: the community at most.
    assert "王小明" not in public.content.decode() and "六和城" not in public.content.decode()
    assert (request["description"], request["media_url"]) == (None, None)
    assert request["expected_datetime"] == timezone.localtime(demand.due_at).isoformat(timespec="seconds")
    # The system that sent it reads its description, numbers masked, and what it gave.
    (own,) = APIClient().get(f"/open311/v2/requests/{number}.json", {"api_key": app_key}).json()
    assert "13800138000" not in own["description"] and "*******8000" in own["description"]
    assert own["address"] == "坪山街道六和城" and own["media_url"] == NOISE["media_url"]
    other = source_system_register(name="另一个应用", channel=Channel.APP).key
    (theirs,) = APIClient().get(f"/open311/v2/requests/{number}.json", {"api_key": other}).json()
    assert theirs["description"] is None
    assert (demand.demand_type, demand.requested_service_code) == ("complaint", "PS-0201-001")


@pytest.mark.django_db
def test_refusals_are_the_specifications_error_list(app_key, django_capture_on_commit_callbacks):
    client = APIClient()
    cases = {
        "no key": (client.post("/open311/v2/requests.json", NOISE), 403),
        "bad key": (client.post("/open311/v2/requests.json", {**NOISE, "api_key": "nope"}), 403),
        "unknown service": (create(client, app_key, django_capture_on_commit_callbacks, service_code="X-1"), 400),
        "no place": (
            create(client, app_key, django_capture_on_commit_callbacks, lat="", long="", address_string=""),
            400,
        ),
        "no phone": (create(client, app_key, django_capture_on_commit_callbacks, phone=""), 400),
        "other jurisdiction": (client.get("/open311/v2/services.json", {"jurisdiction_id": "futian"}), 404),
        "unknown request": (client.get("/open311/v2/requests/PS-1.json"), 404),
        "no such token": (client.get("/open311/v2/tokens/abc.json"), 404),
        "too wide": (
            client.get(
                "/open311/v2/requests.json", {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}
            ),
            400,
        ),
    }
    for name, (response, status) in cases.items():
        assert response.status_code == status, name
        valid("errors", response.json())
        assert response.json()[0]["code"] == status, name
    assert Demand.objects.count() == 0

    in_xml = client.get("/open311/v2/requests/PS-1.xml")
    assert in_xml["Content-Type"].startswith("text/xml")
    assert xmltodict.parse(in_xml.content)["errors"]["error"]["code"] == "404"


@pytest.mark.django_db
def test_requests_are_filtered_windowed_and_paged(district, django_capture_on_commit_callbacks, monkeypatch):
    def submitted(title: str, days_ago: int) -> Demand:
        demand = demand_submit(
            title=title, content=f"{title}，请尽快处理。", citizen_name="甲", citizen_phone="13800000000"
        ).demand
        Demand.objects.filter(pk=demand.pk).update(submitted_at=timezone.now() - timedelta(days=days_ago))
        return demand

    old, recent, closed = submitted("三个月前的事", 120), submitted("上周的事", 7), submitted("已办结的事", 3)
    Demand.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    client = APIClient()

    def numbers(**params) -> list[str]:
        response = client.get("/open311/v2/requests.json", params)
        valid("requests", response.json())
        return [r["service_request_id"] for r in response.json()]

    assert numbers() == [closed.tracking_number, recent.tracking_number]  # the last 90 days, newest first
    assert numbers(status="closed") == [closed.tracking_number]
    assert numbers(status="open") == [recent.tracking_number]
    since = (timezone.now() - timedelta(days=130)).isoformat()
    assert numbers(start_date=since) == [old.tracking_number]  # 90 days from the start
    assert numbers(service_request_id=f"{old.tracking_number},{closed.tracking_number}", status="open") == [
        closed.tracking_number,
        old.tracking_number,
    ]

    monkeypatch.setattr(views, "PAGE_ROWS", 1)
    first = client.get("/open311/v2/requests.json")
    assert len(first.json()) == 1 and 'rel="next"' in first["Link"] and "page=2" in first["Link"]
    last = client.get("/open311/v2/requests.json", {"page": 2})
    assert len(last.json()) == 1 and "Link" not in last


@pytest.mark.django_db
def test_discovery_and_xml_follow_the_specification(district):
    client = APIClient()
    discovery = client.get("/open311/v2/discovery.json").json()
    valid("discovery", discovery)
    assert discovery["endpoints"][0]["url"].endswith("/open311/v2")
    services = xmltodict.parse(client.get("/open311/v2/services.xml").content)["services"]["service"]
    assert {s["service_code"] for s in services} == {"PS-0101-001", "PS-0201-001", "PS-0101-002"}
    assert {s["metadata"] for s in services} == {"true"}
    definition = xmltodict.parse(client.get("/open311/v2/services/PS-0101-001.xml").content)["service_definition"]
    assert [a["code"] for a in definition["attributes"]["attribute"]] == ["demand_type", "urgency"]


@pytest.mark.django_db
def test_a_retried_post_with_an_idempotency_key_is_one_demand(app_key, django_capture_on_commit_callbacks):
    client = APIClient()
    answers = [
        client.post("/open311/v2/requests.json", {**NOISE, "api_key": app_key}, HTTP_IDEMPOTENCY_KEY="p-1")
        for _ in range(2)
    ]
    assert [a.status_code for a in answers] == [201, 201] and answers[0].json() == answers[1].json()
    assert Demand.objects.count() == 1
