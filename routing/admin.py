from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from config.admin_mixins import ReadOnlyAdmin
from routing.models import CategoryThreshold, HistoricalCase, ImpactPreview, RoutingModel, RoutingResult
from routing.thresholds import auto_dispatch_thresholds


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
