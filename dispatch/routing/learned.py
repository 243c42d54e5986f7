"""The router's learned half: a linear model over character n-grams of past demands
whose final department is known. Trained by a periodic task (and on demand), stored in the
database as a versioned blob, so every answer names the exact model that gave it."""

from __future__ import annotations

import hashlib
import io
import logging
import math
import threading
from collections import Counter
from dataclasses import dataclass

import joblib
from django.db import transaction
from django.utils import timezone
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

from demands.models import Demand
from demands.workflow import Status
from dispatch.models import HistoricalCase, RoutingModel
from dispatch.routing.text import words, words_kept
from responsibility_lists.models import ListVersion
from responsibility_lists.selectors import version_in_force

logger = logging.getLogger(__name__)

MIN_SAMPLES = 30  # below this a model would only add noise to the list's own answer
MIN_CLASSES = 2
CALIBRATION_FOLDS = 3  # so a department needs at least this many past cases to be learned
IN_FORCE = object()  # the list version in force, whichever it is
ANSWERED = (Status.REPLIED, Status.CLOSED)


def document(title: str, content: str) -> str:
    # The title says what the demand is about: repeat it so its n-grams weigh more.
    return f"{title}。{title}。{content}"


def _parts(text: str) -> tuple[str, str]:
    """(title, content) back from document(): the shortest prefix t with text == t。t。content."""
    start = 0
    while (cut := text.find("。", start)) >= 0:
        title = text[:cut]
        if text.startswith(f"{title}。", cut + 1):
            return title, text[2 * cut + 2 :]
        start = cut + 1
    return "", text


def document_words(text: str) -> list[str]:
    # The jieba words of title (twice, as in document()) and content. words() is cached and the
    # list matcher has just cut the same title and content, so routing pays nothing for these.
    title, content = _parts(text)
    title_words = list(words(title))
    return title_words * 2 + list(words(content))


class SideBySide(BaseEstimator, TransformerMixin):
    """The features of each part next to each other: FeatureUnion without its joblib dispatch,
    which cost half a millisecond a demand for two small transforms."""

    def __init__(self, parts: list[tuple[str, TfidfVectorizer]]) -> None:
        self.parts = parts

    def fit(self, documents: list[str], labels: object = None) -> SideBySide:
        for _, part in self.parts:
            part.fit(documents)
        return self

    def fit_transform(self, documents: list[str], labels: object = None, **fit_params: object) -> sparse.csr_matrix:
        # One pass over the documents per part, not a fit and then a transform.
        return sparse.hstack([part.fit_transform(documents) for _, part in self.parts], format="csr")

    def transform(self, documents: list[str]) -> sparse.csr_matrix:
        return sparse.hstack([part.transform(documents) for _, part in self.parts], format="csr")


def build_pipeline() -> Pipeline:
    # Character 1–3-grams need no segmentation and catch rewordings; jieba word unigrams beside
    # them add whole-word evidence (0.695 → 0.704 alone, 0.702 → 0.712 routed, 5 folds). Each
    # kind is weighted and normalised on its own: one vocabulary for both measured worse.
    features = SideBySide(
        [
            (
                "chars",
                TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True, max_features=200_000),
            ),
            ("words", TfidfVectorizer(analyzer=document_words, sublinear_tf=True)),
        ]
    )
    # A linear SVM separates these sparse n-grams best; sigmoid calibration over three folds
    # turns its margins into probabilities the router can weigh against the list's evidence.
    classifier = CalibratedClassifierCV(
        LinearSVC(C=0.5, class_weight="balanced", random_state=0),
        method="sigmoid",
        cv=CALIBRATION_FOLDS,
        ensemble=False,
    )
    return Pipeline([("features", features), ("classifier", classifier)])


@dataclass(frozen=True)
class PastCase:
    title: str
    content: str
    location_text: str
    department_code: str


