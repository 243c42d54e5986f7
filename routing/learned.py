"""The router's learned half: a linear model over character n-grams of past demands
whose final department is known. Trained by a periodic task (and on demand), stored in the
database as a versioned blob, so every answer names the exact model that gave it."""

from __future__ import annotations

import importlib
import io
import logging
import math
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import repeat

import joblib
import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline
from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2

from routing.classifier import MIN_CLASSES, TemperedSVC, probabilities_of, weights_as
from routing.models import RoutingModel
from routing.past_cases import Neighbour, PastCaseIndex
from routing.text import words
from routing.traditional import simplified

logger = logging.getLogger(__name__)

MIN_SAMPLES = 30  # below this a model would only add noise to the list's own answer
# Beside the list, a department learned from fewer past cases than this is judged by the list
# alone (see weighing.combine); with history alone the model answers for it all the same.
FEW_CASES = 3


def document(title: str, content: str) -> str:
    # The title says what the demand is about: repeat it so its n-grams weigh more. Traditional
    # characters are read as simplified, so history in one script teaches the model the other.
    title, content = simplified(title), simplified(content)
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


def document_title(text: str) -> str:
    # The title alone, for its own block of character n-grams (lowercased, as the text's are).
    return _parts(text)[0].lower()


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

    def transform_one(self, text: str) -> sparse.csr_matrix:
        """transform([text]) for the one demand being routed, without scikit-learn's checks of its
        input (most of the cost for a single text); the same matrix to the last bit (tested)."""
        return sparse.hstack([_tfidf_row(part, text) for _, part in self.parts], format="csr")


def _tfidf_row(vectorizer: TfidfVectorizer, text: str) -> sparse.csr_matrix:
    # TfidfVectorizer.transform's arithmetic in its order: counts of the known n-grams, by column;
    # 1 + log of each count (sublinear tf); times the column's idf; rows to unit length.
    if vectorizer.norm != "l2" or not vectorizer.use_idf or vectorizer.binary or not vectorizer.sublinear_tf:
        return vectorizer.transform([text])
    # Counted first and looked up once per distinct n-gram, in C loops (a demand repeats most of
    # its character n-grams); the unknown ones (-1) are dropped and the rest put in column order.
    counted = Counter(vectorizer.build_analyzer()(text))
    columns = np.array(list(map(vectorizer.vocabulary_.get, counted, repeat(-1))), dtype=np.intp)
    data = np.array(list(counted.values()), dtype=np.float64)
    known = columns >= 0
    columns, data = columns[known], data[known]
    order = np.argsort(columns)
    columns, data = columns[order].astype(np.intc), data[order]
    np.log(data, data)
    data += 1.0
    data *= vectorizer.idf_[columns]
    row = sparse.csr_matrix(
        (data, columns, np.array([0, len(columns)], dtype=np.intc)), shape=(1, len(vectorizer.vocabulary_))
    )
    inplace_csr_row_normalize_l2(row)
    return row


def build_pipeline(*, titled: bool = True) -> Pipeline:
    """`titled`: whether the past cases have titles (an older system may have kept the text alone,
    and a title block would have nothing to learn from)."""
    # Character 1–3-grams need no segmentation and catch rewordings; jieba word unigrams beside
    # them add whole-word evidence (0.695 → 0.704 alone, 0.702 → 0.712 routed, 5 folds). The
    # title's own character n-grams come third: a citizen's subject line names the matter, and
    # in a block of its own it is not diluted by a long text (the model alone, 5 folds: 31
    # departments 0.710 → 0.716; 7 categories share dispatchable at 98% precision 0.35 → 0.47).
    # Each kind is weighted and normalised on its own: one vocabulary for all measured worse.
    parts = [
        (
            "chars",
            TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True, max_features=200_000),
        ),
        ("words", TfidfVectorizer(analyzer=document_words, sublinear_tf=True)),
    ]
    if titled:
        parts.append(
            (
                "title",
                TfidfVectorizer(analyzer="char", preprocessor=document_title, ngram_range=(1, 3), sublinear_tf=True),
            )
        )
    features = SideBySide(parts)
    return Pipeline([("features", features), ("classifier", TemperedSVC())])


