"""GeoReport v2's XML: a root element per answer (services, service_requests, …) holding one element
per item (service, request, …), lists inside an item as repeated children (attributes, values),
and errors as <errors><error><code/><description/></error></errors>."""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from rest_framework.renderers import BaseRenderer, JSONRenderer

# The element names of lists inside an item: a service definition's attributes and their values,
# a discovery document's endpoints and their formats.
CHILD_NAMES = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}


class Open311JSONRenderer(JSONRenderer):
    format = "json"
    charset = "utf-8"


class Open311XMLRenderer(BaseRenderer):
    media_type = "text/xml"
    format = "xml"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        response = (renderer_context or {}).get("response")
        view = (renderer_context or {}).get("view")
        if response is not None and response.status_code >= 400:
            root_name, item_name = "errors", "error"
        else:
            root_name, item_name = getattr(view, "xml_root", "response"), getattr(view, "xml_item", "item")
        root = Element(root_name)
        for item in data if isinstance(data, list) else [data]:
            _fill(SubElement(root, item_name) if isinstance(data, list) else root, item)
        return b'<?xml version="1.0" encoding="utf-8"?>' + tostring(root, encoding="unicode").encode()


def _fill(element: Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            if isinstance(inner, list):
                holder = SubElement(element, key)
                for each in inner:
                    _fill(SubElement(holder, CHILD_NAMES.get(key, "item")), each)
            else:
                _fill(SubElement(element, key), inner)
    elif value is None:
        return
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = str(value)
