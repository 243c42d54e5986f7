"""The public map of demands: a page anyone may open, and the GeoJSON it draws."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dispatch.places import RECENTLY_CLOSED_DAYS, public_map_points, street_outlines
from responsibility_lists.selectors import top_category_names


@require_GET
def public_map(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "dispatch/public_map.html",
        {
            "outlines": street_outlines(),
            "categories": top_category_names(),
            "closed_days": RECENTLY_CLOSED_DAYS,
        },
    )


@require_GET
def public_map_points_json(request: HttpRequest) -> JsonResponse:
    # Labels are in the reader's language, so no shared caching.
    return JsonResponse(
        public_map_points(), content_type="application/geo+json", json_dumps_params={"ensure_ascii": False}
    )
