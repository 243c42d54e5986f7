"""Map data for static/js/maps.js, in data- attributes of the map's element: the tile settings
(`{% map_tiles %}`) and GeoJSON (`value|as_json`). Not in a <script> block, so no page holds a
script that is not a file of this site (tests/test_security_headers.py)."""

from __future__ import annotations

import json
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from dispatch.places import map_settings

register = template.Library()


@register.simple_tag
def map_tiles() -> SafeString:
    tiles = map_settings()
    return format_html(' data-tile-url="{}" data-attribution="{}"', tiles["tile_url"], tiles["attribution"])


@register.filter
def as_json(value: Any) -> str:
    """JSON text, escaped by the template like any other text in an attribute."""
    return json.dumps(value, ensure_ascii=False)
