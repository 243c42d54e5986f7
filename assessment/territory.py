"""Down and up the territory in the figures (下派 / 上报): each street office's table of its
communities, for the auditors and supervisors: how many cases the street passed down to each in
the last 30 days, how many the community answered (and on time, by the deadline the street gave),
how many it sent back up, and how many are open past their deadline now. The street sees its own
table on its workbench (dispatch.delegation_queries)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from config.db_routing import reads_reports
from departments.models import Department, DepartmentKind, Role
from departments.signed_in import StaffRequest
from dispatch.delegation_queries import CommunityRow, community_table
from dispatch.views.common import role_required

TERRITORY_ROLES = (Role.AUDITOR, Role.SUPERVISOR, Role.ADMIN)


def street_tables(*, days: int = 30) -> list[tuple[Department, list[CommunityRow]]]:
    streets = Department.objects.filter(kind=DepartmentKind.STREET, is_active=True).order_by("code")
    return [(street, community_table(street, days=days)) for street in streets]


@role_required(*TERRITORY_ROLES)
@reads_reports
def territory_page(request: StaffRequest) -> HttpResponse:
    return render(request, "assessment/territory.html", {"street_tables": street_tables()})
