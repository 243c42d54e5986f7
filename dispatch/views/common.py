from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import DomainError
from demands.models import Attachment, Demand
from demands.uploads import IMAGE_TYPES
from departments.access import DEPARTMENT_ROLES, DISPATCH_ROLES, READ_ALL_ROLES, department_ids_for, has_role
from departments.models import Role
from departments.signed_in import StaffRequest, is_signed_in
from dispatch.delegation_queries import held_about
from dispatch.models import Notification
from dispatch.selectors import can_see_demand, demands_visible_to, held_assignments
from dispatch.services.calendar_notices import KIND as CALENDAR_NOTICE

if TYPE_CHECKING:  # a development dependency: the name is only needed by mypy
    from django_stubs_ext import StrOrPromise

P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponseBase)


def perform(request: HttpRequest, action: Callable[[], Any], success: StrOrPromise) -> bool:
    """Run one service call for a page: show its refusal as a message instead of a crash."""
    try:
        action()
    except DomainError as error:
        messages.error(request, error.message)
        for row in error.extra.get("rows", []):
            messages.error(request, row)
        return False
    if success:  # empty: the view says itself what came of it
        messages.success(request, success)
    return True


def perform_form(
    request: HttpRequest,
    form_class: Callable[[Any], Form],
    action: Callable[[dict[str, Any]], Any],
    success: StrOrPromise,
) -> bool:
    """Validate a posted action form, then run its service call (see `perform`)."""
    form = form_class(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return False
    return perform(request, lambda: action(form.cleaned_data), success)


def posted(request: HttpRequest) -> QueryDict | None:
    """A form's data: bound on every POST, an empty one too. `request.POST or None` leaves a form
    unbound when the body is empty, and a refusal added to it (too many requests) would crash."""
    return request.POST if request.method == "POST" else None


def form_errors(request: HttpRequest, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else error)


def role_required(
    *roles: str,
) -> Callable[[Callable[Concatenate[StaffRequest, P], R]], Callable[Concatenate[HttpRequest, P], R]]:
    """Behind a login, and refused (403) to anyone without one of `roles`; the view's request
    is a `StaffRequest`."""

    def decorator(view: Callable[Concatenate[StaffRequest, P], R]) -> Callable[Concatenate[HttpRequest, P], R]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> R:
            if not is_signed_in(request) or not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


@login_required
def staff_home(request: StaffRequest) -> HttpResponse:
    """Send each person to the page of their main role."""
    user = request.user
    if has_role(user, *DISPATCH_ROLES):
        return redirect("desk")
    if has_role(user, *DEPARTMENT_ROLES):
        return redirect("workbench")
    if has_role(user, Role.CALLBACK_OFFICER):
        return redirect("visits")  # the callback visit queue (回访)
    if has_role(user, Role.SUPERVISOR):
        return redirect("desk")  # the supervised and overdue cases they follow
    if has_role(user, Role.AUDITOR):
        return redirect("audit")
    if has_role(user, Role.INTAKE_OPERATOR):
        return redirect("intake")
    if has_role(user, Role.LIST_MAINTAINER):
        return redirect("list-current")
    raise PermissionDenied


@login_required
def attachment_download(request: StaffRequest, attachment_id: int) -> FileResponse:
    """A demand's attachment, for staff who can see that demand; media is never served openly."""
    attachment = Attachment.objects.filter(pk=attachment_id).select_related("demand").first()
    if attachment is None or not can_see_demand(request.user, attachment.demand):
        raise Http404
    return attachment_response(attachment, inline_images=False)


def attachment_response(attachment: Attachment, *, inline_images: bool) -> FileResponse:
    """A stored file as the type its bytes were found to be at upload. A row from before types
    were checked, or of a type no longer accepted, goes out as bytes to save, never as a page;
    nosniff keeps the browser from guessing otherwise, and only an image is ever shown inline."""
    kind = attachment.content_type if attachment.content_type in settings.ATTACHMENT_CONTENT_TYPES else None
    kind = kind or "application/octet-stream"
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=not (inline_images and kind in IMAGE_TYPES),
        filename=attachment.original_name,
        content_type=kind,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def notifications(request: StaffRequest) -> HttpResponse:
    """The signed-in person's notices; opening the page marks them read."""
    notices = list(Notification.objects.filter(user=request.user).select_related("demand")[:200])
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    about = {n.demand for n in notices if n.demand is not None}
    links = _case_links(request.user, about)
    # A notice about a case the person may no longer read (their department's return of it was
    # upheld) keeps its date and number but not the case's words.
    readable = set(demands_visible_to(request.user).filter(pk__in=[d.pk for d in about]).values_list("pk", flat=True))
    # A community (or section) reads what was passed down to it, on the page of that delegation.
    passed_down = held_about(request.user, {d.pk for d in about} - readable)
    readable |= set(passed_down)
    for demand_id, delegation_id in passed_down.items():
        links.setdefault(demand_id, reverse("workbench-delegation", args=[delegation_id]))
    # A notice about the calendar has no case: it opens the calendar page, where the year is shown.
    calendar = reverse("working-calendar")
    rows = [
        (
            notice,
            _notice_page(notice)
            or (links.get(notice.demand_id) if notice.demand_id is not None else None)
            or (calendar if notice.kind == CALENDAR_NOTICE else None),
            notice.message_for_reader
            if notice.demand is None or notice.demand_id in readable
            else _("%(number)s：该诉求已改由其他部门办理，不再显示详情。") % {"number": notice.demand.tracking_number},
        )
        for notice in notices
    ]
    return render(request, "dispatch/notifications.html", {"rows": rows})


# A notice about a record with a page of its own names it in its data, and opens that page rather
# than the case it was sent with: a hot-topic cluster (assessment, which this app may not import)
# leads to the cluster and all its demands, not to the first of them.
NOTICE_PAGES = {"cluster_notice": "audit-hot-topic-cluster"}


def _notice_page(notice: Notification) -> str | None:
    for key, url_name in NOTICE_PAGES.items():
        record_id = notice.data.get(key) if isinstance(notice.data, dict) else None
        if isinstance(record_id, int):
            return reverse(url_name, args=[record_id])
    return None


def _case_links(user: User, demands: set[Demand]) -> dict[int, str]:
    """Where each demand's case opens for this person: the desk's case page for those who read
    every case, else their own department's assignment of it (the latest)."""
    if has_role(user, *READ_ALL_ROLES):
        return {d.pk: reverse("desk-demand", args=[d.tracking_number]) for d in demands}
    own = (
        held_assignments(department_ids_for(user, *DEPARTMENT_ROLES))
        .filter(demand__in=demands)
        .order_by("dispatched_at", "pk")
    )
    return {a.demand_id: reverse("workbench-assignment", args=[a.pk]) for a in own}


PAGE_SIZE = 50


def paginate(request: HttpRequest, rows, per_page: int | None = None, count: int | None = None) -> tuple[Page, str]:
    """One page of `rows` and the query string to keep (everything but the page) for its links;
    `count`, when the page has counted the rows already, spares counting them again."""
    paginator = Paginator(rows, per_page or PAGE_SIZE)
    if count is not None:
        paginator.count = count  # a cached property: set, it is not counted
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()