@dataclass(frozen=True)
class PastCase:
    title: str
    content: str
    location_text: str
    department_code: str
    matter_code: str = ""  # the list matter it was handled as, where known
    reference: str = ""  # its tracking number here, or its number in the older system


@dataclass(frozen=True)
class TrainingSet:
    cases: list[PastCase]

    @property
    def documents(self) -> list[str]:
        return [document(case.title, case.content) for case in self.cases]

    @property
    def labels(self) -> list[str]:
        return [case.department_code for case in self.cases]


@dataclass(frozen=True)
class Trained:
    pipeline: Pipeline
    past_cases: PastCaseIndex


def fit(data: TrainingSet) -> Trained | None:
    # Every department is learned, from one past case up: with history alone nothing else can
    # route to a small one, and a plain SVM learns it from two (see TemperedSVC).
    kept = data.cases
    labels = [case.department_code for case in kept]
    if len(kept) < MIN_SAMPLES or len(set(labels)) < MIN_CLASSES:
        return None
    pipeline = build_pipeline(titled=any(case.title.strip() for case in kept))
    # Pipeline.fit, with the features kept: the past cases are indexed by the same vectors.
    features = pipeline.named_steps["features"].fit_transform(TrainingSet(kept).documents)
    pipeline.named_steps["classifier"].fit(features, labels)
    # Rounded to the single precision they are stored in, so this model answers as its stored
    # copy will.
    weights_as(pipeline.named_steps["classifier"], np.float32)
    weights_as(pipeline.named_steps["classifier"], np.float64)
    index = PastCaseIndex.build(
        _word_columns(pipeline, features),
        labels,
        matters=[case.matter_code for case in kept],
        # Titles only: the start of a text without one may carry a citizen's name or phone.
        titles=[case.title for case in kept],
        references=[case.reference for case in kept],
    )
    return Trained(pipeline, index)


def _word_columns(pipeline: Pipeline, features: sparse.csr_matrix) -> sparse.csr_matrix:
    # The jieba-word part of the features (after the character n-grams, before the title's in
    # models that have them): unit length on its own, and far sparser than the characters, so
    # the index of past cases stays small and quick.
    parts = dict(pipeline.named_steps["features"].parts)
    start = len(parts["chars"].vocabulary_)
    return features[:, start : start + len(parts["words"].vocabulary_)]


@dataclass(frozen=True)
class Evidence:
    """What the best answer's confidence is read from."""

    score: float  # the weighed score of the list and the model
    neighbours_agree: float = 0.0  # the share of the nearest past cases its department handled
    nearest_similarity: float = 0.0  # how like the demand the most similar past case is (0–1)
    nearest_agrees: float = 0.0  # 1 when that case went to its department

    FEATURES = ("score", "neighbours_agree", "nearest_similarity", "nearest_agrees")

    def features(self) -> list[float]:
        return [getattr(self, name) for name in self.FEATURES]


@dataclass(frozen=True)
class Calibration:
    """P(the router's best answer is right) as a logistic function of its evidence, fitted on
    held-out routing of the model's own history."""

    weights: dict[str, float]
    intercept: float

    def __call__(self, evidence: Evidence) -> float:
        z = self.intercept + sum(self.weights.get(name, 0.0) * value for name, value in zip(
            Evidence.FEATURES, evidence.features(), strict=True))  # fmt: skip
        return 1 / (1 + math.exp(-z))

    @classmethod
    def of(cls, metrics: dict) -> Calibration | None:
        fitted = metrics.get("calibration")
        if not fitted:
            return None
        # Models trained before the nearest past cases were weighed have a slope on the score alone.
        weights = fitted["weights"] if "weights" in fitted else {"score": fitted["slope"]}
        return cls(weights, fitted["intercept"])


@dataclass(frozen=True)
class Learned:
    """What the router needs of a trained model."""

    version: str
    pipeline: Pipeline
    sample_count: int
    calibration: Calibration | None = None
    past_cases: PastCaseIndex | None = None

    @classmethod
    def of(cls, version: str, trained: Trained, sample_count: int) -> Learned:
        return cls(version, trained.pipeline, sample_count, past_cases=trained.past_cases)


