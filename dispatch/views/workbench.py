"""The department workbench: the inbox by deadline with its marks and figures, a case's page with
sign / reply (from templates) / return / extend / ask the citizen / notes, and the templates."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from demands.merges import merged_into
from demands.privacy import mask_address, mask_name, mask_phone
from demands.selectors import full_timeline
from demands.services import demand_disclose_contact
from demands.workflow import Action
from departments.access import DEPARTMENT_ROLES, department_ids_for, works_in
from departments.models import Department, Role
from departments.signed_in import StaffRequest
from dispatch.delegation_queries import (
    came_back,
    communities_of,
    delegations_of,
    held_delegations,
    internal_holders,
    street_tables,
)
from dispatch.department_figures import DepartmentFigures
from dispatch.forms.delegations import InternalAssignForm, PassDownForm
from dispatch.forms.workbench import (
    DiscloseForm,
    ExtensionForm,
    InfoRequestForm,
    InstructionAnswerForm,
    NoteForm,
    ReplyForm,
    ReplyTemplateForm,
    ReturnForm,
    ReviewDecisionForm,
    SupervisionAnswerForm,
)
from dispatch.models import (
    Assignment,
    AssignmentRole,
    DelegationKind,
    ExtensionStatus,
    LeaderInstruction,
    ReplyTemplate,
    ReviewStage,
    ReviewStatus,
    Supervision,
)
from dispatch.selectors import assignment_for_user, department_to_suggest, latest_routing
from dispatch.services import (
    assignment_contribute,
    assignment_reply,
    assignment_return,
    assignment_sign,
    extension_request,
    info_request_ask,
    info_request_withdraw,
    instruction_answer,
    supervision_answer,
)
from dispatch.services.citizen_info import pending_info_request
from dispatch.services.delegations import latest_answer
from dispatch.services.instructions import answering_lead
from dispatch.services.notes import case_note
from dispatch.services.reply_reviews import reviews_for
from dispatch.services.reply_templates import reply_template_delete, reply_template_save
from dispatch.services.returns import return_window_closes
from dispatch.services.review_rules import may_review, pending_review
from dispatch.views import common
from dispatch.views.common import paginate, perform, perform_form, role_required
from dispatch.workbench_queries import INBOX_VIEWS, department_summary, inbox, templates_for

department_required = role_required(*DEPARTMENT_ROLES)


def _assignment(request: HttpRequest, assignment_id: int) -> Assignment:
    assignment = assignment_for_user(request.user, assignment_id)
    if assignment is None:
        raise Http404
    return assignment


@department_required
def workbench(request: StaffRequest) -> HttpResponse:
    view = request.GET.get("view", "open")
    if view not in INBOX_VIEWS:
        view = "open"
    summary = department_summary(request.user)
    page, page_query = paginate(request, inbox(request.user, view), count=_count_of_open(view, summary))
    context = {
        "assignments": page,
        "page": page,
        "page_query": page_query,
        "view": view,
        "views": [
            ("open", _("全部在办")),
            ("to_sign", _("待签收")),
            ("in_progress", _("主办办理中")),
            ("assisting", _("协办")),
            ("supervised", _("督办")),
            ("all", _("含已完成")),
        ],
        "summary": summary,
        # Kept figures say when they were counted (dispatch/recent_figures.py).
        "figures_kept": settings.PAGE_FIGURES_MAX_AGE_SECONDS > 0,
        "now": timezone.now(),
        # The head's queue: replies of their departments waiting for their approval (答复审核).
        "reviews": list(reviews_for(request.user).filter(stage=ReviewStage.DEPARTMENT)),
        **_territory_context(request),
    }
    return render(request, "dispatch/workbench.html", context)


def _count_of_open(view: str, summary: DepartmentFigures) -> int | None:
    """The open cases are counted among the figures above the list: counted in this request, they
    are the list's count as well. Kept a while (at city scale) they may be a minute old, which
    would end the last page a few rows early or late; they are trusted then only for a long list,
    whose first pages are full either way and whose rows cost the most to count again. A short
    list is counted (cheaply), so no case in it waits for the next count to be seen."""
    if view != "open":
        return None
    if settings.PAGE_FIGURES_MAX_AGE_SECONDS <= 0 or summary.open > 2 * common.PAGE_SIZE:
        return summary.open
    return None


def _territory_context(request: StaffRequest) -> dict[str, Any]:
    """Above the inbox: what was passed down to the person's community or section (下派给本社区的),
    or to them by name (派给我的), first; what came back up from the communities; and a street's
    table of its communities."""
    held = list(held_delegations(request.user))
    return {
        "held_by_unit": [
            (heading, rows)
            for heading, rows in (
                (_("下派给本社区的诉求"), [d for d in held if d.kind == DelegationKind.DOWN]),
                (_("派给本科室的诉求"), [d for d in held if d.kind != DelegationKind.DOWN and d.to_department_id]),
            )
            if rows
        ],
        "held_by_me": [d for d in held if d.to_user_id is not None],
        "came_back": list(came_back(request.user)),
        "street_tables": street_tables(request.user),
    }


@department_required
def assignment_detail(request: StaffRequest, assignment_id: int) -> HttpResponse:
    assignment = _assignment(request, assignment_id)
    demand = assignment.demand
    others = list(
        demand.assignments.exclude(pk=assignment.pk).select_related("department").prefetch_related("extensions")
    )
    templates = templates_for(assignment)
    disclosed = request.session.get("disclosed", [])
    # An anonymised demand has no contact left to show: its masks say so (已匿名).
    show_contact = demand.pk in disclosed and demand.anonymised_at is None
    candidates = _routing_candidates(assignment)
    basis = next((c for c in candidates if c.get("department_id") == assignment.department_id), None)
    timeline = list(full_timeline(demand))
    instructions = list(LeaderInstruction.objects.filter(demand=demand).select_related("answered_department"))
    for instruction in instructions:
        instruction.answer_form = InstructionAnswerForm(auto_id=f"instruction_{instruction.pk}_%s")  # type: ignore[attr-defined]
    answerer = answering_lead(demand.pk) if instructions else None
    context = {
        "assignment": assignment,
        # Leaders' instructions show at the top for every department of the case; its lead answers.
        "instructions": instructions,
        "answer_assignment": assignment if answerer is not None and answerer.pk == assignment.pk else None,
        "demand": demand,
        "citizen_name": demand.citizen_name if show_contact else mask_name(demand.citizen_name),
        "citizen_phone": demand.citizen_phone if show_contact else mask_phone(demand.citizen_phone),
        "citizen_address": demand.citizen_address if show_contact else mask_address(demand.citizen_address),
        "show_contact": show_contact,
        "timeline": timeline,
        "notes": [event for event in timeline if event.action == Action.NOTE],
        "replies": demand.replies.select_related("department"),
        # For the lead, its assisting departments have a card of their own (`assists`).
        "others": [o for o in others if not (o.is_assisting and assignment.role == AssignmentRole.LEAD)],
        # The department's own other assignments of the case (a reopened or re-dispatched one) link.
        "my_departments": department_ids_for(request.user, *DEPARTMENT_ROLES),
        "merged_from": merged_into(demand),
        "pending_extension": assignment.extensions.filter(status=ExtensionStatus.PENDING).first(),
        "decided_extension": assignment.extensions.exclude(status=ExtensionStatus.PENDING).first(),
        # The lead follows its assisting departments' parts: each one's own deadline, where it
        # stands against it, and its extension requests.
        "assists": [other for other in others if other.is_assisting] if assignment.role == AssignmentRole.LEAD else [],
        "is_lead": assignment.role == AssignmentRole.LEAD,
        "reply_form": _reply_form(request, assignment, templates),
        "waiting_assists": [other for other in others if other.is_assisting and other.is_open]
        if assignment.role == AssignmentRole.LEAD
        else [],
        "return_form": _return_form(assignment, candidates),
        "extension_form": ExtensionForm(auto_id="extension_%s"),
        "disclose_form": DiscloseForm(auto_id="contact_%s"),
        "info_request": pending_info_request(demand),
        "info_form": InfoRequestForm(auto_id="ask_%s"),
        "supervision": Supervision.objects.filter(assignment=assignment).first(),
        "supervision_form": SupervisionAnswerForm(auto_id="supervision_%s"),
        "templates": templates,
        "return_closes": return_window_closes(assignment),
        "routing_basis": basis,
        "routing_words": basis.get("matched", []) if basis else [],
        "note_form": NoteForm(auto_id="note_%s"),
        "now": timezone.now(),
        **_review_context(request, assignment),
        **_delegation_context(request, assignment),
    }
    return render(request, "dispatch/assignment_detail.html", context)


def _review_context(request: StaffRequest, assignment: Assignment) -> dict:
    """The reply held for review, with the decision form for its reviewer; or, when the last one
    was sent back, the reviewer's note (the reply form then holds the text to edit)."""
    latest = assignment.reply_reviews.select_related("reviewer", "submitted_by").first()
    pending = latest if latest is not None and latest.status == ReviewStatus.PENDING else None
    return {
        "review": pending,
        "review_form": ReviewDecisionForm(auto_id="review_%s", initial={"approve": "1"})
        if pending is not None and may_review(request.user, pending)
        else None,
        "sent_back": latest
        if latest is not None and latest.status == ReviewStatus.SENT_BACK and assignment.is_in_hand
        else None,
    }


