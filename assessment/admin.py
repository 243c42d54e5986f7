from django.contrib import admin

from assessment.models import ExportJob
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
