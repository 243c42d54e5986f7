"""The assessment app's models: export jobs, callback visits, the composite score's weights, appeals,
hot topics, the daily figures and the published periodic reports."""

from assessment.models.appeals import Appeal, AppealStatus
from assessment.models.daily import DailyFigures, DailyFiguresDay, DailyFiguresWatermark, MonthlyFigures
from assessment.models.exports import ExportFormat, ExportJob, ExportKind, ExportStatus
from assessment.models.hot_topics import (
    KEY_PROBLEM_MOVES,
    ClusterNotice,
    ClusterNoticeDemand,
    KeyProblem,
    KeyProblemStatus,
)
from assessment.models.reports import PeriodicReport, ReportKind
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
    "KEY_PROBLEM_MOVES",
    "VISIT_ATTEMPTS",
    "Appeal",
    "AppealStatus",
    "CallbackVisit",
    "ClusterNotice",
    "ClusterNoticeDemand",
    "DailyFigures",
    "DailyFiguresDay",
    "DailyFiguresWatermark",
    "ExportFormat",
    "ExportJob",
    "ExportKind",
    "ExportStatus",
    "KeyProblem",
    "KeyProblemStatus",
    "MonthlyFigures",
    "PeriodicReport",
    "ReportKind",
    "Resolution",
    "Satisfaction",
    "ScoreWeights",
    "VisitStatus",
    "active_weights",
]