def _delegation_context(request: StaffRequest, assignment: Assignment) -> dict[str, Any]:
    """The case passed down (下派) or inside the department (内部派单): what was passed and came
    back, and the forms to pass it: a street's staff to its communities, a head to its people."""
    delegations = delegations_of(assignment)
    open_kinds = {d.kind for d in delegations if d.is_open}
    communities = communities_of(assignment.department) if assignment.is_in_hand else []
    pass_down = None
    if communities and DelegationKind.DOWN not in open_kinds:
        pass_down = PassDownForm(auto_id="pass_down_%s", communities=[(c.pk, c.display_name) for c in communities])
    assign = None
    is_head = works_in(request.user, assignment.department, Role.HEAD)
    if assignment.is_open and is_head:
        holders = internal_holders(assignment.department)
        assign = InternalAssignForm(auto_id="assign_%s", holders=holders) if holders else None
    answer = latest_answer(assignment) if assignment.is_in_hand else None
    return {
        "delegations": delegations,
        "is_head": is_head,  # withdraws an internal assignment
        "pass_down_form": pass_down,
        "assign_form": assign,
        "community_answer": answer if answer is not None and DelegationKind.DOWN not in open_kinds else None,
    }


def _routing_candidates(assignment: Assignment) -> list[dict]:
    """The router's suggestions for the case, shown to its lead: what the suggestion of it rested
    on (the keywords it found, how similar past cases went), so the lead can judge quickly whether
    the case is really theirs, and which department it would have suggested next."""
    routing = latest_routing(assignment.demand) if assignment.role == AssignmentRole.LEAD else None
    return routing.candidates if routing else []


