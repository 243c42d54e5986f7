"""The dispatch officer's decisions on the desk: dispatch, reject, merge, rule on a return, decide an
extension, release an assisting department, propose a list amendment, decide a duplicate group;
and, on the same case page, a supervisor's supervision by hand, a leader's instruction and a rating
taken by phone."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from config.errors import ValidationFailed
from config.ids import id_from, ids_from
from demands.models import Demand
from departments.access import DISPATCH_ROLES, READ_ALL_ROLES, has_role
from departments.signed_in import StaffRequest
from dispatch.desk_queues import queue_rows
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
from dispatch.models import Assignment, ExtensionRequest, ExtensionStatus, ReturnRequest
from dispatch.services import (
    assignment_release,
    consultation_convene,
    demand_dispatch,
    demand_merge,
    demand_rate_by_phone,
    demand_reject,
    demand_set_type,
    duplicate_group_decide,
    extension_decide,
    instruction_record,
    return_rule,
    supervision_open,
)
from dispatch.services.closing import PHONE_RATING_ROLES
from dispatch.services.direct_answers import DIRECT_ANSWER_ROLES, demand_answer_directly
from dispatch.services.duplicates import GroupDecision
from dispatch.services.instructions import INSTRUCTION_ROLES
from dispatch.services.supervision import SUPERVISOR_ROLES
from dispatch.views.common import perform, perform_form, role_required
from dispatch.views.desk import triage_query
from responsibility_lists.amendments import amendment_file

dispatcher_required = role_required(*DISPATCH_ROLES)


def _next_in_triage(request: HttpRequest, dispatched: Demand) -> HttpResponse | None:
    """The next demand of the triage queue the officer was working through, under the same
    filters; or the queue itself, with word that it is done."""
    query = QueryDict(triage_query(QueryDict(request.POST.get("from_queue", ""))))
    if not query:
        return None
    following = queue_rows("triage", DeskFilterForm(query).filters()).exclude(pk=dispatched.pk).first()
    if following is None:
        messages.info(request, _("待人工分拨的诉求已全部处理。"))
        return redirect(f"{reverse('desk')}?{query.urlencode()}")
    return redirect(f"{reverse('desk-demand', args=[following.tracking_number])}?{query.urlencode()}")


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
def retype_demand(request: StaffRequest, tracking_number: str) -> HttpResponse:
    """The dispatcher corrects the type the citizen or the intake operator chose."""
    demand = get_object_or_404(Demand, tracking_number=tracking_number)
    perform_form(
        request,
        DemandTypeForm,
        lambda data: demand_set_type(demand_id=demand.pk, actor=request.user, demand_type=data["demand_type"]),
        _("诉求类型已更正。"),
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


@require_POST
@role_required(*SUPERVISOR_ROLES)
def supervise(request: StaffRequest, tracking_number: str) -> HttpResponse:
    """A supervisor puts the case under supervision by hand (人工督办)."""
    demand = get_object_or_404(Demand, tracking_number=tracking_number)
    perform_form(
        request,
        SuperviseForm,
        lambda data: supervision_open(
            demand_id=demand.pk,
            actor=request.user,
            note=data["note"],
            working_hours=data["working_hours"],
            respond_by=data["respond_by"],
        ),
        _("已列入督办，承办部门已收到通知。"),
    )
    return _back(tracking_number)


@require_POST
@dispatcher_required
def convene(request: StaffRequest, tracking_number: str) -> HttpResponse:
    """The record of a consultation on a hard case (疑难件会商); its decision re-dispatches the case."""
    demand = get_object_or_404(Demand, tracking_number=tracking_number)
    perform_form(
        request,
        ConveneForm,
        lambda data: consultation_convene(
            demand_id=demand.pk,
            actor=request.user,
            participant_ids=data["participants"],
            lead_id=data["lead"],
            assisting_ids=data["assisting"],
            decision=data["decision"],
            propose_amendment=data["propose_amendment"],
        ),
        _("已记录会商结果，并按会商意见重新派单。"),
    )
    return _back(tracking_number)


@require_POST
@role_required(*INSTRUCTION_ROLES)
def instruct(request: StaffRequest, tracking_number: str) -> HttpResponse:
    """A supervisor or an administrator records a leader's instruction on the case (领导批示)."""
    demand = get_object_or_404(Demand, tracking_number=tracking_number)
    perform_form(
        request,
        InstructionForm,
        lambda data: instruction_record(
            demand_id=demand.pk,
            actor=request.user,
            leader_name=data["leader_name"],
            text=data["text"],
            working_hours=data["working_hours"],
            respond_by=data["respond_by"],
        ),
        _("已录入领导批示，主办部门已收到通知。"),
    )
    return _back(tracking_number)


@require_POST
@role_required(*PHONE_RATING_ROLES)
def phone_rating(request: StaffRequest, tracking_number: str) -> HttpResponse:
    """The rating a citizen gave by phone, recorded for them. Back to the case page, or to the page
    it was recorded from (the callback staff's visit page: they do not read the desk's cases)."""
    demand = get_object_or_404(Demand, tracking_number=tracking_number)
    perform_form(
        request,
        PhoneRatingForm,
        lambda data: demand_rate_by_phone(
            demand_id=demand.pk,
            actor=request.user,
            rating=data["rating"],
            comment=data["comment"],
            reopen=data["reopen"],
        ),
        _("已记录群众的电话评价。"),
    )
    back = _back_to_queue(request)
    if back is None and not has_role(request.user, *READ_ALL_ROLES):
        return redirect("staff-home")
    return back or redirect("desk-demand", tracking_number=tracking_number)


@require_POST
@role_required(*DIRECT_ANSWER_ROLES)
def answer_directly(request: StaffRequest, tracking_number: str) -> HttpResponse:
    """A question answered at once (直接答复), from a suggested article or in one's own words."""
    demand = get_object_or_404(Demand, tracking_number=tracking_number)
    perform_form(
        request,
        DirectAnswerForm,
        lambda data: demand_answer_directly(
            demand_id=demand.pk, actor=request.user, body=data["body"], article_id=data["article"]
        ),
        _("%(number)s 已直接答复，群众将收到短信通知。") % {"number": tracking_number},
    )
    return _back(tracking_number, request)
