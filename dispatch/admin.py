from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from config.admin_mixins import ReadOnlyAdmin
from dispatch.models import (
    Assignment,
    CategoryThreshold,
    DuplicateSuggestion,
    ExportJob,
    ExtensionRequest,
    HistoricalCase,
    ImpactPreview,
    InfoRequest,
    Notification,
    ReplyTemplate,
    ReturnRequest,
    RoutingModel,
    RoutingResult,
    Supervision,
)
from dispatch.services.routing import auto_dispatch_thresholds


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


@admin.register(CategoryThreshold)
class CategoryThresholdAdmin(admin.ModelAdmin):
    list_display = ["category_name", "threshold", "note", "updated_at"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        auto_dispatch_thresholds.clear()  # this process at once; others within a minute

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        auto_dispatch_thresholds.clear()


@admin.register(RoutingResult)
class RoutingResultAdmin(ReadOnlyAdmin):
    list_display = ["demand", "list_version", "router_version", "confidence", "auto_dispatched", "created_at"]
    list_filter = ["auto_dispatched", "router_version"]


@admin.register(HistoricalCase)
class HistoricalCaseAdmin(admin.ModelAdmin):
    list_display = ["external_id", "title", "department", "matter_code", "submitted_at"]
    list_filter = ["department"]
    search_fields = ["external_id", "title"]


@admin.register(RoutingModel)
class RoutingModelAdmin(ReadOnlyAdmin):
    list_display = ["version", "trained_at", "sample_count", "held_out_accuracy", "is_active"]
    exclude = ["blob"]

    @admin.display(description=_("留出检验准确率"))
    def held_out_accuracy(self, model: RoutingModel) -> str:
        accuracy = (model.metrics.get("held_out") or {}).get("accuracy")
        return f"{accuracy:.1%}" if accuracy is not None else "—"


@admin.register(DuplicateSuggestion)
class DuplicateSuggestionAdmin(ReadOnlyAdmin):
    list_display = ["demand", "original", "similarity", "status", "created_at"]
    list_filter = ["status"]


@admin.register(Supervision)
class SupervisionAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "supervisor", "response_deadline", "created_at", "responded_at"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "kind", "message", "read_at", "emailed_at"]
    list_filter = ["kind"]


@admin.register(ImpactPreview)
class ImpactPreviewAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "draft",
        "baseline",
        "months",
        "requested_by",
        "status",
        "demands_done",
        "finished_at",
    ]
    list_filter = ["status"]
    exclude = ["result"]  # thousands of rows of JSON; the page shows them


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "requested_by",
        "kind",
        "format",
        "language",
        "status",
        "rows_done",
        "rows_total",
        "finished_at",
    ]
    list_filter = ["kind", "format", "language", "status"]
