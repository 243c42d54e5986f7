"""The assessment app's models: export jobs and callback visits."""

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
    "CallbackVisit",
    "ExportFormat",
    "ExportJob",
    "ExportKind",
    "ExportStatus",
    "Resolution",
    "Satisfaction",
    "VisitStatus",
]
