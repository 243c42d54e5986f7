"""The learned router's classifier: a linear SVM whose margins one fitted temperature turns into
probabilities (TemperedSVC), those probabilities computed fast for one demand, and the precision
its weights are stored and held in."""

from __future__ import annotations

import math

import numpy as np
from scipy import sparse
from scipy.optimize import minimize_scalar
from scipy.special import expit, logsumexp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.model_selection import KFold
from sklearn.svm import LinearSVC
from sklearn.utils.extmath import safe_sparse_dot

MIN_CLASSES = 2
CALIBRATION_FOLDS = 3  # the folds the temperature is fitted on


# The temperature that fits the model's own held-out answers best makes its probabilities too
# sharp to weigh against the list's evidence: the router's answers were more often right, and more
# often sure enough to dispatch, with the model's voice twice as soft (5 folds of the demo's 434
# labelled messages: accuracy 0.843 → 0.896, dispatchable at 0.8 0.673 → 0.816 at precision 0.928
# → 0.941; four times as soft: 0.883 and 0.774).
BLEND_SOFTENING = 2.0


class TemperedSVC(BaseEstimator, ClassifierMixin):
    """A linear SVM over every department in the history, however few its past cases, with its
    margins turned into probabilities by one softmax whose temperature is fitted on held-out
    margins of the same history.

    It replaced a per-department sigmoid calibration (CalibratedClassifierCV, three folds), which
    cost accuracy twice: a department needed three past cases to be learned at all, so with
    history alone (no list to route there) its demands could never be answered right, and each
    department's own sigmoid, fitted on a handful of its cases, reordered the SVM's answers. A
    plain character n-gram SVM beat the router that way (traditional Chinese, 149 departments,
    several under ten cases: 0.814 to 0.794). One temperature keeps the SVM's order, so the
    router's best answer from history is the SVM's, and still gives probabilities to weigh
    against the list's evidence."""

    def __init__(self, C: float = 0.5, class_weight: str | None = "balanced", folds: int = CALIBRATION_FOLDS) -> None:
        self.C = C
        self.class_weight = class_weight
        self.folds = folds

    def _svm(self) -> LinearSVC:
        return LinearSVC(C=self.C, class_weight=self.class_weight, random_state=0)

    def fit(self, features: sparse.csr_matrix, labels: list[str]) -> TemperedSVC:
        y = np.asarray(labels)
        self.svm_ = self._svm().fit(features, y)
        self.classes_ = self.svm_.classes_
        self.class_counts_ = np.array([int(np.sum(y == name)) for name in self.classes_])
        self.temperature_ = self._fitted_temperature(features, y) * BLEND_SOFTENING
        return self

    def _fitted_temperature(self, features: sparse.csr_matrix, y: np.ndarray) -> float:
        # Margins of each fold's cases by an SVM that did not learn them; a case whose department
        # had no other past case (so its fold's SVM did not know it) says nothing of the scale.
        held_out: list[tuple[np.ndarray, np.ndarray]] = []
        splits = KFold(n_splits=min(self.folds, len(y)), shuffle=True, random_state=0).split(y)
        for learned_rows, held_rows in splits:
            known = np.unique(y[learned_rows])
            if len(known) < MIN_CLASSES:
                continue
            svm = self._svm().fit(features[learned_rows], y[learned_rows])
            answerable = np.isin(y[held_rows], known)
            if not answerable.any():
                continue
            margins = _margins(svm.decision_function(features[held_rows[answerable]]))
            held_out.append((margins, np.searchsorted(svm.classes_, y[held_rows[answerable]])))
        if not held_out:
            return 1.0

        def loss(log_temperature: float) -> float:
            scale = math.exp(-log_temperature)
            total = 0.0
            for margins, truth in held_out:
                scaled = margins * scale
                total -= float(np.sum(scaled[np.arange(len(truth)), truth] - logsumexp(scaled, axis=1)))
            return total

        fitted = minimize_scalar(loss, bounds=(-5.0, 3.0), method="bounded")
        return float(math.exp(fitted.x))

    def decision_function(self, features: sparse.csr_matrix) -> np.ndarray:
        return self.svm_.decision_function(features)

    def predict_proba(self, features: sparse.csr_matrix) -> np.ndarray:
        return _softmax(_margins(self.decision_function(features)) / self.temperature_)

    def predict(self, features: sparse.csr_matrix) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(features), axis=1)]


