"""Reads for the maps: the public map's points, and a demand's place on the desk.

The public map shows what the district is working on and what it has just finished, never who
asked or what they wrote: a point (rounded to about a hundred metres, so a point at a door does not
name the house), the category, open or closed, the day it came in and the community."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from demands.models import Demand, DemandType
from demands.workflow import CITIZEN_STATUS_LABELS, FINAL_STATUSES, Status
from departments.models import Community, Street

RECENTLY_CLOSED_DAYS = 30
# Three decimals of a degree: about 110 m north-south, about 100 m east-west at Shenzhen.
PUBLIC_PRECISION = Decimal("0.001")


def _rounded(value: Decimal) -> float:
    return float(value.quantize(PUBLIC_PRECISION, rounding=ROUND_HALF_UP))


def public_map_demands() -> QuerySet[Demand]:
    """Open demands with a point, and those closed in the last 30 days. Reports (举报) stay off
    the map: a point by a reported shop would tell the shop who is watching it."""
    since = timezone.now() - timedelta(days=RECENTLY_CLOSED_DAYS)
    return (
        Demand.objects.filter(latitude__isnull=False, longitude__isnull=False)
        .filter(~Q(status__in=FINAL_STATUSES) | Q(status=Status.CLOSED, closed_at__gte=since))
        .exclude(demand_type=DemandType.REPORT)
    )


def public_map_points() -> dict[str, Any]:
    """The public map's demands as a GeoJSON FeatureCollection with nothing personal in it."""
    rows = (
        public_map_demands()
        .annotate(category=Coalesce("matter__category__parent__name", "matter__category__name"))
        .order_by("submitted_at", "pk")
        .values("latitude", "longitude", "status", "submitted_at", "category", "community__name")
    )
    unfiled = _("未分类")
    features = []
    for row in rows:
        closed = row["status"] == Status.CLOSED
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [_rounded(row["longitude"]), _rounded(row["latitude"])],
                },
                "properties": {
                    "category": row["category"] or unfiled,
                    "status": "closed" if closed else "open",
                    # As the citizen's own tracking page says it (分拨中, not 退单待裁定).
                    "status_label": str(CITIZEN_STATUS_LABELS.get(row["status"], Status(row["status"]).label)),
                    "date": timezone.localdate(row["submitted_at"]).isoformat(),
                    "community": row["community__name"] or "",
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def street_outlines() -> dict[str, Any]:
    """The streets' outlines, named, for the public map to show where one street ends."""
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": boundary, "properties": {"name": name}}
            for name, boundary in Street.objects.filter(boundary__isnull=False).values_list("name", "boundary")
        ],
    }


def map_settings() -> dict[str, str]:
    """What a page's script needs to draw tiles (dispatch/templatetags/maps.py gives it)."""
    return {"tile_url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION}


def demand_place(demand: Demand) -> dict[str, Any] | None:
    """A demand's point and the outline of its community (or street) for the desk's small map;
    None when the demand has no point."""
    if demand.latitude is None or demand.longitude is None:
        return None
    outline = None
    if demand.community_id:
        outline = Community.objects.filter(pk=demand.community_id).values_list("boundary", flat=True).first()
    if outline is None and demand.street_id:
        outline = Street.objects.filter(pk=demand.street_id).values_list("boundary", flat=True).first()
    return {"point": [float(demand.longitude), float(demand.latitude)], "outline": outline}
