"""Places (issue 25, part 5): a point given with a demand places it in the community and street
whose outlines hold it (the API, Open311), the address text still places it when the point is
outside them all, and the public map's points carry nothing personal and only open and recently
closed demands."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from demands.models import Channel, Demand, DemandType
from demands.services import demand_submit
from demands.sources import source_system_register
from demands.workflow import Status
from departments.geometry import rectangle
from tests.citizens import FORM, post_demand
from tests.staff import logged_in

SUBMIT = "/api/v1/citizen/demands/"
STALLS = {
    "title": "路边有流动摊贩占道经营",
    "content": "坪山大道上每天傍晚都有小贩摆摊占道经营，堵塞人行道。",
    "citizen_name": "钱七",
    "citizen_phone": "13700001234",
    "citizen_address": "坪山街道六和城3栋",
}
# Inside 秀新社区 as drawn below, in 坑梓街道, while the text names 坪山大道 in 坪山街道.
IN_XIUXIN = ("22.745000", "114.395000")
OUTSIDE = ("22.500000", "114.100000")


def box(west: float, south: float, east: float, north: float) -> dict:
    return {"type": "Polygon", "coordinates": [rectangle(west, south, east, north)]}


@pytest.fixture
def drawn(district):
    """The test district with outlines: 坪山街道 in the south, 坑梓街道 in the north."""
    ps, kz = district.streets["PSJD"], district.streets["KZJD"]
    ps.boundary = box(114.30, 22.64, 114.42, 22.70)
    ps.save()
    kz.boundary = box(114.30, 22.70, 114.42, 22.76)
    kz.save()
    for name, outline in {
        "六和社区": box(114.30, 22.64, 114.36, 22.70),
        "和平社区": box(114.36, 22.64, 114.42, 22.70),
        "秀新社区": box(114.36, 22.70, 114.42, 22.76),
        "金沙社区": box(114.30, 22.70, 114.36, 22.76),
    }.items():
        community = district.communities[name]
        community.boundary = outline
        community.save()
    return district


def submit_with_point(callbacks, point, **extra):
    with callbacks(execute=True):
        response = APIClient().post(
            SUBMIT, {**STALLS, "latitude": point[0], "longitude": point[1], **extra}, format="json"
        )
    assert response.status_code == 201, response.content
    return Demand.objects.get(tracking_number=response.json()["tracking_number"])


@pytest.mark.django_db
def test_a_point_from_the_api_places_the_demand_over_its_text(drawn, django_capture_on_commit_callbacks):
    demand = submit_with_point(django_capture_on_commit_callbacks, IN_XIUXIN)
    assert (demand.latitude, demand.longitude) == (Decimal("22.745000"), Decimal("114.395000"))
    # Routing kept the place the point gave, not the 坪山大道 the text names.
    assert demand.community == drawn.communities["秀新社区"]
    assert demand.street.code == "KZJD"
    assert demand.routing_results.get().resolved_location["community_id"] == drawn.communities["秀新社区"].pk


@pytest.mark.django_db
def test_a_point_outside_every_outline_leaves_the_text_to_place_it(drawn, django_capture_on_commit_callbacks):
    demand = submit_with_point(django_capture_on_commit_callbacks, OUTSIDE)
    assert demand.latitude == Decimal("22.500000")
    assert demand.community is None and demand.street.code == "PSJD"  # 坪山大道, from the text


@pytest.mark.django_db
def test_a_picked_community_outranks_the_point(drawn, django_capture_on_commit_callbacks):
    picked = drawn.communities["和平社区"]
    demand = submit_with_point(django_capture_on_commit_callbacks, IN_XIUXIN, community_id=picked.pk)
    assert demand.community == picked


@pytest.mark.django_db
def test_half_a_point_or_one_out_of_range_is_refused(drawn):
    half = APIClient().post(SUBMIT, {**STALLS, "latitude": "22.7"}, format="json")
    assert half.status_code == 400 and "同时提供" in half.content.decode()
    far = APIClient().post(SUBMIT, {**STALLS, "latitude": "122.7", "longitude": "114.3"}, format="json")
    assert far.status_code == 400
    assert not Demand.objects.exists()


@pytest.mark.django_db
def test_open311_lat_long_place_the_demand(drawn, django_capture_on_commit_callbacks):
    key = source_system_register(name="i坪山", channel=Channel.APP).key
    with django_capture_on_commit_callbacks(execute=True):
        created = APIClient().post(
            "/open311/v2/requests.json",
            {
                "api_key": key,
                "service_code": "PS-0201-001",
                "description": "工地每天半夜施工打桩，吵得无法入睡。",
                "last_name": "王",
                "first_name": "小明",
                "phone": "13800138000",
                "lat": IN_XIUXIN[0],
                "long": IN_XIUXIN[1],
            },
        )
    assert created.status_code == 201, created.content
    demand = Demand.objects.get(tracking_number=created.json()[0]["service_request_id"])
    assert (demand.community, demand.street.code) == (drawn.communities["秀新社区"], "KZJD")


def _demand(point, **changes) -> Demand:
    demand = demand_submit(
        title="井盖破损",
        content="秀新村路口的井盖破损，晚上看不见很危险。电话13900001111",
        citizen_name="孙八",
        citizen_phone="13900001111",
        citizen_address="秀新村5号",
        location_text="秀新村路口",
        point=(Decimal(point[0]), Decimal(point[1])),
    ).demand
    if changes:
        Demand.objects.filter(pk=demand.pk).update(**changes)
    return demand


@pytest.mark.django_db
def test_the_map_shows_open_and_recently_closed_demands_with_nothing_personal(drawn):
    now = timezone.now()
    open_one = _demand(("22.745123", "114.395678"))
    closed_lately = _demand(("22.680000", "114.380000"), status=Status.CLOSED, closed_at=now - timedelta(days=3))
    _demand(("22.680000", "114.380000"), status=Status.CLOSED, closed_at=now - timedelta(days=45))
    _demand(("22.680000", "114.380000"), status=Status.REJECTED, closed_at=now - timedelta(days=1))
    _demand(("22.680000", "114.380000"), demand_type=DemandType.REPORT)  # 举报 stays off the map
    demand_submit(title="没有坐标", content="路灯不亮了", citizen_name="周九", citizen_phone="13900002222")

    response = Client().get("/map/points.geojson")
    assert response.status_code == 200 and response["Content-Type"] == "application/geo+json"
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    features = collection["features"]
    assert len(features) == 2
    first, second = features
    assert first["geometry"] == {"type": "Point", "coordinates": [114.396, 22.745]}  # rounded to ~100 m
    assert first["properties"] == {
        "category": "未分类",
        "status": "open",
        "status_label": "已提交",
        "date": timezone.localdate(open_one.submitted_at).isoformat(),
        "community": "秀新社区",
    }
    assert (second["properties"]["status"], second["properties"]["status_label"]) == ("closed", "已办结")
    assert second["properties"]["date"] == timezone.localdate(closed_lately.submitted_at).isoformat()
    body = response.content.decode()
    for personal in ("孙八", "13900001111", "秀新村", "井盖", open_one.tracking_number):
        assert personal not in body


@pytest.mark.django_db
def test_the_map_names_the_top_category_of_the_routed_matter(drawn, django_capture_on_commit_callbacks):
    demand = submit_with_point(django_capture_on_commit_callbacks, IN_XIUXIN)
    demand.refresh_from_db()
    assert demand.matter is not None
    top = demand.matter.category.parent or demand.matter.category
    (feature,) = Client().get("/map/points.geojson").json()["features"]
    assert feature["properties"]["category"] == top.name


@pytest.mark.django_db
def test_the_public_map_page_loads_leaflet_from_this_site(drawn):
    page = Client().get("/map/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/vendor/leaflet/leaflet.js" in html and "/static/js/maps.js" in html
    assert 'data-tile-url="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in html
    assert "data-outlines=" in html and "坪山街道" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html, re.IGNORECASE)  # the CSP allows none


@pytest.mark.django_db
def test_the_desk_shows_a_demands_place_with_its_community_outline(drawn, django_capture_on_commit_callbacks):
    demand = submit_with_point(django_capture_on_commit_callbacks, IN_XIUXIN)
    page = logged_in(drawn.users["dispatcher"]).get(f"/desk/demands/{demand.tracking_number}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="demand-place" data-place="{&quot;point&quot;' in html and "/static/vendor/leaflet/leaflet.js" in html
    place = page.context["place"]
    assert place["point"] == [114.395, 22.745]
    assert place["outline"] == drawn.communities["秀新社区"].boundary
    staff_api = APIClient()
    staff_api.force_authenticate(drawn.users["dispatcher"])
    body = staff_api.get(f"/api/v1/demands/{demand.tracking_number}/").json()
    assert (body["latitude"], body["longitude"], body["community"]) == ("22.745000", "114.395000", "秀新社区")


@pytest.mark.django_db
def test_the_desk_draws_no_map_without_a_point(district, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        demand = demand_submit(
            title="路灯不亮", content="坪山大道路灯不亮", citizen_name="周九", citizen_phone="13900002222"
        ).demand
    html = logged_in(district.users["dispatcher"]).get(f"/desk/demands/{demand.tracking_number}/").content.decode()
    assert "leaflet" not in html


@pytest.mark.django_db
def test_the_web_form_takes_a_point_that_places_the_demand(drawn, django_capture_on_commit_callbacks):
    demand = post_demand(Client(), django_capture_on_commit_callbacks, latitude=IN_XIUXIN[0], longitude=IN_XIUXIN[1])
    assert (demand.latitude, demand.longitude) == (Decimal("22.745000"), Decimal("114.395000"))
    assert demand.community == drawn.communities["秀新社区"]  # not 六和社区, which the text names


@pytest.mark.django_db
def test_the_web_form_works_without_a_point_and_refuses_half_of_one(drawn, django_capture_on_commit_callbacks):
    demand = post_demand(Client(), django_capture_on_commit_callbacks)
    assert demand.latitude is None and demand.community == drawn.communities["六和社区"]
    page = Client().get("/")
    html = page.content.decode()
    assert "data-pick-point" in html and " hidden " in html and "data-tile-url=" in html
    refused = Client().post("/", {**FORM, "latitude": "22.7"})
    assert refused.status_code == 200
    assert "纬度和经度须同时提供" in refused.content.decode()
