from django.contrib import admin

from assessment.models import Appeal, ExportJob, ScoreWeights
from config.admin_mixins import ReadOnlyAdmin


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


@admin.register(ScoreWeights)
class ScoreWeightsAdmin(admin.ModelAdmin):
    list_display = ["name", "response_weight", "resolution_weight", "satisfaction_weight", "minimum_cases", "is_active"]
    list_filter = ["is_active"]


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ["submitted_at", "assignment", "department", "period", "status", "decided_by", "decided_at"]
    list_filter = ["status", "period"]
