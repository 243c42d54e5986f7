"""The precision–coverage figures a district sets its auto-dispatch threshold from."""

from __future__ import annotations

from routing.evaluation import Prediction, _lowest_cut, _reliability


def _prediction(confidence: float, right: bool) -> Prediction:
    return Prediction(row=0, label="甲", department="甲" if right else "乙", matter_code="", confidence=confidence,
                      top3=[], milliseconds=0.0)  # fmt: skip


def test_the_lowest_threshold_keeping_a_precision_and_what_it_covers():
    # Right, right, right, right, wrong, right, wrong, wrong from the most confident down.
    outcomes = [(0.95, True), (0.9, True), (0.85, True), (0.8, True), (0.75, False), (0.7, True), (0.6, False),
                (0.5, False)]  # fmt: skip
    group = [_prediction(c, r) for c, r in outcomes]
    assert _lowest_cut(group, 0.8, least=1) == {"threshold": 0.7, "coverage": 0.75}  # 5 of 6 right
    assert _lowest_cut(group, 0.95, least=1) == {"threshold": 0.8, "coverage": 0.5}
    assert _lowest_cut(group, 0.95, least=5) == {"threshold": None, "coverage": None}


def test_a_cut_never_splits_answers_of_the_same_confidence():
    # A threshold dispatches every answer at its confidence, wrong ones included.
    group = [_prediction(0.9, True), _prediction(0.8, True), _prediction(0.8, False)]
    assert _lowest_cut(group, 0.9, least=1) == {"threshold": 0.9, "coverage": 0.3333}


def test_reliability_counts_each_answer_once_by_its_confidence():
    group = [_prediction(0.05, False), _prediction(0.65, True), _prediction(0.69, False), _prediction(1.0, True)]
    bins = {row["confidence"]: row for row in _reliability(group)}
    assert bins["0.6–0.7"] == {"confidence": "0.6–0.7", "rows": 2, "accuracy": 0.5}
    assert bins["0.9–1.0"]["rows"] == 1 and bins["0.0–0.1"]["accuracy"] == 0.0
    assert sum(row["rows"] for row in bins.values()) == 4