def _return_form(assignment: Assignment, candidates: list[dict]) -> ReturnForm:
    """The return form, offering the router's next suggestion as the department to suggest where
    there is a sure enough one; otherwise the handler is asked to choose."""
    following = department_to_suggest(assignment.demand, candidates)
    form = ReturnForm(
        auto_id="return_%s", own_department_id=assignment.department_id, initial={"suggested_department": following}
    )
    field = form.fields["suggested_department"]
    if following is not None:
        field.help_text = _("已预选路由建议中的下一个部门，可更改。")
    else:
        field.help_text = _("请选择您认为应当承办的部门；不清楚可留空，由分拨中心判断。")
    return form


def _reply_form(request: HttpRequest, assignment: Assignment, templates: list[tuple[ReplyTemplate, str]]) -> ReplyForm:
    initial = _template_initial(request, templates)
    draft = request.session.pop(_draft_key(assignment.pk), "")
    if not draft:
        # A reply sent back by its reviewer comes back into the box, to edit and submit again.
        latest = assignment.reply_reviews.first()
        draft = latest.body if latest is not None and latest.status == ReviewStatus.SENT_BACK else ""
    if draft and not initial:
        initial = {"body": draft}
    if not initial and assignment.is_in_hand:
        # The community's (or section's) answer to the case passed down is the reply's first draft.
        answered = latest_answer(assignment)
        if answered is not None:
            initial = {"body": answered.answer}
    form = ReplyForm(initial=initial, auto_id="reply_%s")
    if assignment.role != AssignmentRole.LEAD:
        form.fields["body"].label = _("协办意见")
    return form


