"""The dispatch officer's desk: the dashboard of queues, a demand's page, and the one-click actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from config.errors import TooMany, ValidationFailed
from config.ids import id_from, ids_from
from config.uploads import upload_refusal
from demands.merges import merged_into, original_of
from demands.models import Demand
from demands.privacy import mask_name, mask_phone
from demands.selectors import full_timeline
from demands.services import demand_submit
from demands.workflow import allowed_actions
from departments.access import DISPATCH_ROLES, READ_ALL_ROLES, has_role
from departments.models import Role
from departments.signed_in import StaffRequest
from departments.working_time import current_clock
from dispatch.desk_queues import QUEUE_KEYS, QUEUES, queue_counts, queue_items, queue_rows
from dispatch.duplicates import open_repeat_of
from dispatch.forms import (
    AmendmentForm,
    DecideExtensionForm,
    DeskFilterForm,
    DispatchForm,
    IntakeForm,
    MergeForm,
    ReasonForm,
    RuleForm,
)
from dispatch.models import Assignment, ExtensionRequest, ExtensionStatus, ReturnRequest, RulingStatus
from dispatch.selectors import (
    CONFIDENT_SUGGESTION,
    FOUND_AT_MOST,
    confidence_for,
    demands_visible_to,
    find_demands,
    is_phone_query,
    is_tracking_fragment,
    latest_routing,
    pending_extensions,
)
from dispatch.services import (
    assignment_release,
    demand_dispatch,
    demand_follow_up,
    demand_merge,
    demand_reject,
    duplicate_group_decide,
    extension_decide,
    return_rule,
)
from dispatch.services.duplicates import GroupDecision
from dispatch.services.phone_search import phone_search
from dispatch.services.routing import SUGGESTION_TAKEN
from dispatch.views.common import paginate, perform, perform_form, posted, role_required
from responsibility_lists.amendments import amendment_file

dispatcher_required = role_required(*DISPATCH_ROLES)


# Supervisors follow the cases that ran late; the queues that need a dispatcher's decision are
# not theirs.
SUPERVISOR_QUEUES = ("supervised", "overdue")
desk_readers = role_required(*DISPATCH_ROLES, Role.SUPERVISOR)


def _queues_for(request: HttpRequest) -> tuple[str, ...]:
    return QUEUE_KEYS if has_role(request.user, *DISPATCH_ROLES) else SUPERVISOR_QUEUES


@desk_readers
def desk(request: StaffRequest) -> HttpResponse:
    """The dashboard: one queue at a time, with live counts of all of them under the filters."""
    number = request.GET.get("number", "").strip().upper()
    if number:
        if demands_visible_to(request.user).filter(tracking_number=number).exists():
            return redirect("desk-demand", tracking_number=number)
        messages.error(request, _("找不到受理编号 %(number)s。") % {"number": number})
    form = DeskFilterForm(request.GET or None)
    filters = form.filters()
    allowed = _queues_for(request)
    key = request.GET.get("queue", allowed[0])
    if key not in allowed:
        key = allowed[0]
    page, page_query = paginate(request, queue_items(key, filters))
    if key == "returns":
        for row in page:
            row.one_click = confidence_for(row.suggestions, row.suggested_department_id) >= CONFIDENT_SUGGESTION
    context = {
        "form": form,
        "queue": key,
        "rows": page,
        "page": page,
        "page_query": page_query,
        "tabs": _tabs(queue_counts(filters, allowed), allowed),
        "filter_query": _filter_query(request),
        "can_dispatch": has_role(request.user, *DISPATCH_ROLES),
        "one_click_note": SUGGESTION_TAKEN,  # the record's language, whatever the screen's
        "now": timezone.now(),
        # The extension queue projects each deadline on the working clock, read once.
        "clock": current_clock() if key == "extensions" else None,
    }
    return render(request, "dispatch/desk.html", context)


@desk_readers
@require_POST
def find(request: StaffRequest) -> HttpResponse:
    """Find a case by part of its number, the caller's whole phone number, or words of its title
    or place. A form post, not a query string: a phone number must never be in a URL or an access
    log. A search by phone is limited per person and recorded (dispatch.services.phone_search)."""
    query = request.POST.get("q", "")[:64].strip()
    exact = query.upper()
    if exact and demands_visible_to(request.user).filter(tracking_number=exact).exists():
        return redirect("desk-demand", tracking_number=exact)
    at_most = FOUND_AT_MOST + 1  # one more: are there more?
    if is_phone_query(query) and not is_tracking_fragment(request.user, query):
        try:
            found = phone_search(user=request.user, query=query, limit=at_most)
        except TooMany as error:
            context: dict[str, Any] = {"query": query, "rows": [], "refused": error.message}
            return render(request, "dispatch/desk_found.html", context, status=error.status_code)
    else:
        found = find_demands(request.user, query, limit=at_most)
    if len(found) == 1:
        return redirect("desk-demand", tracking_number=found[0].tracking_number)
    rows = [(demand, mask_phone(demand.citizen_phone)) for demand in found[:FOUND_AT_MOST]]
    context = {"query": query, "rows": rows, "at_most": FOUND_AT_MOST, "more": len(found) > FOUND_AT_MOST}
    return render(request, "dispatch/desk_found.html", context)


@desk_readers
def desk_counts(request: StaffRequest) -> HttpResponse:
    """The queue tabs alone, polled by the dashboard so its counts stay live."""
    form = DeskFilterForm(request.GET or None)
    allowed = _queues_for(request)
    context = {
        "queue": request.GET.get("queue", allowed[0]),
        "tabs": _tabs(queue_counts(form.filters(), allowed), allowed),
        "filter_query": _filter_query(request),
    }
    return render(request, "dispatch/partials/desk_tabs.html", context)


def _tabs(counts: dict[str, int], allowed: tuple[str, ...]) -> list[tuple]:
    return [(queue, counts[queue.key]) for queue in QUEUES if queue.key in allowed]


def _filter_query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("queue", None)
    return query.urlencode()


def _similar_demands(suggestions: list[dict]) -> set[str]:
    """Which of the past cases shown beside the suggestions are demands here (the others came
    from an older system), so they can be opened."""
    references = {case["reference"] for s in suggestions for case in s.get("similar_cases", []) if case["reference"]}
    return set(Demand.objects.filter(tracking_number__in=references).values_list("tracking_number", flat=True))


@role_required(*READ_ALL_ROLES)
def demand_detail(request: StaffRequest, tracking_number: str) -> HttpResponse:
    demand = get_object_or_404(demands_visible_to(request.user), tracking_number=tracking_number)
    routing = latest_routing(demand)
    suggestions = routing.candidates if routing else []
    pending_return = (
        ReturnRequest.objects.filter(assignment__demand=demand, status=RulingStatus.PENDING)
        .select_related("assignment__department", "suggested_department")
        .first()
    )
    initial = {}
    best = suggestions[0] if suggestions else None
    # A weak guess is not preselected: one click should not send a demand to a 0.1 suggestion.
    if best and best.get("department_id") and best.get("confidence", 0) >= CONFIDENT_SUGGESTION:
        initial = {
            "department": best["department_id"],
            "matter": best["matter_id"],
        }
    context = {
        "demand": demand,
        "masked_name": mask_name(demand.citizen_name),
        # Once anonymised, the name's mask says so and there is no phone to show.
        "masked_phone": mask_phone(demand.citizen_phone) if demand.anonymised_at is None else "",
        "timeline": full_timeline(demand),
        "assignments": demand.assignments.select_related("department").order_by("dispatched_at"),
        "replies": demand.replies.select_related("department"),
        "routing": routing,
        "suggestions": suggestions,
        "similar_demands": _similar_demands(suggestions),
        "actions": allowed_actions(demand.status),
        "pending_return": pending_return,
        "merged_from": merged_into(demand),
        "original": original_of(demand),
        "extensions": pending_extensions().filter(assignment__demand=demand),
        "dispatch_form": DispatchForm(initial=initial, auto_id="dispatch_%s"),
        "rule_form": RuleForm(initial=_ruling_initial(request, pending_return, suggestions), auto_id="rule_%s"),
        "amendment_form": AmendmentForm(auto_id="amend_%s"),
        "reason_form": ReasonForm(auto_id="reject_%s"),
        "merge_form": MergeForm(auto_id="merge_%s"),
        "extension_form": DecideExtensionForm(auto_id="extension_%s"),
        "is_dispatcher": has_role(request.user, *DISPATCH_ROLES),
        # Opened from the triage queue: after the dispatch, the desk goes on to its next item.
        "from_queue": _triage_query(request.GET),
    }
    return render(request, "dispatch/demand_detail.html", context)


def _triage_query(query: QueryDict) -> str:
    """The triage queue's address query (its filters), if that is where the officer came from."""
    if query.get("queue") != "triage":
        return ""
    kept = query.copy()
    for key in ("page", "ruling"):
        kept.pop(key, None)
    return kept.urlencode()


