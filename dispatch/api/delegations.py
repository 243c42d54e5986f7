"""Down and up the territory over the API: a street office passes its case to a community (下派), a
head gives it to a handler or section (内部派单); the holder lists what it holds, answers or sends it
up (上报); the department withdraws."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions, generics, serializers
from rest_framework.response import Response

from config.errors import NotAllowed
from departments.access import works_in
from departments.models import DepartmentKind, Role
from departments.signed_in import SignedInApi, StaffApiRequest
from dispatch.api.outputs import DelegationOutput
from dispatch.delegation_queries import delegation_for_holder, held_delegations
from dispatch.models import Assignment, Delegation
from dispatch.selectors import assignment_for_user
from dispatch.services.delegations import (
    delegation_answer,
    delegation_pass_down,
    delegation_send_up,
    delegation_withdraw,
    internal_assign,
)


def _assignment_or_404(request: StaffApiRequest, assignment_id: int) -> Assignment | None:
    return assignment_for_user(request.user, assignment_id)


class AssignmentDelegateApi(SignedInApi):
    """A street office passes its case in hand to one of its communities (下派), with a note and a
    deadline date inside its own (by default a working day before its own)."""

    output_statuses = (201,)
    Output = DelegationOutput

    class Input(serializers.Serializer):
        community = serializers.IntegerField()
        note = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)
        respond_by = serializers.DateField(required=False, allow_null=True, default=None)

    def post(self, request: StaffApiRequest, assignment_id: int) -> Response:
        assignment = _assignment_or_404(request, assignment_id)
        if assignment is None:
            raise exceptions.NotFound
        if assignment.department.kind != DepartmentKind.STREET:
            raise NotAllowed(_("只有街道办事处可以下派社区。"))
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        given: dict[str, Any] = data.validated_data
        delegation = delegation_pass_down(
            assignment_id=assignment.pk,
            actor=request.user,
            community_id=given["community"],
            note=given["note"],
            respond_by=given["respond_by"],
        )
        return Response(DelegationOutput(delegation).data, status=201)


class AssignmentInternalAssignApi(SignedInApi):
    """A department head gives the department's case to one of its handlers (`user`) or sections
    (`section`), one of the two (内部派单)."""

    output_statuses = (201,)
    Output = DelegationOutput

    class Input(serializers.Serializer):
        user = serializers.IntegerField(required=False, allow_null=True, default=None)
        section = serializers.IntegerField(required=False, allow_null=True, default=None)
        note = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)
        respond_by = serializers.DateField(required=False, allow_null=True, default=None)

    def post(self, request: StaffApiRequest, assignment_id: int) -> Response:
        assignment = _assignment_or_404(request, assignment_id)
        if assignment is None:
            raise exceptions.NotFound
        if not works_in(request.user, assignment.department, Role.HEAD):
            raise NotAllowed(_("只有本部门负责人可以内部派单。"))
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        given: dict[str, Any] = data.validated_data
        delegation = internal_assign(
            assignment_id=assignment.pk,
            actor=request.user,
            user_id=given["user"],
            section_id=given["section"],
            note=given["note"],
            respond_by=given["respond_by"],
        )
        return Response(DelegationOutput(delegation).data, status=201)


class DelegationListApi(SignedInApi, generics.ListAPIView):
    """The open cases passed down to the person's community or section, or to them by name."""

    serializer_class = DelegationOutput
    cursor_ordering = ("deadline", "pk")  # due soonest first

    def get_queryset(self):
        return held_delegations(self.request.user)


class DelegationHolderApi(SignedInApi):
    """The holder's answer to a delegation: another's delegation is a 404."""

    Output = DelegationOutput
    Input: type[serializers.Serializer] | None = None

    def act(self, delegation: Delegation, data: dict[str, Any]) -> Delegation:
        raise NotImplementedError

    def post(self, request: StaffApiRequest, delegation_id: int) -> Response:
        delegation = delegation_for_holder(request.user, delegation_id)
        if delegation is None:
            raise exceptions.NotFound
        assert self.Input is not None
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(DelegationOutput(self.act(delegation, data.validated_data)).data)


class DelegationAnswerApi(DelegationHolderApi):
    """The community (or section, or handler) answers the department that passed the case down."""

    class Input(serializers.Serializer):
        body = serializers.CharField(max_length=4000)

    def act(self, delegation: Delegation, data: dict[str, Any]) -> Delegation:
        return delegation_answer(delegation_id=delegation.pk, actor=self.request.user, body=data["body"])


class DelegationSendUpApi(DelegationHolderApi):
    """The holder cannot solve it: it goes back up (上报) with the reason."""

    class Input(serializers.Serializer):
        reason = serializers.CharField(max_length=2000)

    def act(self, delegation: Delegation, data: dict[str, Any]) -> Delegation:
        return delegation_send_up(delegation_id=delegation.pk, actor=self.request.user, reason=data["reason"])


class DelegationWithdrawApi(SignedInApi):
    """The department takes back an open delegation of its case."""

    Output = DelegationOutput

    class Input(serializers.Serializer):
        reason = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)

    def post(self, request: StaffApiRequest, delegation_id: int) -> Response:
        assignment_id = Delegation.objects.filter(pk=delegation_id).values_list("assignment_id", flat=True).first()
        if assignment_id is None or _assignment_or_404(request, assignment_id) is None:
            raise exceptions.NotFound
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        delegation = delegation_withdraw(
            delegation_id=delegation_id, actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(DelegationOutput(delegation).data)
