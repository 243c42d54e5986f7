"""Leaders' instructions on a case (领导批示): recorded by a supervisor or an administrator, answered
by the case's lead department (批示反馈); and a dispatcher's consultation on a hard case (疑难件会商)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.response import Response

from config.errors import NotAllowed
from departments.access import has_role
from departments.signed_in import SignedInApi, StaffApiRequest
from dispatch.api.idempotency import IdempotentCreate
from dispatch.models import HardCaseConsultation, LeaderInstruction
from dispatch.selectors import demands_visible_to
from dispatch.services import consultation_convene, instruction_answer, instruction_record
from dispatch.services.assignments import require_dispatcher
from dispatch.services.instructions import INSTRUCTION_ROLES


class InstructionOutput(serializers.ModelSerializer):
    tracking_number = serializers.CharField(source="demand.tracking_number")
    answered_department = serializers.CharField(source="answered_department.name", allow_null=True, default=None)

    class Meta:
        model = LeaderInstruction
        fields = [
            "id",
            "tracking_number",
            "leader_name",
            "text",
            "deadline",
            "created_at",
            "answer",
            "answered_department",
            "answered_at",
        ]


class DemandInstructionsApi(IdempotentCreate, SignedInApi):
    """A supervisor or an administrator records a leader's instruction on a case: the leader's
    name, the instruction, and a response deadline in working hours or as a date (one of the two)."""

    output_statuses = (201,)
    Output = InstructionOutput

    class Input(serializers.Serializer):
        leader_name = serializers.CharField(max_length=64)
        text = serializers.CharField(max_length=2000)
        working_hours = serializers.DecimalField(
            max_digits=5, decimal_places=1, required=False, allow_null=True, default=None
        )
        respond_by = serializers.DateField(required=False, allow_null=True, default=None)

    def post(self, request: StaffApiRequest, tracking_number: str) -> Response:
        if not has_role(request.user, *INSTRUCTION_ROLES):
            raise NotAllowed(_("只有督办员或管理员可以录入领导批示。"))
        demand = get_object_or_404(demands_visible_to(request.user), tracking_number=tracking_number)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        instruction = instruction_record(demand_id=demand.pk, actor=request.user, **data.validated_data)
        return Response(InstructionOutput(instruction).data, status=201)


class InstructionAnswerApi(IdempotentCreate, SignedInApi):
    """The case's lead department answers a leader's instruction (批示反馈)."""

    Output = InstructionOutput

    class Input(serializers.Serializer):
        answer = serializers.CharField(max_length=2000)

    def post(self, request: StaffApiRequest, tracking_number: str, instruction_id: int) -> Response:
        demand = get_object_or_404(demands_visible_to(request.user), tracking_number=tracking_number)
        instruction = get_object_or_404(LeaderInstruction, pk=instruction_id, demand=demand)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        instruction = instruction_answer(
            instruction_id=instruction.pk, actor=request.user, answer=data.validated_data["answer"]
        )
        return Response(InstructionOutput(instruction).data)


class ConsultationOutput(serializers.ModelSerializer):
    tracking_number = serializers.CharField(source="demand.tracking_number")
    participants = serializers.SerializerMethodField()
    lead = serializers.CharField(source="lead.name")
    assisting = serializers.SerializerMethodField()
    proposal = serializers.IntegerField(source="proposal_id", allow_null=True)

    def get_participants(self, consultation: HardCaseConsultation) -> list[str]:
        return [d.name for d in consultation.participants.all()]

    def get_assisting(self, consultation: HardCaseConsultation) -> list[str]:
        return [d.name for d in consultation.assisting.all()]

    class Meta:
        model = HardCaseConsultation
        fields = ["id", "tracking_number", "participants", "lead", "assisting", "decision", "proposal", "created_at"]


class DemandConveneApi(IdempotentCreate, SignedInApi):
    """A dispatcher records a consultation on a hard case (疑难件会商): the departments that took
    part, the one that leads and those that assist (both among them), the decision, and whether to
    propose that the list name the lead for the case's matter. The decision re-dispatches the case."""

    output_statuses = (201,)
    Output = ConsultationOutput

    class Input(serializers.Serializer):
        participants = serializers.ListField(child=serializers.IntegerField(), min_length=2)
        lead = serializers.IntegerField()
        assisting = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
        decision = serializers.CharField(max_length=2000)
        propose_amendment = serializers.BooleanField(required=False, default=False)

    def post(self, request: StaffApiRequest, tracking_number: str) -> Response:
        require_dispatcher(request.user)
        demand = get_object_or_404(demands_visible_to(request.user), tracking_number=tracking_number)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        given = data.validated_data
        consultation = consultation_convene(
            demand_id=demand.pk,
            actor=request.user,
            participant_ids=given["participants"],
            lead_id=given["lead"],
            assisting_ids=given["assisting"],
            decision=given["decision"],
            propose_amendment=given["propose_amendment"],
        )
        return Response(ConsultationOutput(consultation).data, status=201)
