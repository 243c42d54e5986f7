"""The assessment app's models: export jobs, callback visits, the composite score's weights and appeals."""

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
from assessment.models.weights import ScoreWeights, active_weights

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
    "ScoreWeights",
    "VisitStatus",
    "active_weights",
]