def _template_initial(request: HttpRequest, templates: list[tuple[ReplyTemplate, str]]) -> dict:
    """Without JavaScript, choosing a template reloads the page with it in the reply box."""
    chosen = request.GET.get("template", "")
    for template, body in templates:
        if str(template.pk) == chosen:
            return {"body": body}
    return {}


def _back(assignment_id: int) -> HttpResponse:
    return redirect("workbench-assignment", assignment_id=assignment_id)


@require_POST
@department_required
def sign(request: StaffRequest, assignment_id: int) -> HttpResponse:
    _assignment(request, assignment_id)
    perform(request, lambda: assignment_sign(assignment_id=assignment_id, actor=request.user), _("已签收。"))
    return _back(assignment_id)


@require_POST
@department_required
def reply(request: StaffRequest, assignment_id: int) -> HttpResponse:
    assignment = _assignment(request, assignment_id)
    if assignment.role == AssignmentRole.LEAD:
        done = perform_form(
            request,
            ReplyForm,
            lambda data: assignment_reply(assignment_id=assignment_id, actor=request.user, body=data["body"]),
            "",
        )
        if done:
            held = pending_review(assignment_id)
            if held is None:
                messages.success(request, _("已答复群众。"))
            elif held.stage == ReviewStage.DEPARTMENT:
                messages.success(request, _("答复已提交，待部门负责人审核通过后发送群众。"))
            else:
                messages.success(request, _("答复已提交，待分拨中心审核通过后发送群众。"))
    else:
        done = perform_form(
            request,
            ReplyForm,
            lambda data: assignment_contribute(assignment_id=assignment_id, actor=request.user, body=data["body"]),
            _("已提交协办意见。"),
        )
    if not done:  # refused (say, assisting departments still to answer): the text is not lost
        request.session[_draft_key(assignment_id)] = request.POST.get("body", "")
    return _back(assignment_id)


def _draft_key(assignment_id: int) -> str:
    return f"reply-draft-{assignment_id}"


@require_POST
@department_required
def return_case(request: StaffRequest, assignment_id: int) -> HttpResponse:
    _assignment(request, assignment_id)
    perform_form(
        request,
        ReturnForm,
        lambda data: assignment_return(
            assignment_id=assignment_id,
            actor=request.user,
            reason_code=data["reason_code"],
            reason=data["reason"],
            suggested_department_id=data["suggested_department"],
        ),
        _("已退单，等待分拨中心裁定。"),
    )
    return _back(assignment_id)


@require_POST
@department_required
def request_extension(request: StaffRequest, assignment_id: int) -> HttpResponse:
    _assignment(request, assignment_id)
    perform_form(
        request,
        ExtensionForm,
        lambda data: extension_request(
            assignment_id=assignment_id, actor=request.user, extra_days=data["extra_days"], reason=data["reason"]
        ),
        _("已提交延期申请。"),
    )
    return _back(assignment_id)


