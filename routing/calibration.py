"""How the router does on history it has not learned from, and what its confidence means.

Each of five folds of the known past cases is routed (list, model and territory, as a live demand
is) by a model trained on the other four. That gives the held-out figures the district sees, per
department, and what the confidence is calibrated on: for each best answer, its evidence (its
score, and how the most similar past cases went) and whether it was right. A logistic fit of
the one on the other makes a confidence of 0.9 mean that nine in ten such answers were right on
this district's own history."""

from __future__ import annotations

import random

from sklearn.linear_model import LogisticRegression

from departments.models import Department
from responsibility_lists.models import ListVersion
from responsibility_lists.selectors import matter_top_categories
from routing import learned
from routing.router import route

FOLDS = 5
# Fewer held-out answers, or all right or all wrong, say too little to fit a calibration on.
MIN_CALIBRATION_CASES = 50
# Per category (大类): the lowest threshold that kept nine in ten automatic dispatches right, over
# at least this many held-out answers (fewer would suggest a threshold on luck).
SUGGESTED_PRECISION = 0.9
MIN_CATEGORY_CASES = 20
NO_MATTER = "（无对应事项）"


def lowest_cut(answers: list[tuple[float, bool]], wanted: float, least: int = 5) -> tuple[float | None, int]:
    """(the lowest threshold whose dispatches would still have been at least `wanted` right, how
    many answers it would have dispatched), over (confidence, right) pairs. The cut falls between
    distinct confidences only: a threshold takes every answer at its confidence."""
    ranked = sorted((a for a in answers if a[0] > 0), key=lambda a: -a[0])
    right, cut, covered = 0, None, 0
    for seen, (confidence, correct) in enumerate(ranked, start=1):
        right += correct
        tie = seen < len(ranked) and ranked[seen][0] == confidence
        if not tie and right / seen >= wanted and seen >= least:
            cut, covered = confidence, seen
    return cut, covered


def assess(data: learned.TrainingSet, version: ListVersion | None, folds: int = FOLDS) -> dict:
    """{"held_out": figures, "calibration": {"weights", "intercept", "cases"}, "by_category": …}
    (the first two may be missing when history is too thin)."""
    ids = dict(Department.objects.values_list("code", "pk"))
    category_of = matter_top_categories(version) if version is not None else {}
    categories: list[str] = []
    order = list(range(len(data.cases)))
    random.Random(0).shuffle(order)
    evidence: list[learned.Evidence] = []
    outcomes: list[bool] = []
    top3 = 0
    per_department: dict[str, list[int]] = {}
    for fold in range(folds):
        held = order[fold::folds]
        held_set = set(held)
        training = learned.TrainingSet([c for i, c in enumerate(data.cases) if i not in held_set])
        trained = learned.fit(training)
        if trained is None:
            return {}
        model = learned.Learned.of(f"held-out {fold + 1}/{folds}", trained, len(training.cases))
        for i in held:
            case = data.cases[i]
            answer = route(
                title=case.title, content=case.content, location_text=case.location_text, version=version, model=model
            )
            wanted = ids.get(case.department_code)
            right = answer.best is not None and answer.best.department_id == wanted
            evidence.append(answer.evidence or learned.Evidence(score=0.0))
            outcomes.append(right)
            matter_id = answer.best.matter_id if answer.best else None
            categories.append(category_of.get(matter_id, NO_MATTER) if matter_id is not None else NO_MATTER)
            top3 += wanted in [c.department_id for c in answer.candidates]
            counts = per_department.setdefault(case.department_code, [0, 0])
            counts[0] += 1
            counts[1] += right
    cases = len(data.cases)
    result: dict = {
        "held_out": {
            "folds": folds,
            "cases": cases,
            "accuracy": round(sum(outcomes) / cases, 4),
            "top3_accuracy": round(top3 / cases, 4),
            "by_department": {
                code: {"cases": n, "recall": round(hit / n, 4)} for code, (n, hit) in sorted(per_department.items())
            },
        }
    }
    calibration = _calibration(evidence, outcomes)
    if calibration is not None:
        result["calibration"] = {
            "weights": {name: round(weight, 6) for name, weight in calibration.weights.items()},
            "intercept": round(calibration.intercept, 6),
            "cases": cases,
        }
    confidences = [calibration(e) if calibration else e.score for e in evidence]
    result["by_category"] = _by_category(categories, confidences, outcomes)
    return result


def _calibration(evidence: list[learned.Evidence], outcomes: list[bool]) -> learned.Calibration | None:
    """A logistic fit of "the best answer was right" on its evidence, or None when the history
    says too little (too few answers, or all right or all wrong) or when a higher score is not
    right more often (labels at odds with the list): such a score cannot be read as a chance."""
    if len(outcomes) < MIN_CALIBRATION_CASES or not 0 < sum(outcomes) < len(outcomes):
        return None
    fit = LogisticRegression(C=1e4, max_iter=1000).fit([e.features() for e in evidence], outcomes)
    weights = dict(zip(learned.Evidence.FEATURES, (float(w) for w in fit.coef_[0]), strict=True))
    if weights["score"] <= 0:
        return None
    return learned.Calibration(weights, float(fit.intercept_[0]))


def _by_category(categories: list[str], confidences: list[float], outcomes: list[bool]) -> dict[str, dict]:
    """Per 大类 of the answered matter: held-out answers, how many were right, and the threshold
    that would have kept its automatic dispatches nine in ten right (None: none would have)."""
    groups: dict[str, list[tuple[float, bool]]] = {}
    for name, confidence, right in zip(categories, confidences, outcomes, strict=True):
        groups.setdefault(name, []).append((confidence, right))
    figures = {}
    for name, answers in sorted(groups.items()):
        if name == NO_MATTER or len(answers) < MIN_CATEGORY_CASES:
            continue
        cut, _ = lowest_cut(answers, SUGGESTED_PRECISION, least=10)
        figures[name] = {
            "cases": len(answers),
            "accuracy": round(sum(right for _, right in answers) / len(answers), 4),
            "suggested_threshold": round(cut, 3) if cut is not None else None,
        }
    return figures
