"""What the API answers: demands, events, routing and assignments, as each reader may see them."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from demands.merges import original_of
from demands.models import CitizenMessage, Demand, DemandEvent
from demands.privacy import mask_name, mask_phone
from demands.selectors import public_timeline
from departments.access import READ_ALL_ROLES, has_role
from dispatch.models import Assignment, DeadlineState, Delegation, ExtensionRequest, ReplyReview, ReviewStatus
from dispatch.selectors import latest_routing
from routing.models import RoutingResult


class EventOutput(serializers.ModelSerializer):
    department = serializers.CharField(source="department.name", default=None)

    class Meta:
        model = DemandEvent
        fields = ["action", "from_status", "to_status", "actor_label", "department", "reason", "created_at"]


class PublicEventOutput(EventOutput):
    """What a citizen sees of an event: the wording written to them or by them, nothing internal."""

    reason = serializers.SerializerMethodField()

    def get_reason(self, event: DemandEvent) -> str:
        return event.reason if event.reason_is_for_citizens else ""


class PublicDemandOutput(serializers.ModelSerializer):
    """What a citizen sees of their own demand."""

    status_label = serializers.CharField(source="status_for_citizen")  # as the tracking page says it
    lead_department = serializers.CharField(source="lead_department.name", default=None)
    timeline = serializers.SerializerMethodField()
    replies = serializers.SerializerMethodField()

    class Meta:
        model = Demand
        fields = [
            "tracking_number", "demand_type", "title", "content", "status", "status_label", "lead_department",
            "submitted_at", "due_at", "replied_at", "closed_at", "rating", "timeline", "replies",
        ]  # fmt: skip

    def get_timeline(self, demand: Demand) -> list[dict[str, Any]]:
        return [PublicEventOutput(event).data for event in public_timeline(demand)]

    def get_replies(self, demand: Demand) -> list[dict[str, Any]]:
        # A merged demand shares the answer of the demand it repeats (at the end of any chain).
        answers = (original_of(demand) or demand).replies.filter(is_contribution=False).select_related("department")
        return [{"department": r.department.name, "body": r.body, "created_at": r.created_at} for r in answers]


class StaffDemandOutput(serializers.ModelSerializer):
    """What staff see: citizen contact details masked, as everywhere outside the contact action."""

    citizen_name = serializers.SerializerMethodField()
    citizen_phone = serializers.SerializerMethodField()
    street = serializers.CharField(source="street.name", default=None)
    community = serializers.CharField(source="community.name", default=None)
    matter = serializers.CharField(source="matter.code", default=None)
    lead_department = serializers.CharField(source="lead_department.name", default=None)
    list_version = serializers.IntegerField(source="list_version.number", default=None)

    class Meta:
        model = Demand
        fields = [
            "tracking_number", "channel", "demand_type", "title", "content", "location_text", "street", "community",
            "latitude", "longitude", "urgency", "status", "matter", "list_version", "lead_department", "due_at", "rating", "reopen_count",
            "submitted_at", "replied_at", "closed_at", "citizen_name", "citizen_phone", "wants_text_messages",
        ]  # fmt: skip

    def get_citizen_name(self, demand: Demand) -> str:
        return mask_name(demand.citizen_name)

    def get_citizen_phone(self, demand: Demand) -> str:
        return mask_phone(demand.citizen_phone)


class TextMessageOutput(serializers.ModelSerializer):
    class Meta:
        model = CitizenMessage
        fields = ["kind", "status", "attempts", "last_error", "body", "created_at", "sent_at"]


class RoutingOutput(serializers.ModelSerializer):
    """The router's latest answer: up to three candidates (matter, lead department, confidence,
    matched words, reasons as data and as a sentence, the most similar past cases), under which
    list and router version, and whether it dispatched by itself."""

    list_version = serializers.IntegerField(source="list_version.number", default=None)

    class Meta:
        model = RoutingResult
        fields = ["router_version", "list_version", "confidence", "auto_dispatched", "candidates", "created_at"]


class DelegationOutput(serializers.ModelSerializer):
    tracking_number = serializers.CharField(source="assignment.demand.tracking_number")
    title = serializers.CharField(source="assignment.demand.title")
    from_department = serializers.CharField(source="assignment.department.name")
    holder = serializers.CharField(source="holder_name")
    to_department = serializers.CharField(source="to_department.name", allow_null=True, default=None)
    to_user = serializers.CharField(source="to_user.username", allow_null=True, default=None)

    class Meta:
        model = Delegation
        fields = [
            "id",
            "kind",
            "tracking_number",
            "title",
            "assignment",
            "from_department",
            "holder",
            "to_department",
            "to_user",
            "delegated_at",
            "deadline",
            "note",
            "status",
            "answer",
            "reason",
            "closed_at",
        ]


class StaffDemandDetailOutput(StaffDemandOutput):
    """One demand, with the text messages its citizen was sent and how their sending went, and,
    for the dispatch centre, what the router answered for it."""

    text_messages = TextMessageOutput(many=True, read_only=True)
    routing = serializers.SerializerMethodField()
    delegations = serializers.SerializerMethodField()

    class Meta(StaffDemandOutput.Meta):
        fields = [*StaffDemandOutput.Meta.fields, "text_messages", "routing", "delegations"]

    @extend_schema_field(DelegationOutput(many=True))
    def get_delegations(self, demand: Demand) -> list[dict[str, Any]]:
        """Passed down to a community or inside a department (下派 / 内部派单), oldest first."""
        rows = (
            Delegation.objects.filter(assignment__demand=demand)
            .select_related("assignment__demand", "assignment__department", "to_department", "to_user")
            .order_by("delegated_at", "pk")
        )
        return [DelegationOutput(row).data for row in rows]

    @extend_schema_field(RoutingOutput(allow_null=True))
    def get_routing(self, demand: Demand) -> dict | None:
        # Departments are not shown the suggestions: they name other demands (the similar cases).
        request = self.context.get("request")
        if request is None or not has_role(request.user, *READ_ALL_ROLES):
            return None
        routing = latest_routing(demand)
        return RoutingOutput(routing).data if routing else None


class ExtensionOutput(serializers.ModelSerializer):
    class Meta:
        model = ExtensionRequest
        fields = ["id", "status", "extra_days", "reason", "requested_at", "decided_at", "decision_note", "new_deadline"]


class AssignmentOutput(serializers.ModelSerializer):
    """One assignment. An assisting department's `handle_deadline` is its own part's (a share of the
    lead's time), and `lead_deadline` the lead's, which it must come in before."""

    tracking_number = serializers.CharField(source="demand.tracking_number")
    title = serializers.CharField(source="demand.title")
    department = serializers.CharField(source="department.name")
    # Where its reply waits for review (答复审核): "department", "centre", or null when none waits.
    review_stage = serializers.SerializerMethodField()
    deadline_state = serializers.ChoiceField(choices=DeadlineState.choices, allow_null=True, read_only=True)
    lead_deadline = serializers.DateTimeField(allow_null=True, read_only=True)
    extension = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = [
            "id", "tracking_number", "title", "department", "role", "status",
            "dispatched_at", "sign_deadline", "handle_deadline", "signed_at", "finished_at", "review_stage",
            "deadline_state", "lead_deadline", "extension",
        ]  # fmt: skip

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="department | centre | null"))
    def get_review_stage(self, assignment: Assignment) -> str | None:
        if hasattr(assignment, "pending_review_stage"):  # a list reads it with the rows
            return assignment.pending_review_stage
        return (
            ReplyReview.objects.filter(assignment=assignment, status=ReviewStatus.PENDING)
            .values_list("stage", flat=True)
            .first()
        )

    @extend_schema_field(ExtensionOutput(allow_null=True))
    def get_extension(self, assignment: Assignment) -> dict | None:
        """The latest extension request for this assignment's own deadline, pending or decided."""
        latest = next(iter(assignment.extensions.all()), None)  # newest first; prefetched on lists
        return ExtensionOutput(latest).data if latest else None
