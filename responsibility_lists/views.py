"""Reading the list in force: anyone signed in can browse it (a later issue adds the editor)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from responsibility_lists.selectors import matters_of, top_categories_of, version_in_force


@login_required
def current_list(request: HttpRequest) -> HttpResponse:
    version = version_in_force()
    query = request.GET.get("q", "").strip()
    matters = matters_of(version) if version else None
    if matters is not None and query:
        matters = matters.filter(Q(name__icontains=query) | Q(code__icontains=query) | Q(keywords__icontains=query))
    category_id = request.GET.get("category", "")
    if matters is not None and category_id.isdigit():
        matters = matters.filter(Q(category_id=category_id) | Q(category__parent_id=category_id))
    return render(
        request,
        "responsibility_lists/list_current.html",
        {
            "version": version,
            "categories": top_categories_of(version) if version else [],
            "matters": matters[:500] if matters is not None else [],
            "query": query,
            "category_id": category_id,
        },
    )
