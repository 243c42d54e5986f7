"""The assessment app's models: export jobs, callback visits and appeals."""

from assessment.models.appeals import Appeal, AppealStatus
from assessment.models.exports import ExportFormat, ExportJob, ExportKind, ExportStatus
from assessment.models.visits import (
    ANSWERED_VISIT_STATUSES,
    VISIT_ATTEMPTS,
    CallbackVisit,
    Resolution,
    Satisfaction,
    VisitStatus,
)

__all__ = [
    "ANSWERED_VISIT_STATUSES",
    "VISIT_ATTEMPTS",
    "Appeal",
    "AppealStatus",
    "CallbackVisit",
    "ExportFormat",
    "ExportJob",
    "ExportKind",
    "ExportStatus",
    "Resolution",
    "Satisfaction",
    "VisitStatus",
]