def _next_in_triage(request: HttpRequest, dispatched: Demand) -> HttpResponse | None:
    """The next demand of the triage queue the officer was working through, under the same
    filters; or the queue itself, with word that it is done."""
    query = QueryDict(_triage_query(QueryDict(request.POST.get("from_queue", ""))))
    if not query:
        return None
    following = queue_rows("triage", DeskFilterForm(query).filters()).exclude(pk=dispatched.pk).first()
    if following is None:
        messages.info(request, _("待人工分拨的诉求已全部处理。"))
        return redirect(f"{reverse('desk')}?{query.urlencode()}")
    return redirect(f"{reverse('desk-demand', args=[following.tracking_number])}?{query.urlencode()}")


def _ruling_initial(request: HttpRequest, pending_return: ReturnRequest | None, suggestions: list[dict]) -> dict:
    # The returns queue's "reassign…" link comes here to uphold. The department the returning one
    # suggested is chosen already only where the router was sure of it too: otherwise the officer
    # is asked to choose.
    if pending_return is None:
        return {}
    initial: dict = {}
    suggested = pending_return.suggested_department_id
    if confidence_for(suggestions, suggested) >= CONFIDENT_SUGGESTION:
        initial["department"] = suggested
    if request.GET.get("ruling") == "uphold":
        initial["uphold"] = "1"
    return initial