def _margins(scores: np.ndarray) -> np.ndarray:
    # With two departments LinearSVC gives one margin, for the second: each is half of it away.
    if scores.ndim == 1:
        return np.column_stack([-scores / 2, scores / 2])
    return scores


def _softmax(scores: np.ndarray) -> np.ndarray:
    return np.exp(scores - logsumexp(scores, axis=1, keepdims=True))


def weights_as(classifier: TemperedSVC | CalibratedClassifierCV, dtype: type[np.floating]) -> None:
    # The weights (departments × n-grams, dense) are nearly all of a stored model: 28 of its 30 MB
    # for 31 departments. They are stored in single precision, which halves them and moves no
    # probability by more than a millionth, and held in double in memory: a demand's scores are
    # summed in double, and single-precision weights would be converted whole for every demand
    # (1.8 ms of a 4 ms route with 340,000 n-grams).
    # (Models stored before TemperedSVC hold their SVM inside a CalibratedClassifierCV.)
    svms = [c.estimator for c in getattr(classifier, "calibrated_classifiers_", [])]
    if isinstance(classifier, TemperedSVC):
        svms.append(classifier.svm_)
    for svm in svms:
        svm.coef_ = svm.coef_.astype(dtype, copy=False)


def probabilities_of(classifier: TemperedSVC | CalibratedClassifierCV, features: sparse.csr_matrix) -> np.ndarray:
    """TemperedSVC.predict_proba without LinearSVC's input checks (most of the cost for one demand);
    the same arithmetic, so the same probabilities to the last bit (tested). For a model stored
    before it, CalibratedClassifierCV.predict_proba, for the one sigmoid calibration the pipeline fits
    (ensemble=False), in one pass: scikit-learn calibrates each class in turn through its input
    checks, which took about a third of a demand's routing. The same arithmetic in the same order,
    so the same probabilities to the last bit (tested)."""
    if isinstance(classifier, TemperedSVC):
        svm = classifier.svm_
        scores = safe_sparse_dot(features, svm.coef_.T, dense_output=True) + svm.intercept_
        return _softmax(_margins(scores.ravel() if scores.shape[1] == 1 else scores) / classifier.temperature_)
    calibrated = classifier.calibrated_classifiers_
    if len(calibrated) != 1 or calibrated[0].method != "sigmoid":
        return classifier.predict_proba(features)
    estimator, calibrators, classes = calibrated[0].estimator, calibrated[0].calibrators, calibrated[0].classes
    # LinearSVC.decision_function, without its input checks.
    scores = safe_sparse_dot(features, estimator.coef_.T, dense_output=True) + estimator.intercept_
    slopes = np.array([c.a_ for c in calibrators])
    offsets = np.array([c.b_ for c in calibrators])
    proba = np.zeros((scores.shape[0], len(classes)))
    if len(classes) == 2:
        # One calibrator, for the second class.
        proba[:, 1] = expit(-(slopes[0] * scores[:, 0] + offsets[0]))
        proba[:, 0] = 1.0 - proba[:, 1]
    else:
        proba[:, np.searchsorted(classes, estimator.classes_)] = expit(-(slopes * scores + offsets))
        denominator = np.sum(proba, axis=1)[:, np.newaxis]
        uniform = np.full_like(proba, 1 / len(classes))
        proba = np.divide(proba, denominator, out=uniform, where=denominator != 0)
    proba[(proba > 1.0) & (proba <= 1.0 + 1e-5)] = 1.0
    return proba