@require_POST
@department_required
def disclose_contact(request: StaffRequest, assignment_id: int) -> HttpResponse:
    """Unmask the citizen's contact details for this session; the disclosure is recorded."""
    assignment = _assignment(request, assignment_id)
    if perform_form(
        request,
        DiscloseForm,
        lambda data: demand_disclose_contact(demand=assignment.demand, user=request.user, purpose=data["purpose"]),
        _("已显示联系方式，本次查看已记录。"),
    ):
        request.session["disclosed"] = sorted(set(request.session.get("disclosed", [])) | {assignment.demand_id})
    return _back(assignment_id)


@require_POST
@department_required
def ask_citizen(request: StaffRequest, assignment_id: int) -> HttpResponse:
    _assignment(request, assignment_id)
    perform_form(
        request,
        InfoRequestForm,
        lambda data: info_request_ask(assignment_id=assignment_id, actor=request.user, question=data["question"]),
        _("已请群众补充信息，等待期间暂停计时。"),
    )
    return _back(assignment_id)


@require_POST
@department_required
def stop_waiting(request: StaffRequest, assignment_id: int) -> HttpResponse:
    _assignment(request, assignment_id)
    perform(
        request,
        lambda: info_request_withdraw(assignment_id=assignment_id, actor=request.user),
        _("已不再等待群众补充，恢复计时。"),
    )
    return _back(assignment_id)


@require_POST
@department_required
def answer_supervision(request: StaffRequest, assignment_id: int) -> HttpResponse:
    assignment = _assignment(request, assignment_id)
    supervision = Supervision.objects.filter(assignment=assignment).first()
    if supervision is None:
        raise Http404
    perform_form(
        request,
        SupervisionAnswerForm,
        lambda data: supervision_answer(supervision_id=supervision.pk, actor=request.user, response=data["response"]),
        _("已反馈督办。"),
    )
    return _back(assignment_id)


@require_POST
@department_required
def answer_instruction(request: StaffRequest, assignment_id: int, instruction_id: int) -> HttpResponse:
    """The lead department answers a leader's instruction on the case (批示反馈)."""
    assignment = _assignment(request, assignment_id)
    instruction = LeaderInstruction.objects.filter(pk=instruction_id, demand_id=assignment.demand_id).first()
    if instruction is None:
        raise Http404
    perform_form(
        request,
        InstructionAnswerForm,
        lambda data: instruction_answer(instruction_id=instruction.pk, actor=request.user, answer=data["answer"]),
        _("已反馈领导批示。"),
    )
    return _back(assignment_id)


@require_POST
@department_required
def note(request: StaffRequest, assignment_id: int) -> HttpResponse:
    assignment = _assignment(request, assignment_id)
    perform_form(
        request,
        NoteForm,
        lambda data: case_note(demand_id=assignment.demand_id, actor=request.user, body=data["body"]),
        _("已发送，其他办理部门会收到通知。"),
    )
    return _back(assignment_id)


def _own_departments(request: HttpRequest) -> list[Department]:
    return list(Department.objects.filter(pk__in=department_ids_for(request.user, *DEPARTMENT_ROLES)))


@department_required
def reply_templates(request: StaffRequest) -> HttpResponse:
    departments = _own_departments(request)
    form = ReplyTemplateForm(request.POST or None, departments=departments)
    if request.method == "POST":
        if "delete" in request.POST:
            perform(
                request,
                lambda: reply_template_delete(actor=request.user, template_id=int(request.POST["delete"])),
                _("已删除模板。"),
            )
            return redirect("workbench-templates")
        if perform_form(
            request,
            lambda data: ReplyTemplateForm(data, departments=departments),
            lambda data: reply_template_save(
                actor=request.user, department_id=data["department"], title=data["title"], body=data["body"]
            ),
            _("已保存模板。"),
        ):
            return redirect("workbench-templates")
    templates = ReplyTemplate.objects.filter(department__in=departments).select_related("department", "created_by")
    shared = ReplyTemplate.objects.filter(department__isnull=True)
    return render(request, "dispatch/reply_templates.html", {"form": form, "templates": templates, "shared": shared})