def _back_to_queue(request: HttpRequest) -> HttpResponse | None:
    """Back to the dashboard queue the action was taken from, if it said so (on this host only)."""
    target = request.POST.get("next", "")
    # A path on this site only: redirect() would take anything else for a view name to reverse.
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(target)
    return None


def _back(tracking_number: str, request: HttpRequest | None = None) -> HttpResponse:
    """Back to the demand, or to the dashboard queue the action was taken from."""
    return (request and _back_to_queue(request)) or redirect("desk-demand", tracking_number=tracking_number)


@require_POST
@dispatcher_required
def dispatch_demand(request: StaffRequest, tracking_number: str) -> HttpResponse:
    demand = get_object_or_404(Demand, tracking_number=tracking_number)
    done = perform_form(
        request,
        DispatchForm,
        lambda data: demand_dispatch(
            demand_id=demand.pk,
            actor=request.user,
            department_id=data["department"],
            matter_id=data["matter"],
            assisting_ids=data["assisting"],
            note=data["note"],
        ),
        _("%(number)s 已派单。") % {"number": tracking_number},
    )
    following = _next_in_triage(request, demand) if done else None
    return following or _back(tracking_number, request)


@require_POST
@dispatcher_required
def reject_demand(request: StaffRequest, tracking_number: str) -> HttpResponse:
    demand = get_object_or_404(Demand, tracking_number=tracking_number)
    perform_form(
        request,
        ReasonForm,
        lambda data: demand_reject(demand_id=demand.pk, actor=request.user, reason=data["reason"]),
        _("已作不予受理处理。"),
    )
    return _back(tracking_number)


