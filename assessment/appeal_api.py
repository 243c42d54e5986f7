"""The API of appeals (申诉), as on the appeals page."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import generics, serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from assessment.appeals import DECIDERS, READERS, appeal_decide, appeal_submit, appeals_visible_to
from assessment.models import Appeal
from config.errors import NotAllowed, ValidationFailed
from config.parsers import BoundedJSONParser
from config.uploads import upload_refusal
from departments.access import has_role
from departments.models import Role
from departments.signed_in import SignedInApi, StaffApiRequest


@extend_schema_field(OpenApiTypes.BINARY)
class EvidenceField(serializers.FileField):
    """An uploaded file: the schema says so (a bare FileField reads as a URI there)."""


class AppealOutput(serializers.ModelSerializer):
    tracking_number = serializers.CharField(source="assignment.demand.tracking_number")
    department = serializers.CharField(source="department.code")
    evidence_url = serializers.SerializerMethodField(help_text="where the evidence downloads; null when none")

    class Meta:
        model = Appeal
        fields = [
            "id",
            "tracking_number",
            "department",
            "period",
            "reason",
            "status",
            "submitted_at",
            "decided_at",
            "decision_reason",
            "evidence_url",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_evidence_url(self, appeal: Appeal) -> str | None:
        return reverse("appeal-evidence", args=[appeal.pk]) if appeal.evidence else None


class AppealListApi(SignedInApi, generics.ListAPIView):
    """Appeals: a head sees their departments', an auditor every one."""

    serializer_class = AppealOutput
    cursor_ordering = ("-submitted_at", "-pk")  # newest first

    def list(self, request, *args, **kwargs):
        if not has_role(request.user, *READERS):
            raise NotAllowed(_("只有部门负责人和考核员可以查看考核申诉。"))
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        return appeals_visible_to(self.request.user)


class AppealSubmitApi(SignedInApi):
    """A department head appeals a case of the month just closed (see the appeals page). The
    evidence, when there is one, comes as multipart/form-data and is checked as the page's is."""

    output_statuses = (201,)
    Output = AppealOutput
    # JSON without evidence, or a multipart form with it: no other body can carry a file.
    parser_classes = [BoundedJSONParser, MultiPartParser]

    class Input(serializers.Serializer):
        assignment_id = serializers.IntegerField(min_value=1)
        reason = serializers.CharField(max_length=2000)
        evidence = EvidenceField(
            required=False, help_text="a JPG, PNG or WEBP image or a PDF (multipart/form-data only)"
        )

    def post(self, request: StaffApiRequest) -> Response:
        if not has_role(request.user, Role.HEAD):
            raise NotAllowed(_("只有部门负责人可以申诉。"))
        data = self.Input(data=request.data)
        # Reading the body may have dropped the file for its size (config.uploads): say why,
        # rather than take the appeal without the evidence its sender meant to give.
        refusal = upload_refusal(request._request)
        if refusal:
            raise ValidationFailed(refusal, extra={"fields": {"evidence": refusal}})
        data.is_valid(raise_exception=True)
        appeal = appeal_submit(actor=request.user, **data.validated_data)
        return Response(AppealOutput(appeal).data, status=201)


class AppealRuleApi(SignedInApi):
    """An auditor upholds or rejects an appeal, with the reason."""

    Output = AppealOutput

    class Input(serializers.Serializer):
        upheld = serializers.BooleanField()
        reason = serializers.CharField(max_length=2000)

    def post(self, request: StaffApiRequest, appeal_id: int) -> Response:
        if not has_role(request.user, *DECIDERS):
            raise NotAllowed(_("只有考核员可以裁定申诉。"))
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        appeal = appeal_decide(actor=request.user, appeal_id=appeal_id, **data.validated_data)
        return Response(AppealOutput(appeal).data)
