"""The dispatch officer's desk: the dashboard of queues and a demand's page (its actions are in
desk_actions.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.errors import TooMany
from demands.merges import merged_into, original_of
from demands.models import Demand
from demands.privacy import mask_name, mask_phone
from demands.selectors import full_timeline
from demands.services import awaits_rating
from demands.workflow import Action, allowed_actions, target_of
from departments.access import DISPATCH_ROLES, READ_ALL_ROLES, has_role
from departments.models import Role
from departments.signed_in import StaffRequest
from departments.working_time import current_clock
from dispatch import recent_figures
from dispatch.desk_queues import QUEUE_KEYS, QUEUES, queue_items
from dispatch.forms.desk import (
    AmendmentForm,
    ConveneForm,
    DecideExtensionForm,
    DemandTypeForm,
    DeskFilterForm,
    DispatchForm,
    InstructionForm,
    MergeForm,
    PhoneRatingForm,
    ReasonForm,
    RuleForm,
    SuperviseForm,
)
from dispatch.forms.knowledge import DirectAnswerForm
from dispatch.forms.workbench import ReviewDecisionForm
from dispatch.models import (
    Delegation,
    HardCaseConsultation,
    LeaderInstruction,
    ReplyReview,
    ReturnRequest,
    ReviewStage,
    ReviewStatus,
    RulingStatus,
    Supervision,
)
from dispatch.places import demand_place
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
from dispatch.services.closing import PHONE_RATING_ROLES
from dispatch.services.direct_answers import DIRECT_ANSWER_ROLES, may_answer_directly
from dispatch.services.instructions import INSTRUCTION_ROLES, instruction_figures
from dispatch.services.phone_search import phone_search
from dispatch.services.review_rules import may_review
from dispatch.services.routing import SUGGESTION_TAKEN
from dispatch.services.supervision import SUPERVISOR_ROLES
from dispatch.views.common import paginate, role_required
from routing.knowledge import articles_for_demand

# Supervisors follow the cases that ran late; the queues that need a dispatcher's decision are
# not theirs.
SUPERVISOR_QUEUES = ("supervised", "overdue", "instructions", "reviews")
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
        "tabs": _tabs(recent_figures.desk_counts(filters, allowed), allowed),
        "filter_query": _filter_query(request),
        "can_dispatch": has_role(request.user, *DISPATCH_ROLES),
        "one_click_note": SUGGESTION_TAKEN,  # the record's language, whatever the screen's
        "now": timezone.now(),
        # The extension queue projects each deadline on the working clock, read once.
        "clock": current_clock() if key == "extensions" else None,
        # The instructions queue reports on all of them under the filters, answered or not.
        "instruction_figures": instruction_figures(LeaderInstruction.objects.filter(filters.demand_q("demand__")))
        if key == "instructions"
        else None,
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
        "tabs": _tabs(recent_figures.desk_counts(form.filters(), allowed), allowed),
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
    supervisions = list(
        Supervision.objects.filter(assignment__demand=demand).select_related(
            "assignment__department", "supervisor", "responded_by"
        )
    )
    instructions = list(LeaderInstruction.objects.filter(demand=demand).select_related("answered_department"))
    context = {
        "demand": demand,
        "instructions": instructions,
        "can_instruct": has_role(request.user, *INSTRUCTION_ROLES),
        "instruction_form": InstructionForm(auto_id="instruction_%s"),
        "consultations": HardCaseConsultation.objects.filter(demand=demand)
        .select_related("lead", "convened_by")
        .prefetch_related("participants", "assisting"),
        # A hard case is convened while it waits for dispatch or a department has it in hand.
        "can_convene": has_role(request.user, *DISPATCH_ROLES) and target_of(Action.CONVENE, demand.status) is not None,
        "convene_form": ConveneForm(auto_id="convene_%s"),
        "masked_name": mask_name(demand.citizen_name),
        # Once anonymised, the name's mask says so and there is no phone to show.
        "masked_phone": mask_phone(demand.citizen_phone) if demand.anonymised_at is None else "",
        "timeline": full_timeline(demand),
        "assignments": demand.assignments.select_related("department").order_by("dispatched_at"),
        # Passed down to a community or inside a department: who holds it, by when, what came back.
        "delegations": Delegation.objects.filter(assignment__demand=demand)
        .select_related("assignment__department", "to_department", "to_user")
        .order_by("delegated_at", "pk"),
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
        "type_form": DemandTypeForm(initial={"demand_type": demand.demand_type}, auto_id="type_%s"),
        "extension_form": DecideExtensionForm(auto_id="extension_%s"),
        "is_dispatcher": has_role(request.user, *DISPATCH_ROLES),
        "supervisions": supervisions,
        # Offered while none waits for its answer (the service says why otherwise).
        "can_supervise": has_role(request.user, *SUPERVISOR_ROLES) and not any(s.is_open for s in supervisions),
        "supervise_form": SuperviseForm(auto_id="supervise_%s"),
        "can_rate_by_phone": has_role(request.user, *PHONE_RATING_ROLES) and awaits_rating(demand),
        # The knowledge base's answers to the demand's words and matter, and a question's direct answer.
        "articles": articles_for_demand(demand),
        "can_answer_directly": has_role(request.user, *DIRECT_ANSWER_ROLES) and may_answer_directly(demand),
        "direct_answer_form": DirectAnswerForm(auto_id="direct_%s"),
        "phone_rating_form": PhoneRatingForm(auto_id="phone_rating_%s"),
        "now": timezone.now(),
        # Its point and community outline for a small map, when it came with coordinates.
        "place": demand_place(demand),
        # A reply held for review; the centre's reviewers decide here at its centre stage.
        **_review(request, demand),
        # Opened from the triage queue: after the dispatch, the desk goes on to its next item.
        "from_queue": triage_query(request.GET),
    }
    return render(request, "dispatch/demand_detail.html", context)


def _review(request: StaffRequest, demand: Demand) -> dict[str, Any]:
    review = (
        ReplyReview.objects.filter(assignment__demand=demand, status=ReviewStatus.PENDING)
        .select_related("assignment__department", "submitted_by")
        .first()
    )
    decides = review is not None and review.stage == ReviewStage.CENTRE and may_review(request.user, review)
    return {
        "review": review,
        "review_form": ReviewDecisionForm(auto_id="review_%s", initial={"approve": "1"}) if decides else None,
        "next": request.get_full_path(),
    }


def triage_query(query: QueryDict) -> str:
    """The triage queue's address query (its filters), if that is where the officer came from."""
    if query.get("queue") != "triage":
        return ""
    kept = query.copy()
    for key in ("page", "ruling"):
        kept.pop(key, None)
    return kept.urlencode()


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