@require_POST
@dispatcher_required
def merge_demand(request: StaffRequest, tracking_number: str) -> HttpResponse:
    demand = get_object_or_404(Demand, tracking_number=tracking_number)

    def merge(data: dict) -> Demand:
        original = Demand.objects.filter(tracking_number=data["original"].strip().upper()).first()
        if original is None:
            raise ValidationFailed(_("找不到受理编号 %(number)s。") % {"number": data["original"]})
        return demand_merge(demand_id=demand.pk, original_id=original.pk, actor=request.user, note=data["note"])

    perform_form(request, MergeForm, merge, _("已合并到原诉求。"))
    return _back(tracking_number)


@require_POST
@dispatcher_required
def rule_return(request: StaffRequest, return_id: int) -> HttpResponse:
    request_row = get_object_or_404(ReturnRequest.objects.select_related("assignment__demand"), pk=return_id)
    perform_form(
        request,
        RuleForm,
        lambda data: return_rule(
            return_id=return_id,
            actor=request.user,
            uphold=data["uphold"],
            department_id=data["department"],
            note=data["note"],
            propose_amendment=data["propose_amendment"],
        ),
        _("已裁定。"),
    )
    return _back(request_row.assignment.demand.tracking_number, request)


@require_POST
@dispatcher_required
def decide_extension(request: StaffRequest, extension_id: int) -> HttpResponse:
    extension = get_object_or_404(ExtensionRequest.objects.select_related("assignment__demand"), pk=extension_id)
    decided = perform_form(
        request,
        DecideExtensionForm,
        lambda data: extension_decide(
            extension_id=extension_id, actor=request.user, approve=data["approve"], note=data["note"]
        ),
        "",
    )
    if decided:
        extension = ExtensionRequest.objects.select_related("assignment__demand").get(pk=extension_id)
        number = extension.assignment.demand.tracking_number
        if extension.status == ExtensionStatus.APPROVED:
            deadline = timezone.localtime(extension.new_deadline or extension.assignment.handle_deadline)
            messages.success(
                request,
                _("已批准 %(number)s 的延期，办理期限延至 %(deadline)s。")
                % {"number": number, "deadline": f"{deadline:%Y-%m-%d %H:%M}"},
            )
        else:
            messages.success(request, _("已驳回 %(number)s 的延期申请。") % {"number": number})
    return _back(extension.assignment.demand.tracking_number, request)


@require_POST
@dispatcher_required
def release_assist(request: StaffRequest, assignment_id: int) -> HttpResponse:
    assignment = get_object_or_404(Assignment.objects.select_related("demand"), pk=assignment_id)
    perform_form(
        request,
        ReasonForm,
        lambda data: assignment_release(assignment_id=assignment_id, actor=request.user, reason=data["reason"]),
        _("已解除协办。"),
    )
    return _back(assignment.demand.tracking_number)


@require_POST
@dispatcher_required
def propose_amendment(request: StaffRequest, tracking_number: str) -> HttpResponse:
    """File an amendment proposal against the matter this demand was routed under."""
    demand = get_object_or_404(Demand.objects.select_related("matter"), tracking_number=tracking_number)
    if demand.matter is None:
        messages.error(request, _("该诉求没有对应的清单事项。"))
        return _back(tracking_number)
    matter = demand.matter
    perform_form(
        request,
        AmendmentForm,
        lambda data: amendment_file(
            actor=request.user,
            version_id=matter.version_id,
            matter_code=matter.code,
            kind=data["kind"],
            reason=data["reason"],
            demand_id=demand.pk,
            department_id=data["department"],
            territorial=data["territorial"],
            keyword=data["keyword"],
            limit_field=data["limit_field"],
            limit_value=data["limit_value"],
        ),
        _("已提交清单修订建议，清单维护员将在修订时处理。"),
    )
    return _back(tracking_number)


