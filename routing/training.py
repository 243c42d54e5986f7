"""Training the learned router: every known case (imported history and this platform's own
answered demands), fitted, measured on held-out folds when asked, stored as a new versioned
model and made the active one."""

from __future__ import annotations

import hashlib
import io
import logging

import joblib
import numpy as np
from django.db import transaction
from django.utils import timezone

from demands.models import Demand
from demands.workflow import ANSWERED_STATUSES
from responsibility_lists.models import ListVersion
from responsibility_lists.selectors import version_in_force
from routing.calibration import assess
from routing.classifier import weights_as
from routing.learned import PastCase, Trained, TrainingSet, fit
from routing.models import HistoricalCase, RoutingModel
from routing.text import words_kept

logger = logging.getLogger(__name__)

MODEL_BLOBS_KEPT = 30  # a month of nightly retrains
IN_FORCE = object()  # the list version in force, whichever it is


def training_set() -> TrainingSet:
    """Imported past cases, and this platform's own answered demands under their final lead
    department and matter (after any return and ruling: the department that really handled it)."""
    fields = ("title", "content", "location_text")
    imported = HistoricalCase.objects.order_by("pk").values_list(
        *fields, "department__code", "matter_code", "external_id"
    )
    cases = [PastCase(*row) for row in imported]
    answered = Demand.objects.filter(status__in=ANSWERED_STATUSES, lead_department__isnull=False).order_by("pk")
    cases += [
        PastCase(title, content, place, department, matter or "", number)
        for title, content, place, department, matter, number in answered.values_list(
            *fields, "lead_department__code", "matter__code", "tracking_number"
        )
    ]
    return TrainingSet(cases)


def stored_bytes(trained: Trained) -> bytes:
    # Converts the model's weights to single precision for the dump and back: harmless, as fit()
    # has already rounded them to single precision.
    classifier = trained.pipeline.named_steps["classifier"]
    weights_as(classifier, np.float32)
    try:
        buffer = io.BytesIO()
        joblib.dump({"pipeline": trained.pipeline, "past_cases": trained.past_cases}, buffer, compress=3)
        return buffer.getvalue()
    finally:
        weights_as(classifier, np.float64)


def train_and_activate(
    *, note: str = "", assessed: bool = False, version: ListVersion | None | object = IN_FORCE
) -> RoutingModel | None:
    """Train on every known case and make the new model the active one (the old one is kept).
    `assessed` also routes held-out folds of the same history through the router, with the list
    `version` (the one in force by default; None for history alone), which measures the model
    and calibrates its confidence (five more fits)."""
    data = training_set()
    with words_kept():
        trained = fit(data)
        if trained is None:
            logger.info("Not enough history to train a routing model (%s cases).", len(data.labels))
            return None
        metrics: dict = {"note": note} if note else {}
        if assessed:
            if version is IN_FORCE:
                version = version_in_force()
            metrics.update(assess(data, version if isinstance(version, ListVersion) else None))
    blob = stored_bytes(trained)
    digest = hashlib.sha256(blob).hexdigest()
    now = timezone.now()
    with transaction.atomic():
        RoutingModel.objects.filter(is_active=True).update(is_active=False)
        model = RoutingModel.objects.create(
            version=f"m{now:%Y%m%d%H%M%S%f}-{digest[:8]}",
            trained_at=now,
            sample_count=len(data.labels),
            classes=sorted(set(data.labels)),
            blob=blob,
            sha256=digest,
            is_active=True,
            metrics=metrics,
        )
        # A model's bytes (several MB with its past cases) are kept for the newest ones only; an
        # older model keeps its version, checksum and figures, which answers and audits name.
        retired = RoutingModel.objects.exclude(blob=b"").order_by("-trained_at", "-pk")[MODEL_BLOBS_KEPT:]
        RoutingModel.objects.filter(pk__in=list(retired.values_list("pk", flat=True))).update(blob=b"")
    return model
