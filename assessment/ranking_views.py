"""The ranking page: the composite score and the three rates per department, ranked within each
department type, and the same figures by street, community, category or matter."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from assessment.figures import AuditFilters
from assessment.forms import AuditFilterForm
from assessment.ranking import ranking
from assessment.rates import DEFINITIONS, Dimension, rate_rows
from config.db_routing import reads_reports
from departments.models import Role
from departments.signed_in import StaffRequest
from dispatch.views.common import role_required

# Who reads the rankings: those who read the audit figures (the district has no leaders' role yet).
RANKING_ROLES = (Role.AUDITOR, Role.SUPERVISOR, Role.ADMIN)
# The dimensions the second table may be grouped by (departments are the ranking itself).
BREAKDOWNS = [choice for choice in Dimension.choices if choice[0] != Dimension.DEPARTMENT]


@role_required(*RANKING_ROLES)
@reads_reports
def ranking_page(request: StaffRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = AuditFilters.default()
    status = 200
    if form.is_bound:
        if form.is_valid():
            filters = form.audit_filters()
        else:
            # Refused values are shown on the form; the figures stay those of the default period.
            status = 400
    by = request.GET.get("by", Dimension.DEPARTMENT_TYPE)
    if by not in dict(BREAKDOWNS):
        by = Dimension.DEPARTMENT_TYPE
    context = {
        "form": form,
        "result": ranking(filters),
        "by": by,
        "by_label": Dimension(by).label,
        "breakdowns": BREAKDOWNS,
        "breakdown_rows": rate_rows(filters, by),
        "definitions": DEFINITIONS,
    }
    return render(request, "assessment/ranking.html", context, status=status)