_cache: dict[str, Learned] = {}
_cache_lock = threading.Lock()

# A stored model names the classes and functions it is made of (TemperedSVC, SideBySide,
# document_words, PastCaseIndex…) by the module each was defined in when it was stored, and the
# newest thirty keep their bytes. Those stored before routing/ left dispatch/ name these modules,
# which no longer exist: while a model is read, they name the modules they became. (Models stored
# before TemperedSVC moved to routing.classifier name it routing.learned, which imports it.)
FORMER_MODULES = {
    "dispatch.routing.learned": "routing.learned",
    "dispatch.routing.past_cases": "routing.past_cases",
}


@contextmanager
def _former_module_paths() -> Iterator[None]:
    added = [path for path in FORMER_MODULES if path not in sys.modules]
    for path in added:
        sys.modules[path] = importlib.import_module(FORMER_MODULES[path])
    try:
        yield
    finally:
        for path in added:
            del sys.modules[path]


def load(model: RoutingModel) -> Learned:
    with _cache_lock:
        learned = _cache.get(model.version)
        if learned is None:
            with _former_module_paths():
                stored = joblib.load(io.BytesIO(bytes(model.blob)))
            # Models trained before the past cases were indexed are a bare pipeline.
            pipeline, past_cases = (
                (stored["pipeline"], stored["past_cases"]) if isinstance(stored, dict) else (stored, None)
            )
            weights_as(pipeline.named_steps["classifier"], np.float64)
            learned = Learned(model.version, pipeline, model.sample_count, Calibration.of(model.metrics), past_cases)
            _cache.clear()  # one model in memory at a time
            _cache[model.version] = learned
        return learned


def active_model() -> RoutingModel | None:
    return RoutingModel.objects.filter(is_active=True).defer("blob").first()


@dataclass(frozen=True)
class Judgement:
    probabilities: dict[str, float]  # department code → probability
    neighbours: list[Neighbour]  # the most similar past cases, most similar first
    few_cases: frozenset[str] = frozenset()  # departments learned from fewer than FEW_CASES cases


def judge(model: Learned, title: str, content: str) -> Judgement:
    # The features are computed once for both the classifier and the past-case search.
    step = model.pipeline.named_steps["features"]
    text = document(title, content)
    # Models stored before SideBySide have a bare vectorizer here.
    features = step.transform_one(text) if isinstance(step, SideBySide) else step.transform([text])
    classifier = model.pipeline.named_steps["classifier"]
    probabilities = dict(
        zip(classifier.classes_, (float(p) for p in probabilities_of(classifier, features)[0]), strict=True)
    )
    neighbours: list[Neighbour] = []
    if model.past_cases is not None:
        neighbours = model.past_cases.nearest(_word_columns(model.pipeline, features))
    return Judgement(probabilities, neighbours, _few_cases(classifier))


def _few_cases(classifier: TemperedSVC | CalibratedClassifierCV) -> frozenset[str]:
    """The departments the model learned from fewer than FEW_CASES past cases."""
    counts = getattr(classifier, "class_counts_", None)  # models stored before kept none so small
    return frozenset(
        str(code) for code, count in zip(classifier.classes_, counts if counts is not None else [], strict=False)
        if count < FEW_CASES
    )  # fmt: skip


def judge_many(model: Learned, texts: list[tuple[str, str]]) -> list[Judgement]:
    """judge() for many (title, content) at once, as the impact preview reads thousands: the same
    judgements (each row of the batch's matrices is computed on its own, tested), with the
    matrices built, multiplied and searched once for the batch instead of once per demand."""
    if not texts:
        return []
    step = model.pipeline.named_steps["features"]
    features = step.transform([document(title, content) for title, content in texts])
    classifier = model.pipeline.named_steps["classifier"]
    probabilities = probabilities_of(classifier, features)
    if model.past_cases is not None:
        neighbours = model.past_cases.nearest_many(_word_columns(model.pipeline, features))
    else:
        neighbours = [[] for _ in texts]
    few = _few_cases(classifier)
    return [
        Judgement(dict(zip(classifier.classes_, (float(p) for p in row), strict=True)), found, few)
        for row, found in zip(probabilities, neighbours, strict=True)
    ]