@dataclass(frozen=True)
class TrainingSet:
    cases: list[PastCase]

    @property
    def documents(self) -> list[str]:
        return [document(case.title, case.content) for case in self.cases]

    @property
    def labels(self) -> list[str]:
        return [case.department_code for case in self.cases]


def training_set() -> TrainingSet:
    """Imported past cases, and this platform's own answered demands under their final lead
    department (after any return and ruling: the department that really handled it)."""
    fields = ("title", "content", "location_text")
    cases = [PastCase(*row) for row in HistoricalCase.objects.order_by("pk").values_list(*fields, "department__code")]
    answered = Demand.objects.filter(status__in=ANSWERED, lead_department__isnull=False).order_by("pk")
    cases += [PastCase(*row) for row in answered.values_list(*fields, "lead_department__code")]
    return TrainingSet(cases)


def fit(data: TrainingSet) -> Pipeline | None:
    # Departments with fewer past cases than the calibration folds cannot be learned yet; the
    # list still routes to them.
    counts = Counter(data.labels)
    kept = [
        (d, label) for d, label in zip(data.documents, data.labels, strict=True) if counts[label] >= CALIBRATION_FOLDS
    ]
    if len(kept) < MIN_SAMPLES or len({label for _, label in kept}) < MIN_CLASSES:
        return None
    pipeline = build_pipeline()
    pipeline.fit([d for d, _ in kept], [label for _, label in kept])
    return pipeline


def train_and_activate(
    *, note: str = "", assessed: bool = False, version: ListVersion | None | object = IN_FORCE
) -> RoutingModel | None:
    """Train on every known case and make the new model the active one (the old one is kept).
    `assessed` also routes held-out folds of the same history through the router, with the list
    `version` (the one in force by default; None for history alone), which measures the model
    and calibrates its confidence (five more fits)."""
    data = training_set()
    with words_kept():
        pipeline = fit(data)
        if pipeline is None:
            logger.info("Not enough history to train a routing model (%s cases).", len(data.labels))
            return None
        metrics: dict = {"note": note} if note else {}
        if assessed:
            # Here, not at the top: the assessment routes, and the router imports this module.
            from dispatch.routing.assessment import assess

            if version is IN_FORCE:
                version = version_in_force()
            metrics.update(assess(data, version if isinstance(version, ListVersion) else None))
    buffer = io.BytesIO()
    joblib.dump(pipeline, buffer, compress=3)
    blob = buffer.getvalue()
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
    return model


@dataclass(frozen=True)
class Calibration:
    """P(the router's best answer is right) as a logistic function of its raw score, fitted on
    held-out routing of the model's own history."""

    slope: float
    intercept: float

    def __call__(self, raw: float) -> float:
        return 1 / (1 + math.exp(-(self.slope * raw + self.intercept)))

    @classmethod
    def of(cls, metrics: dict) -> Calibration | None:
        fitted = metrics.get("calibration")
        return cls(fitted["slope"], fitted["intercept"]) if fitted else None


@dataclass(frozen=True)
class Learned:
    """What the router needs of a trained model."""

    version: str
    pipeline: Pipeline
    sample_count: int
    calibration: Calibration | None = None


_cache: dict[str, Learned] = {}
_cache_lock = threading.Lock()


def load(model: RoutingModel) -> Learned:
    with _cache_lock:
        learned = _cache.get(model.version)
        if learned is None:
            pipeline = joblib.load(io.BytesIO(bytes(model.blob)))
            learned = Learned(model.version, pipeline, model.sample_count, Calibration.of(model.metrics))
            _cache.clear()  # one model in memory at a time
            _cache[model.version] = learned
        return learned


def active_model() -> RoutingModel | None:
    return RoutingModel.objects.filter(is_active=True).defer("blob").first()


def predict(pipeline: Pipeline, title: str, content: str) -> dict[str, float]:
    probabilities = pipeline.predict_proba([document(title, content)])[0]
    return dict(zip(pipeline.classes_, (float(p) for p in probabilities), strict=True))
