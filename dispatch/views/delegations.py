"""Pages of the territory: a street passes its case down to a community (下派), a head gives it to a
handler or a section (内部派单); the holder opens what it was given (the citizen's contact masked),
answers the department or sends the case back up (上报); the department withdraws."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from demands.privacy import mask_address, mask_name, mask_phone
from departments.access import works_in
from departments.models import DepartmentKind, Role
from departments.signed_in import StaffRequest
from dispatch.delegation_queries import communities_of, delegation_for_holder, internal_holders
from dispatch.forms.delegations import (
    DelegationAnswerForm,
    InternalAssignForm,
    PassDownForm,
    SendUpForm,
    WithdrawForm,
)
from dispatch.models import Delegation
from dispatch.services.delegations import (
    delegation_answer,
    delegation_pass_down,
    delegation_send_up,
    delegation_withdraw,
    internal_assign,
)
from dispatch.views.common import perform_form
from dispatch.views.workbench import _assignment, _back, department_required


@require_POST
@department_required
def pass_down(request: StaffRequest, assignment_id: int) -> HttpResponse:
    assignment = _assignment(request, assignment_id)
    if assignment.department.kind != DepartmentKind.STREET:
        raise PermissionDenied  # only a street office has communities to pass a case to
    communities = [(c.pk, c.display_name) for c in communities_of(assignment.department)]
    perform_form(
        request,
        lambda data: PassDownForm(data, communities=communities),
        lambda data: delegation_pass_down(
            assignment_id=assignment_id,
            actor=request.user,
            community_id=data["community"],
            note=data["note"],
            respond_by=data["respond_by"],
        ),
        _("已下派社区，社区答复前本单位办理时限照常计算。"),
    )
    return _back(assignment_id)


@require_POST
@department_required
def assign_internally(request: StaffRequest, assignment_id: int) -> HttpResponse:
    assignment = _assignment(request, assignment_id)
    if not works_in(request.user, assignment.department, Role.HEAD):
        raise PermissionDenied  # only the department's head gives its cases out
    holders = internal_holders(assignment.department)

    def assign(data: dict[str, Any]) -> Delegation:
        chosen = data["holder"]
        target = int(chosen[1:])
        return internal_assign(
            assignment_id=assignment_id,
            actor=request.user,
            user_id=target if chosen.startswith("u") else None,
            section_id=target if chosen.startswith("s") else None,
            note=data["note"],
            respond_by=data["respond_by"],
        )

    perform_form(request, lambda data: InternalAssignForm(data, holders=holders), assign, _("已内部派单。"))
    return _back(assignment_id)


@require_POST
@department_required
def withdraw(request: StaffRequest, assignment_id: int, delegation_id: int) -> HttpResponse:
    _assignment(request, assignment_id)
    if not Delegation.objects.filter(pk=delegation_id, assignment_id=assignment_id).exists():
        raise Http404
    perform_form(
        request,
        WithdrawForm,
        lambda data: delegation_withdraw(delegation_id=delegation_id, actor=request.user, reason=data["reason"]),
        _("已撤回下派。"),
    )
    return _back(assignment_id)


def _held(request: StaffRequest, delegation_id: int) -> Delegation:
    delegation = delegation_for_holder(request.user, delegation_id)
    if delegation is None:
        raise Http404
    return delegation


@department_required
def delegation_detail(request: StaffRequest, delegation_id: int) -> HttpResponse:
    """What the holder needs of the case: what the citizen asked, where, the department's note and
    deadline. Privacy by default: the citizen's contact stays masked, as for any other department."""
    delegation = _held(request, delegation_id)
    demand = delegation.assignment.demand
    context = {
        "delegation": delegation,
        "demand": demand,
        "citizen_name": mask_name(demand.citizen_name),
        "citizen_phone": mask_phone(demand.citizen_phone),
        "citizen_address": mask_address(demand.citizen_address),
        "answer_form": DelegationAnswerForm(auto_id="answer_%s"),
        "send_up_form": SendUpForm(auto_id="send_up_%s"),
        "can_act": delegation.is_open and delegation.assignment.is_open,
        "now": timezone.now(),
    }
    return render(request, "dispatch/delegation_detail.html", context)


def _to_detail(delegation_id: int) -> HttpResponse:
    return redirect("workbench-delegation", delegation_id=delegation_id)


@require_POST
@department_required
def answer(request: StaffRequest, delegation_id: int) -> HttpResponse:
    _held(request, delegation_id)
    perform_form(
        request,
        DelegationAnswerForm,
        lambda data: delegation_answer(delegation_id=delegation_id, actor=request.user, body=data["body"]),
        _("已答复，上级单位会收到通知。"),
    )
    return _to_detail(delegation_id)


@require_POST
@department_required
def send_up(request: StaffRequest, delegation_id: int) -> HttpResponse:
    _held(request, delegation_id)
    perform_form(
        request,
        SendUpForm,
        lambda data: delegation_send_up(delegation_id=delegation_id, actor=request.user, reason=data["reason"]),
        _("已上报，诉求退回上级单位处理。"),
    )
    return _to_detail(delegation_id)
