"""Measuring the router on labelled demands: k-fold over history, or zero-shot with the list.

Runs inside a throwaway database (the evaluate_routing command sees to that): each fold imports
its training rows through the same path as `import_history`, trains the model, then routes the
held-out rows exactly as live demands are routed."""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.svm import LinearSVC

from departments.models import TERRITORIAL_KINDS, Department
from responsibility_lists.models import ListVersion
from responsibility_lists.selectors import matter_top_categories, version_in_force
from routing.calibration import NO_MATTER, lowest_cut
from routing.history import HistoryColumns, departments_by_label, history_import
from routing.models import HistoricalCase, RoutingModel
from routing.router import route
from routing.text import forget_words, words_kept, words_segmented_afresh
from routing.training import train_and_activate

TERRITORIAL_LABEL = "属地"
PRECISION_TARGETS = (0.9, 0.95, 0.98)


@dataclass
class Prediction:
    row: int
    label: str
    department: str
    matter_code: str
    confidence: float
    top3: list[str]
    milliseconds: float
    matter_id: int | None = None


@dataclass(frozen=True)
class Guess:
    """The plain baseline's answer for one held-out row."""

    department: str
    top3: list[str]


@dataclass
class Report:
    mode: str
    rows: int
    threshold: float
    list_used: bool = True
    unlearnable_rows: int = 0  # without text or label: routed and written, never learned from
    predictions: list[Prediction] = field(default_factory=list)
    baseline: dict[int, Guess] = field(default_factory=dict)  # row → the plain baseline's answer (folds only)

    def figures(self) -> dict:
        known = set(Department.objects.values_list("name", flat=True)) | {TERRITORIAL_LABEL}
        scored = [p for p in self.predictions if p.label in known]
        correct = [p for p in scored if p.department == p.label]
        covered = [p for p in scored if p.confidence >= self.threshold and p.department]
        times = sorted(p.milliseconds for p in self.predictions)
        figures = {
            "mode": self.mode,
            "list_used": self.list_used,
            "rows": self.rows,
            "rows_without_text_or_label": self.unlearnable_rows,
            "scored_rows": len(scored),
            "accuracy": _ratio(len(correct), len(scored)),
            "macro_f1": round(float(f1_score([p.label for p in scored], [p.department or "-" for p in scored],
                                             labels=sorted({p.label for p in scored}), average="macro",
                                             zero_division=0)), 4) if scored else None,
            "top3_accuracy": _ratio(sum(p.label in p.top3 for p in scored), len(scored)),
            "threshold": self.threshold,
            "coverage_at_threshold": _ratio(len(covered), len(scored)),
            "precision_at_threshold": _ratio(sum(p.department == p.label for p in covered), len(covered)),
            "precision_targets": {f"{wanted:g}": _lowest_cut(scored, wanted) for wanted in PRECISION_TARGETS},
            "reliability": _reliability(scored),
            "median_ms": round(statistics.median(times), 3) if times else None,
            "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))], 3) if times else None,
            "by_label": _by_label(scored),
        }  # fmt: skip
        if self.baseline:
            figures["baseline"] = self.baseline_figures(scored)
        if self.list_used:  # without the list no answer names a matter, so there is no 大类 to group by
            figures["by_category"] = self.by_category(scored)
        return figures

    def baseline_figures(self, scored: list[Prediction]) -> dict:
        """The plain baseline on the same held-out rows, scored as the router is."""
        guesses = [(p.label, self.baseline[p.row]) for p in scored]
        labels = sorted({label for label, _ in guesses})
        return {
            "accuracy": _ratio(sum(guess.department == label for label, guess in guesses), len(guesses)),
            "macro_f1": round(float(f1_score([label for label, _ in guesses], [g.department for _, g in guesses],
                                             labels=labels, average="macro", zero_division=0)), 4) if guesses else None,
            "top3_accuracy": _ratio(sum(label in guess.top3 for label, guess in guesses), len(guesses)),
        }  # fmt: skip

    def by_category(self, scored: list[Prediction]) -> dict[str, dict]:
        """Per 大类 of the answered matter: how often the router is right there, and the lowest
        threshold that keeps its auto-dispatches at least 95% right — what a per-category
        threshold (CategoryThreshold) would be set from."""
        version = version_in_force()
        top_of = matter_top_categories(version) if version is not None else {}
        groups: dict[str, list[Prediction]] = {}
        for prediction in scored:
            name = top_of.get(prediction.matter_id, NO_MATTER) if prediction.matter_id is not None else NO_MATTER
            groups.setdefault(name, []).append(prediction)
        return {name: _category_figures(group, self.threshold) for name, group in sorted(groups.items())}