@require_POST
@dispatcher_required
def decide_duplicates(request: StaffRequest) -> HttpResponse:
    """A group of suggested duplicates, decided at once: the ticked ones are merged into the
    demand kept, the others shown with them are marked not duplicates."""
    original_id = id_from(request.POST.get("original"))
    shown = ids_from(request.POST.getlist("shown"))
    merge = request.POST.getlist("merge") if request.POST.get("decision") == "merge" else []
    ticked = ids_from(merge)
    if original_id is None or shown is None or ticked is None:
        messages.error(request, _("所选的诉求有误，请刷新后重新处理。"))
        return _back_to_queue(request) or redirect("desk")
    done: dict = {}

    def decide() -> None:
        done["decision"] = duplicate_group_decide(
            actor=request.user, original_id=original_id, merge_ids=ticked & shown, dismiss_ids=shown - ticked
        )

    if perform(request, decide, ""):
        messages.success(request, _merge_message(done["decision"]))
    return _back_to_queue(request) or redirect("desk")


def _merge_message(decision: GroupDecision) -> str:
    """What came of a group's decision. One caller who reported a thing six times is one
    citizen to answer, not "both citizens"."""
    said = []
    if decision.merged:
        merged, number = len(decision.merged), decision.original.tracking_number
        if decision.callers == 1:
            said.append(
                ngettext(
                    "已把 %(n)s 件合并到 %(number)s。它们是同一位群众的重复反映，答复会告知这位群众。",
                    "已把 %(n)s 件合并到 %(number)s。它们是同一位群众的重复反映，答复会告知这位群众。",
                    merged,
                )
                % {"n": merged, "number": number}
            )
        else:
            said.append(
                ngettext(
                    "已把 %(n)s 件合并到 %(number)s，答复将告知这 %(callers)s 位群众。",
                    "已把 %(n)s 件合并到 %(number)s，答复将告知这 %(callers)s 位群众。",
                    merged,
                )
                % {"n": merged, "number": number, "callers": decision.callers}
            )
    if decision.dismissed:
        said.append(
            ngettext("%(n)s 件已标记为非重复。", "%(n)s 件已标记为非重复。", decision.dismissed)
            % {"n": decision.dismissed}
        )
    return "".join(said)


@role_required(Role.INTAKE_OPERATOR, *DISPATCH_ROLES)
def intake(request: StaffRequest) -> HttpResponse:
    """An intake operator enters a demand taken by phone, letter or visit. A caller repeating
    their own open demand is caught here too: the operator adds the call to it as a follow-up,
    or still registers it as new."""
    form = IntakeForm(posted(request), request.FILES or None, upload_refusal=upload_refusal(request))
    receipt = None
    if request.method == "POST" and form.is_valid():
        data, choice = form.submission(), request.POST.get("repeat", "")
        if choice == "follow_up":
            followed = _intake_follow_up(request, form)
            if followed:
                return redirect("intake")
        elif choice != "new" and (
            repeat := open_repeat_of(phone=data["citizen_phone"], title=data["title"], content=data["content"])
        ):
            context = {"form": form, "repeat_of": repeat.tracking_number, "files_left": bool(data["attachments"])}
            return render(request, "dispatch/intake.html", context)
        else:
            done = {}

            def submit() -> None:
                done["submission"] = demand_submit(
                    **data, channel=form.cleaned_data["channel"], entered_by=request.user
                )

            if perform(request, submit, _("已登记。请把受理编号和查询码告知群众。")):
                submission = done["submission"]
                receipt = {
                    "tracking_number": submission.demand.tracking_number,
                    "query_code": submission.query_code,
                }
                form = IntakeForm()
    return render(request, "dispatch/intake.html", {"form": form, "receipt": receipt})


def _intake_follow_up(request: StaffRequest, form: IntakeForm) -> bool:
    data = form.cleaned_data
    done = {}

    def follow_up() -> None:
        done["demand"] = demand_follow_up(
            tracking_number=request.POST.get("repeat_of", ""),
            citizen_name=data["citizen_name"],
            citizen_phone=data["citizen_phone"],
            title=data["title"],
            content=data["content"],
            channel=data["channel"],
            entered_by=request.user,
        )

    if not perform(request, follow_up, ""):
        return False
    demand = done["demand"]
    messages.success(
        request,
        _("已作为催办记入 %(number)s（第 %(count)s 次），没有生成新的受理编号。请告知来电人原受理编号。")
        % {"number": demand.tracking_number, "count": demand.follow_up_count},
    )
    return True
