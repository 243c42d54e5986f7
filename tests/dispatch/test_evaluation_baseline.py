"""The plain baseline the router is measured beside."""

from __future__ import annotations

from dispatch.evaluation import plain_baseline


def test_the_plain_baseline_ranks_the_labels_of_its_training_rows():
    training = [{"t": "工地半夜施工噪音", "d": "住建"}, {"t": "老闆拖欠工資", "d": "人社"}] * 3
    held_out = [(7, {"t": "半夜施工太吵"}), (8, {"t": "拖欠工資不發"})]
    guesses = plain_baseline(training, held_out, text="t", title="", label="d")
    assert guesses[7].department == "住建" and guesses[8].department == "人社"
    assert guesses[7].top3 == ["住建", "人社"]  # two classes: both, best first
    # One label in the training rows: it is the only answer there is.
    only = plain_baseline(training[:1], held_out, text="t", title="", label="d")
    assert only[8].department == "住建" and only[8].top3 == ["住建"]