def _by_label(scored: list[Prediction]) -> dict[str, dict]:
    """Per label, most frequent first: how many of its rows were found (recall), how many answers
    naming it were right (precision), and what it was most often taken for, which tells a
    district where its departments' boundaries are unclear."""
    answered = Counter(p.department for p in scored)
    groups: dict[str, list[Prediction]] = {}
    for prediction in scored:
        groups.setdefault(prediction.label, []).append(prediction)
    figures = {}
    for name, group in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])):
        right = sum(p.department == name for p in group)
        mistaken = Counter(p.department or "—" for p in group if p.department != name).most_common(1)
        figures[name] = {
            "rows": len(group),
            "recall": _ratio(right, len(group)),
            "precision": _ratio(right, answered[name]),
            "most_often_taken_for": mistaken[0][0] if mistaken else None,
        }
    return figures


def _lowest_cut(group: list[Prediction], wanted: float, least: int = 5) -> dict:
    """The lowest threshold whose auto-dispatches would still have been at least `wanted` right,
    and the share of the group it would have dispatched: one point of the precision–coverage
    trade-off a district sets its threshold from."""
    # (A confidence of 0 is an answer no threshold dispatches: a 属地 matter with no known place.)
    answers = [(p.confidence, p.department == p.label) for p in group if p.department]
    cut, covered = lowest_cut(answers, wanted, least)
    return {
        "threshold": round(cut, 3) if cut is not None else None,
        "coverage": _ratio(covered, len(group)) if cut is not None else None,
    }


def _reliability(scored: list[Prediction]) -> list[dict]:
    """How often the router was right at each tenth of confidence: a calibrated router is right
    about as often as it says."""
    tenths: list[list[Prediction]] = [[] for _ in range(10)]
    for prediction in scored:
        tenths[min(9, int(prediction.confidence * 10 + 1e-9))].append(prediction)
    return [
        {
            "confidence": f"{tenth / 10:.1f}–{(tenth + 1) / 10:.1f}",
            "rows": len(inside),
            "accuracy": _ratio(sum(p.department == p.label for p in inside), len(inside)),
        }
        for tenth, inside in enumerate(tenths)
    ]


def _category_figures(group: list[Prediction], threshold: float, wanted: float = 0.95) -> dict:
    covered = [p for p in group if p.confidence >= threshold and p.department]
    return {
        "rows": len(group),
        "accuracy": _ratio(sum(p.department == p.label for p in group), len(group)),
        "coverage_at_threshold": _ratio(len(covered), len(group)),
        "precision_at_threshold": _ratio(sum(p.department == p.label for p in covered), len(covered)),
        f"threshold_for_precision_{wanted:g}": _lowest_cut(group, wanted)["threshold"],
    }


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _department_label(department_id: int | None, kinds: dict[int, tuple[str, str]]) -> str:
    # A candidate without a department is a 属地 matter whose place was not recognised: the
    # router's answer is "the street office, whichever it is", which is what a 属地 label says.
    # Its confidence is 0, so it never counts as covered (a dispatcher still picks the street).
    if department_id is None:
        return TERRITORIAL_LABEL
    name, kind = kinds[department_id]
    return TERRITORIAL_LABEL if kind in TERRITORIAL_KINDS else name


def _route_rows(rows: list[tuple[int, dict]], text: str, title: str, location: str, label: str,
                use_model: bool, use_list: bool, progress: Callable[[], None]) -> list[Prediction]:  # fmt: skip
    version = version_in_force() if use_list else None
    if use_list and version is None:
        raise RuntimeError("No published list version to route with.")
    kinds = {d.pk: (d.name, d.kind) for d in Department.objects.all()}
    model = RoutingModel.objects.filter(is_active=True).first() if use_model else None
    # Once per process, untimed: the list's index, jieba's dictionary and the model are loaded
    # by the first demand a worker routes, not by every one.
    route(title="预热", content="预热", location_text="", version=version, model=model)
    out = []
    with words_segmented_afresh():  # the folds' training segmented these texts already
        for number, row in rows:
            out.append(_routed(number, row, text, title, location, label, version, model, kinds))
            progress()
    return out


def _routed(number: int, row: dict, text: str, title: str, location: str, label: str,
            version: ListVersion | None, model: RoutingModel | None,
            kinds: dict[int, tuple[str, str]]) -> Prediction:  # fmt: skip
    forget_words()  # a live demand's text is new to the router: its segmentation is timed too
    start = time.perf_counter()
    answer = route(
        title=row.get(title, "") if title else "",
        content=row.get(text, ""),
        location_text=row.get(location, "") if location else "",
        version=version,
        model=model,
    )
    elapsed = (time.perf_counter() - start) * 1000
    best = answer.best
    return Prediction(
        row=number,
        label=(row.get(label) or "").strip(),
        department=_department_label(best.department_id, kinds) if best else "",
        matter_code=best.matter_code if best else "",
        matter_id=best.matter_id if best else None,
        confidence=answer.confidence,
        top3=[_department_label(c.department_id, kinds) for c in answer.candidates[:3]],
        milliseconds=elapsed,
    )


