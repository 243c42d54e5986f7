"""Territory outlines: GeoJSON checked on the way in, and points placed by ray casting, holes and
MultiPolygons included, cached and cleared when an outline changes."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from departments.geometry import contains, polygons_of, rectangle, validate_boundary
from departments.models import Community, Street
from departments.selectors import resolve_point

SQUARE = {"type": "Polygon", "coordinates": [rectangle(114.30, 22.64, 114.40, 22.74)]}
# The square with a smaller square cut out of its middle (a park that is another territory).
WITH_HOLE = {
    "type": "Polygon",
    "coordinates": [rectangle(114.30, 22.64, 114.40, 22.74), rectangle(114.34, 22.68, 114.36, 22.70)],
}
TWO_ISLANDS = {
    "type": "MultiPolygon",
    "coordinates": [[rectangle(114.30, 22.64, 114.32, 22.66)], [rectangle(114.40, 22.70, 114.42, 22.72)]],
}
# A triangle: the bounding box alone would take points it does not hold.
TRIANGLE = {"type": "Polygon", "coordinates": [[[114.30, 22.64], [114.40, 22.64], [114.30, 22.74], [114.30, 22.64]]]}


def test_a_point_inside_and_outside_a_polygon():
    assert contains(SQUARE, 114.35, 22.69)
    assert not contains(SQUARE, 114.45, 22.69)
    assert not contains(SQUARE, 114.35, 22.80)


def test_a_point_in_a_hole_is_outside():
    assert not contains(WITH_HOLE, 114.35, 22.69)
    assert contains(WITH_HOLE, 114.31, 22.65)


def test_a_multipolygon_holds_the_points_of_each_part():
    assert contains(TWO_ISLANDS, 114.31, 22.65)
    assert contains(TWO_ISLANDS, 114.41, 22.71)
    assert not contains(TWO_ISLANDS, 114.36, 22.68)  # between the islands, inside their bounding box


def test_a_concave_side_is_followed_not_the_bounding_box():
    assert contains(TRIANGLE, 114.31, 22.65)
    assert not contains(TRIANGLE, 114.39, 22.73)


@pytest.mark.parametrize(
    ("geometry", "reason"),
    [
        ({"type": "Point", "coordinates": [114.3, 22.6]}, "Polygon"),
        (
            {"type": "Polygon", "coordinates": [[[114.30, 22.64], [114.40, 22.64], [114.40, 22.74], [114.30, 22.74]]]},
            "闭合",
        ),
        ({"type": "Polygon", "coordinates": [[[114.30, 22.64], [114.40, 22.64], [114.30, 22.64]]]}, "4个点"),
        # Latitude first: 114 is no latitude.
        (
            {"type": "Polygon", "coordinates": [[[22.64, 114.30], [22.64, 114.40], [22.74, 114.40], [22.64, 114.30]]]},
            "经度在前",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [[[114.30, "22.64"], [114.40, 22.64], [114.40, 22.74], [114.30, 22.64]]],
            },
            "两个数",
        ),
        ({"type": "MultiPolygon", "coordinates": []}, "没有坐标"),
    ],
)
def test_a_bad_outline_is_refused_with_a_reason(geometry, reason):
    with pytest.raises(ValidationError, match=reason):
        polygons_of(geometry)


def test_no_outline_is_allowed():
    validate_boundary(None)


@pytest.mark.django_db
def test_saving_a_street_with_a_bad_outline_is_refused():
    with pytest.raises(ValidationError):
        Street.objects.create(code="X", name="某街道", boundary={"type": "Polygon", "coordinates": [[[1, 2], [3, 4]]]})
    assert not Street.objects.exists()


@pytest.mark.django_db
def test_a_point_resolves_to_its_community_and_street_and_follows_changes():
    west = Street.objects.create(
        code="W", name="西街道", boundary={"type": "Polygon", "coordinates": [rectangle(114.30, 22.64, 114.36, 22.76)]}
    )
    east = Street.objects.create(
        code="E", name="东街道", boundary={"type": "Polygon", "coordinates": [rectangle(114.36, 22.64, 114.42, 22.76)]}
    )
    north = Community.objects.create(
        street=west,
        code="W-1",
        name="北社区",
        boundary={"type": "Polygon", "coordinates": [rectangle(114.30, 22.70, 114.36, 22.76)]},
    )
    Community.objects.create(street=east, code="E-1", name="东社区")  # not drawn yet

    assert resolve_point(22.72, 114.33).community_id == north.pk
    assert resolve_point(22.72, 114.33).street_id == west.pk
    # A point in a street whose community is not drawn is placed in the street only.
    assert (resolve_point(22.66, 114.40).street_id, resolve_point(22.66, 114.40).community_id) == (east.pk, None)
    assert resolve_point(22.50, 114.10).street_id is None

    # The cache is dropped when an outline is saved: the change counts at once.
    north.boundary = {"type": "Polygon", "coordinates": [rectangle(114.30, 22.64, 114.36, 22.70)]}
    north.save()
    assert resolve_point(22.72, 114.33).community_id is None
    assert resolve_point(22.66, 114.33).community_id == north.pk


@pytest.mark.django_db
def test_the_admin_refuses_an_open_ring_saying_why(admin_client):
    street = Street.objects.create(code="W", name="西街道")
    ring = [[114.30, 22.64], [114.36, 22.64], [114.36, 22.70], [114.30, 22.70]]
    response = admin_client.post(
        f"/admin/departments/street/{street.pk}/change/",
        {
            "code": "W",
            "name": "西街道",
            "boundary": json.dumps({"type": "Polygon", "coordinates": [ring]}),
            "communities-TOTAL_FORMS": "0",
            "communities-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "闭合" in response.content.decode()
    street.refresh_from_db()
    assert street.boundary is None
