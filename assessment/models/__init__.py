"""The assessment app's models: export jobs, callback visits and hot topics."""

from assessment.models.exports import ExportFormat, ExportJob, ExportKind, ExportStatus
from assessment.models.hot_topics import (
    KEY_PROBLEM_MOVES,
    ClusterNotice,
    ClusterNoticeDemand,
    KeyProblem,
    KeyProblemStatus,
)
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
    "KEY_PROBLEM_MOVES",
    "VISIT_ATTEMPTS",
    "CallbackVisit",
    "ClusterNotice",
    "ClusterNoticeDemand",
    "ExportFormat",
    "ExportJob",
    "ExportKind",
    "ExportStatus",
    "KeyProblem",
    "KeyProblemStatus",
    "Resolution",
    "Satisfaction",
    "VisitStatus",
]
