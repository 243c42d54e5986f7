"""The callback visit queue in the API: the due visits by deadline, and one call recorded through
the same service as the page. The citizen's phone is masked here: it is shown in full only on the
visit's page, where each view of it is recorded."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from rest_framework import generics, serializers
from rest_framework.response import Response

from assessment.models import CallbackVisit, Resolution, Satisfaction
from assessment.visit_calls import CallOutcome, require_callback_officer, visit_record
from assessment.visit_queries import answer_of, may_read_visits, visits_due
from config.errors import NotAllowed
from demands.privacy import mask_phone
from departments.signed_in import SignedInApi, StaffApiRequest


class VisitOutput(serializers.ModelSerializer):
    tracking_number = serializers.CharField(source="demand.tracking_number")
    title = serializers.CharField(source="demand.title")
    department = serializers.CharField(source="department.code")
    citizen_phone = serializers.SerializerMethodField(help_text="masked")
    answer = serializers.SerializerMethodField(help_text="the reply the visit asks about")

    class Meta:
        model = CallbackVisit
        fields = [
            "id", "tracking_number", "title", "department", "answer_round", "answered_at", "due_at", "status",
            "attempts", "contacted_in_time", "resolution", "satisfaction", "notes", "finished_at", "citizen_phone",
            "answer",
        ]  # fmt: skip

    def get_citizen_phone(self, visit: CallbackVisit) -> str:
        return mask_phone(visit.demand.citizen_phone)

    def get_answer(self, visit: CallbackVisit) -> str:
        reply = answer_of(visit)
        return reply.body if reply else ""


class VisitListApi(SignedInApi, generics.ListAPIView):
    """The due visits, earliest deadline (overdue) first."""

    serializer_class = VisitOutput
    cursor_ordering = ("due_at", "pk")  # overdue first

    def get_queryset(self):
        return visits_due()

    def list(self, request, *args, **kwargs):
        if not may_read_visits(request.user):
            raise NotAllowed(_("只有回访员、督办员和管理员可以查看回访。"))
        return super().list(request, *args, **kwargs)


class VisitRecordApi(SignedInApi):
    Output = VisitOutput

    class Input(serializers.Serializer):
        reached = serializers.BooleanField()
        contacted_in_time = serializers.BooleanField(required=False, allow_null=True, default=None)
        resolution = serializers.ChoiceField(choices=Resolution.choices, required=False, default="")
        satisfaction = serializers.ChoiceField(choices=Satisfaction.choices, required=False, default="")
        notes = serializers.CharField(required=False, default="", allow_blank=True)
        reopen = serializers.BooleanField(required=False, default=False, help_text="reopen the case (重办)")
        reopen_reason = serializers.CharField(required=False, default="", allow_blank=True)

    def post(self, request: StaffApiRequest, visit_id: int) -> Response:
        require_callback_officer(request.user)
        get_object_or_404(CallbackVisit, pk=visit_id)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        visit = visit_record(visit_id=visit_id, actor=request.user, outcome=CallOutcome(**data.validated_data))
        visit.refresh_from_db()
        return Response(VisitOutput(visit).data)
