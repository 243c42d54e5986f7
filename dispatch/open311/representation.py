"""What the platform's records look like in GeoReport v2: services (matters of the list in force),
service definitions and service requests (demands). Nothing personal: to the public a request is
its service, status, department, dates, community and point, never the citizen's words, which may
name people or homes. The source system that sent a demand reads its description (numbers and
e-mail addresses written into it masked), the place as given and its photo link."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from demands.models import Demand, DemandType
from demands.privacy import mask_numbers_in_text
from demands.workflow import Status
from responsibility_lists.models import Matter, Urgency

CLOSED_STATUSES = (Status.CLOSED, Status.REJECTED, Status.MERGED)
# The service of a demand not yet placed on a matter (being triaged, or refused as out of scope):
# GeoReport requires a code.
UNCLASSIFIED = "unclassified"
# The attributes every service takes (GET services/<code>): what the citizen asks for, and how urgent.
ATTRIBUTES = (
    ("demand_type", "诉求类型", DemandType.choices),
    ("urgency", "紧急程度", Urgency.choices),
)


def w3c(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def service(matter: Matter) -> dict[str, Any]:
    category = matter.category
    return {
        "service_code": matter.code,
        "service_name": matter.name,
        "description": matter.description or matter.name,
        "metadata": True,
        "type": "realtime",
        "keywords": ",".join(matter.keywords),
        "group": category.parent.name if category.parent else category.name,
    }


def service_definition(matter: Matter) -> dict[str, Any]:
    return {
        "service_code": matter.code,
        "attributes": [
            {
                "variable": True,
                "code": code,
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": "",
                "order": order,
                "description": str(label),
                "values": [{"key": key, "name": str(name)} for key, name in choices if key],
            }
            for order, (code, label, choices) in enumerate(ATTRIBUTES, start=1)
        ],
    }


def service_request(demand: Demand, *, own: bool = False) -> dict[str, Any]:
    """`own`: read by the source system that sent the demand."""
    matter = demand.matter
    area = " ".join(place.name for place in (demand.street, demand.community) if place is not None)
    return {
        "service_request_id": demand.tracking_number,
        "status": "closed" if demand.status in CLOSED_STATUSES else "open",
        # Our own, finer status, as the citizen's tracking page words it.
        "status_notes": demand.status_for_citizen,
        "service_name": matter.name if matter else str(_("待分类")),
        "service_code": matter.code if matter else (demand.requested_service_code or UNCLASSIFIED),
        "description": mask_numbers_in_text(f"{demand.title}：{demand.content}") if own else None,
        "agency_responsible": demand.lead_department.name if demand.lead_department else None,
        "service_notice": None,
        "requested_datetime": w3c(demand.submitted_at),
        "updated_datetime": w3c(demand.closed_at or demand.updated_at),
        "expected_datetime": w3c(demand.due_at),
        "address": (demand.location_text if own else area) or None,
        "address_id": None,
        "zipcode": None,
        "lat": float(demand.latitude) if demand.latitude is not None else None,
        "long": float(demand.longitude) if demand.longitude is not None else None,
        "media_url": (demand.media_url if own else "") or None,
    }