class ProgressBar:
    def __init__(self, total: int, stream=sys.stderr) -> None:
        self.total, self.done, self.stream = total, 0, stream

    def __call__(self) -> None:
        self.done += 1
        if self.done == self.total or self.done % 20 == 0:
            filled = int(30 * self.done / self.total)
            self.stream.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total}")
            if self.done == self.total:
                self.stream.write("\n")
            self.stream.flush()


def evaluate_zero_shot(rows: list[dict], *, text: str, title: str, location: str, label: str,
                       threshold: float) -> Report:  # fmt: skip
    numbered = list(enumerate(rows, start=2))
    report = Report(mode="zero-shot", rows=len(rows), threshold=threshold)
    report.predictions = _route_rows(numbered, text, title, location, label, False, True, ProgressBar(len(rows)))
    return report


def _learnable(row: dict, text: str, label: str) -> bool:
    return bool((row.get(text) or "").strip() and (row.get(label) or "").strip())


def labels_are_the_districts(rows: list[dict], label: str) -> bool:
    """Whether most labels name a department of the sample district (by name, short name or
    code, or 属地). Only then can the sample list's answers be right: labels from elsewhere (another
    district's departments, or categories) are learned from history alone, since the list would
    send every demand to a department no label names."""
    names = {TERRITORIAL_LABEL, *departments_by_label()}
    labels = [(row.get(label) or "").strip() for row in rows]
    return sum(value in names for value in labels) * 2 >= len(labels)


BASELINE = "character 1–3-gram TF-IDF + LinearSVC"


def _baseline_text(row: dict, text: str, title: str) -> str:
    return f"{row.get(title) or ''}\n{row.get(text) or ''}" if title else row.get(text) or ""


def plain_baseline(training: list[dict], held_out: list[tuple[int, dict]], *, text: str, title: str,
                   label: str) -> dict[int, Guess]:  # fmt: skip
    """What the plainest text classifier says of the held-out rows, learned from the same training
    rows: the bar the router, with its list, words, titles and calibration, must clear. It reads
    the labels as written (a 属地 label is its own class) and title and text as one string."""
    labels = [(row.get(label) or "").strip() for row in training]
    classes = sorted(set(labels))
    if len(classes) < 2:  # nothing to tell apart: the one label there is
        return {number: Guess(classes[0] if classes else "", classes[:1]) for number, _ in held_out}
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
    features = vectorizer.fit_transform([_baseline_text(row, text, title) for row in training])
    classifier = LinearSVC(random_state=0).fit(features, labels)
    scores = classifier.decision_function(
        vectorizer.transform([_baseline_text(row, text, title) for _, row in held_out])
    )
    if scores.ndim == 1:  # two classes: one margin, for the second
        scores = np.column_stack([-scores, scores])
    ranked = np.argsort(-scores, axis=1, kind="stable")[:, :3]
    return {
        number: Guess(str(classifier.classes_[order[0]]), [str(classifier.classes_[i]) for i in order])
        for (number, _), order in zip(held_out, ranked, strict=True)
    }


def evaluate_folds(rows: list[dict], *, folds: int, text: str, title: str, location: str, label: str,
                   threshold: float, seed: int = 0) -> Report:  # fmt: skip
    numbered = list(enumerate(rows, start=2))
    random.Random(seed).shuffle(numbered)
    use_list = labels_are_the_districts(rows, label)
    report = Report(mode=f"{folds}-fold", rows=len(rows), threshold=threshold, list_used=use_list)
    report.unlearnable_rows = sum(not _learnable(row, text, label) for row in rows)
    bar = ProgressBar(len(rows))
    columns = HistoryColumns(text=text, title=title, department=label, location=location)
    with words_kept():  # each text is segmented once for all the folds' trainings
        for fold in range(folds):
            held_out = numbered[fold::folds]
            # A row without text or label cannot be history (the import would refuse it, and with
            # it the whole fold); it is still routed, and scored if it has a label, when held out.
            training = [r for i, r in enumerate(numbered) if i % folds != fold and _learnable(r[1], text, label)]
            HistoricalCase.objects.all().delete()
            RoutingModel.objects.all().delete()
            history_import([row for _, row in training], columns, create_missing_departments=True)
            # Assessed, as import_history and the nightly retrain do: the fold's model is
            # calibrated on held-out routing of its own training rows, under the same list (or none).
            train_and_activate(
                note=f"fold {fold + 1}/{folds}", assessed=True, version=version_in_force() if use_list else None
            )
            report.predictions += _route_rows(held_out, text, title, location, label, True, use_list, bar)
            report.baseline.update(
                plain_baseline([row for _, row in training], held_out, text=text, title=title, label=label)
            )
    report.predictions.sort(key=lambda p: p.row)
    return report
