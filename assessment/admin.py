from django.contrib import admin

from assessment.models import (
    Appeal,
    CallbackVisit,
    ClusterNotice,
    ExportJob,
    KeyProblem,
    PeriodicReport,
    ScoreWeights,
)
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


# Read-only: visits, notices and key problems change through their pages and services, which
# write the demand's events and notices; the admin only looks.
@admin.register(CallbackVisit)
class CallbackVisitAdmin(ReadOnlyAdmin):
    list_display = ["due_at", "demand", "department", "status", "attempts", "resolution", "satisfaction", "finished_at"]
    list_filter = ["status", "resolution", "satisfaction"]
    exclude = ["notes"]  # what the citizen said on the phone stays on the visit page


@admin.register(ClusterNotice)
class ClusterNoticeAdmin(ReadOnlyAdmin):
    list_display = ["sent_at", "place", "title", "recipients"]


@admin.register(KeyProblem)
class KeyProblemAdmin(ReadOnlyAdmin):
    list_display = ["month", "title", "kind", "status", "adopted_by", "adopted_at", "resolved_at"]
    list_filter = ["status"]


# Read-only: a report is written once, when it is published on its page, and never changes.
@admin.register(PeriodicReport)
class PeriodicReportAdmin(ReadOnlyAdmin):
    list_display = ["kind", "period_start", "period_end", "published_at", "published_by", "weights_name"]
    list_filter = ["kind"]
    exclude = ["figures"]  # the frozen figures read on the report's page
