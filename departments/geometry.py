"""Territory shapes as GeoJSON in WGS84, and which shape holds a point.

A district has a few dozen streets and communities, so a ray cast in Python over each polygon's
rings is enough; PostGIS is not needed. Coordinates follow GeoJSON: [longitude, latitude]."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

Ring = tuple[tuple[float, float], ...]
# One polygon: its outer ring, then its holes.
Polygon = tuple[Ring, ...]


def _ring(raw: Any) -> Ring:
    if not isinstance(raw, list) or len(raw) < 4:
        raise ValidationError(_("边界的每个环至少要有4个点（首尾相同）。"))
    points = []
    for position in raw:
        if (
            not isinstance(position, list)
            or len(position) < 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in position[:2])
        ):
            raise ValidationError(_("边界的每个点须为[经度, 纬度]两个数。"))
        lon, lat = float(position[0]), float(position[1])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValidationError(
                _("边界的点须为[经度, 纬度]（WGS84），经度在前：经度在-180到180之间，纬度在-90到90之间。")
            )
        points.append((lon, lat))
    if points[0] != points[-1]:
        raise ValidationError(_("边界的每个环须闭合：最后一个点要与第一个点相同。"))
    return tuple(points)


def polygons_of(geometry: Any) -> list[Polygon]:
    """The polygons of a GeoJSON Polygon or MultiPolygon, checked: closed rings of [lon, lat]
    positions inside WGS84's ranges. Raises ValidationError with a reason a person can act on."""
    if not isinstance(geometry, dict):
        raise ValidationError(_("边界须为GeoJSON的Polygon或MultiPolygon对象。"))
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    raw_polygons: list[Any] | None
    if kind == "Polygon":
        raw_polygons = [coordinates]
    elif kind == "MultiPolygon":
        raw_polygons = coordinates if isinstance(coordinates, list) else None
    else:
        raise ValidationError(_("边界须为GeoJSON的Polygon或MultiPolygon对象。"))
    if not raw_polygons:
        raise ValidationError(_("边界没有坐标。"))
    polygons = []
    for raw in raw_polygons:
        if not isinstance(raw, list) or not raw:
            raise ValidationError(_("边界没有坐标。"))
        polygons.append(tuple(_ring(ring) for ring in raw))
    return polygons


def validate_boundary(geometry: Any) -> None:
    """The model field's validator: an empty boundary is allowed (not every place has one yet)."""
    if geometry in (None, {}):
        return
    polygons_of(geometry)


def _in_ring(lon: float, lat: float, ring: Ring) -> bool:
    """Ray casting: a ray from the point eastwards crosses the ring an odd number of times when
    the point is inside."""
    inside = False
    for (x1, y1), (x2, y2) in pairwise(ring):
        if (y1 > lat) != (y2 > lat):
            crossing = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if lon < crossing:
                inside = not inside
    return inside


@dataclass(frozen=True)
class Shape:
    """A checked boundary with its bounding box, so most points are turned away cheaply."""

    polygons: tuple[Polygon, ...]
    west: float
    south: float
    east: float
    north: float

    @classmethod
    def of(cls, geometry: Any) -> Shape:
        polygons = tuple(polygons_of(geometry))
        xs = [x for polygon in polygons for x, _y in polygon[0]]
        ys = [y for polygon in polygons for _x, y in polygon[0]]
        return cls(polygons=polygons, west=min(xs), south=min(ys), east=max(xs), north=max(ys))

    def contains(self, lon: float, lat: float) -> bool:
        if not (self.west <= lon <= self.east and self.south <= lat <= self.north):
            return False
        # Inside one polygon's outer ring and in none of its holes.
        return any(
            _in_ring(lon, lat, polygon[0]) and not any(_in_ring(lon, lat, hole) for hole in polygon[1:])
            for polygon in self.polygons
        )


def contains(geometry: Any, lon: float, lat: float) -> bool:
    """Whether a GeoJSON Polygon or MultiPolygon holds the point (holes excluded)."""
    return Shape.of(geometry).contains(lon, lat)


def rectangle(west: float, south: float, east: float, north: float) -> list[list[float]]:
    """A closed ring for a box, for demo data and tests."""
    return [[west, south], [east, south], [east, north], [west, north], [west, south]]


def first_holding(shapes: Sequence[tuple[Shape, Any]], lon: float, lat: float) -> Any | None:
    for shape, value in shapes:
        if shape.contains(lon, lat):
            return value
    return None
