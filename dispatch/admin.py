from django.contrib import admin

from config.admin_mixins import ReadOnlyAdmin
from dispatch.models import (
    Assignment,
    CentreReviewRule,
    Delegation,
    DuplicateSuggestion,
    ExtensionRequest,
    HardCaseConsultation,
    InfoRequest,
    LeaderInstruction,
    Notification,
    ReplyReview,
    ReplyTemplate,
    ReturnRequest,
    Supervision,
)


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = [
        "demand",
        "department",
        "role",
        "status",
        "sign_deadline",
        "handle_deadline",
        "is_redispatch",
    ]
    list_filter = ["role", "status", "is_redispatch", "department"]
    search_fields = ["demand__tracking_number", "department__name"]


@admin.register(ReturnRequest)
class ReturnRequestAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "reason_code", "status", "requested_at", "ruled_at"]
    list_filter = ["reason_code", "status"]


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "extra_days", "status", "requested_at", "decided_at"]
    list_filter = ["status"]


@admin.register(InfoRequest)
class InfoRequestAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "status", "asked_at", "lapses_at", "closed_at"]
    list_filter = ["status"]


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "department", "created_by", "created_at"]
    list_filter = ["department"]


@admin.register(DuplicateSuggestion)
class DuplicateSuggestionAdmin(ReadOnlyAdmin):
    list_display = ["demand", "original", "similarity", "status", "created_at"]
    list_filter = ["status"]


@admin.register(Supervision)
class SupervisionAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "supervisor", "response_deadline", "created_at", "responded_at"]


@admin.register(HardCaseConsultation)
class HardCaseConsultationAdmin(ReadOnlyAdmin):
    list_display = ["demand", "lead", "convened_by", "created_at"]


@admin.register(LeaderInstruction)
class LeaderInstructionAdmin(ReadOnlyAdmin):
    list_display = ["demand", "leader_name", "deadline", "created_at", "answered_at"]


@admin.register(Delegation)
class DelegationAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "kind", "to_department", "to_user", "deadline", "status", "closed_at"]
    list_filter = ["kind", "status"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "kind", "message", "read_at", "emailed_at"]
    list_filter = ["kind"]


@admin.register(ReplyReview)
class ReplyReviewAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "stage", "status", "submitted_by", "submitted_at", "reviewer", "decided_at"]
    list_filter = ["stage", "status"]


@admin.register(CentreReviewRule)
class CentreReviewRuleAdmin(admin.ModelAdmin):
    """The categories and matters whose replies the centre reviews before the citizen sees them."""

    list_display = ["category_name", "matter_code", "note", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["category_name", "matter_code", "note"]
