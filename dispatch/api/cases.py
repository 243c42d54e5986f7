"""Departments' operations on the cases (assignments) they were given."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _
from rest_framework import exceptions, generics, serializers
from rest_framework.response import Response

from config.errors import IllegalTransition, NotAllowed
from departments.access import DISPATCH_ROLES, has_role
from departments.signed_in import SignedInApi, StaffApiRequest
from dispatch.api.idempotency import IdempotentCreate
from dispatch.api.outputs import (
    AssignmentOutput,
)
from dispatch.models import Assignment, ReplyReview, ReturnReason, ReviewStatus, Supervision
from dispatch.selectors import assignment_for_user, department_inbox
from dispatch.services import (
    assignment_contribute,
    assignment_release,
    assignment_reply,
    assignment_return,
    assignment_sign,
    extension_request,
    info_request_ask,
    info_request_withdraw,
    supervision_answer,
)


class AssignmentListApi(SignedInApi, generics.ListAPIView):
    serializer_class = AssignmentOutput
    cursor_ordering = ("handle_deadline", "pk")  # most urgent first

    def get_queryset(self):
        held = ReplyReview.objects.filter(assignment=OuterRef("pk"), status=ReviewStatus.PENDING)
        inbox = department_inbox(self.request.user, open_only=self.request.query_params.get("all") != "1")
        return (
            inbox.with_lead_deadline()
            .prefetch_related("extensions")
            .annotate(pending_review_stage=Subquery(held.values("stage")[:1]))
        )


class AssignmentActionApi(IdempotentCreate, SignedInApi):
    """A department's action on one of its own assignments; another department's is a 404."""

    Input: type[serializers.Serializer] | None = None
    Output = AssignmentOutput

    def act(self, assignment: Assignment, data: dict[str, Any]) -> object:
        raise NotImplementedError

    def post(self, request: StaffApiRequest, assignment_id: int) -> Response:
        assignment = assignment_for_user(request.user, assignment_id)
        if assignment is None:
            raise exceptions.NotFound
        validated: dict[str, Any] = {}
        if self.Input is not None:
            data = self.Input(data=request.data)
            data.is_valid(raise_exception=True)
            validated = data.validated_data
        self.act(assignment, validated)
        assignment.refresh_from_db()
        return Response(AssignmentOutput(assignment).data)


class AssignmentSignApi(AssignmentActionApi):
    def act(self, assignment: Assignment, data: dict[str, Any]) -> object:
        return assignment_sign(assignment_id=assignment.pk, actor=self.request.user)


class AssignmentReplyApi(AssignmentActionApi):
    class Input(serializers.Serializer):
        body = serializers.CharField()

    def act(self, assignment: Assignment, data: dict[str, Any]) -> object:
        return assignment_reply(assignment_id=assignment.pk, actor=self.request.user, body=data["body"])


class AssignmentContributeApi(AssignmentActionApi):
    class Input(serializers.Serializer):
        body = serializers.CharField()

    def act(self, assignment: Assignment, data: dict[str, Any]) -> object:
        return assignment_contribute(assignment_id=assignment.pk, actor=self.request.user, body=data["body"])


class AssignmentReturnApi(AssignmentActionApi):
    class Input(serializers.Serializer):
        reason_code = serializers.ChoiceField(choices=ReturnReason.choices)
        reason = serializers.CharField()
        suggested_department_id = serializers.IntegerField(required=False, allow_null=True, default=None)

    def act(self, assignment: Assignment, data: dict[str, Any]) -> object:
        return assignment_return(assignment_id=assignment.pk, actor=self.request.user, **data)


class AssignmentExtensionApi(AssignmentActionApi):
    class Input(serializers.Serializer):
        extra_days = serializers.DecimalField(max_digits=4, decimal_places=1)
        reason = serializers.CharField()

    def act(self, assignment: Assignment, data: dict[str, Any]) -> object:
        return extension_request(assignment_id=assignment.pk, actor=self.request.user, **data)


class AssignmentAskCitizenApi(AssignmentActionApi):
    class Input(serializers.Serializer):
        question = serializers.CharField()

    def act(self, assignment: Assignment, data: dict[str, Any]) -> object:
        return info_request_ask(assignment_id=assignment.pk, actor=self.request.user, question=data["question"])


class AssignmentStopWaitingApi(AssignmentActionApi):
    def act(self, assignment: Assignment, data: dict[str, Any]) -> object:
        return info_request_withdraw(assignment_id=assignment.pk, actor=self.request.user)


class AssignmentSupervisionAnswerApi(AssignmentActionApi):
    class Input(serializers.Serializer):
        response = serializers.CharField()

    def act(self, assignment: Assignment, data: dict[str, Any]) -> object:
        supervision = Supervision.objects.filter(assignment=assignment).first()
        if supervision is None:
            raise IllegalTransition(_("该派单没有督办。"))
        return supervision_answer(supervision_id=supervision.pk, actor=self.request.user, response=data["response"])


class AssignmentReleaseApi(IdempotentCreate, SignedInApi):
    Output = AssignmentOutput

    class Input(serializers.Serializer):
        reason = serializers.CharField()

    def post(self, request: StaffApiRequest, assignment_id: int) -> Response:
        if not has_role(request.user, *DISPATCH_ROLES):
            raise NotAllowed(_("只有分拨员可以解除协办。"))
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = assignment_release(
            assignment_id=assignment_id, actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(AssignmentOutput(assignment).data)
