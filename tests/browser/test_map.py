"""The public map: anyone opens /map/, sees the open and recently closed demands as points drawn
by Leaflet (served from this site, no inline script), and narrows them by state; the desk shows a
demand's place. No tiles are fetched: the tile URL is emptied, so the test needs no network."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from demands.models import Demand
from demands.services import demand_submit
from demands.workflow import Status
from tests.browser.pages import log_in, shot


def _demand(title: str, point: tuple[str, str]) -> Demand:
    return demand_submit(
        title=title,
        content=f"{title}，请尽快处理。我的电话13800001111。",
        citizen_name="郑十",
        citizen_phone="13800001111",
        location_text="坪山大道",
        point=(Decimal(point[0]), Decimal(point[1])),
    ).demand


def test_the_map_shows_demands_as_points_and_filters_them(new_context, settings):
    settings.MAP_TILE_URL = ""
    open_one = _demand("小区门口路灯不亮", ("22.665000", "114.350000"))
    closed = _demand("人行道地砖松动", ("22.725000", "114.390000"))
    Demand.objects.filter(pk=closed.pk).update(status=Status.CLOSED, closed_at=timezone.now() - timedelta(days=2))

    page = new_context().new_page()
    page.goto("/map/")
    expect(page.get_by_role("heading", level=1)).to_have_text("诉求地图")
    points = page.locator("#public-map .leaflet-overlay-pane path.map-point")
    expect(points).to_have_count(2)
    expect(page.locator("#map-count")).to_contain_text("2")
    shot(page, "map-public")

    page.get_by_label("状态").select_option("open")
    expect(points).to_have_count(1)
    page.get_by_label("状态").select_option("closed")
    expect(points).to_have_count(1)
    page.locator("#public-map path.map-point").click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("已办结")
    expect(popup).not_to_contain_text("郑十")
    page.get_by_label("状态").select_option("")
    expect(points).to_have_count(2)
    expect(page.locator("body")).not_to_contain_text("路灯")

    desk = new_context().new_page()
    log_in(desk, "dispatcher", "map")
    desk.goto(f"/desk/demands/{open_one.tracking_number}/")
    expect(desk.locator("#demand-place path.map-point")).to_have_count(1)
    # The community's outline is drawn around the point.
    expect(desk.locator("#demand-place .leaflet-overlay-pane path")).to_have_count(2)
    shot(desk, "map-desk")


def test_a_citizen_picks_the_place_on_the_forms_map(new_context, settings):
    settings.MAP_TILE_URL = ""
    page = new_context().new_page()
    page.goto("/")
    picker = page.locator("#pick-point")
    expect(picker).to_be_visible()
    box = picker.bounding_box()
    assert box is not None
    picker.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    latitude, longitude = page.get_by_label("纬度"), page.get_by_label("经度")
    expect(latitude).not_to_have_value("")
    # The map opens on the district, so its middle is inside it.
    assert 22.64 < float(latitude.input_value()) < 22.76
    assert 114.30 < float(longitude.input_value()) < 114.42
    expect(picker.locator(".leaflet-overlay-pane path.map-point")).to_have_count(1)
    shot(page, "map-pick-point")
