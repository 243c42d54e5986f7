"""How far hand labels can be trusted: 300 of the labelled messages were read again, blind to
their first label (benchmarks/data/message_labels_second_reading.csv, with `sure` = no where two
departments are defensible). Prints how often the two readings agree, and, given the
predictions of an evaluation (`evaluate_routing … --predictions OUT.csv` over the file that
labelled_messages.py writes), how the router does on the messages both readings agree on.

    python benchmarks/label_agreement.py [LABELLED.csv PREDICTIONS.csv]"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
FIRST_READING = Path(__file__).resolve().parents[1] / "dispatch" / "sample_data" / "message_labels.csv"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def main(labelled: Path | None, predictions: Path | None) -> None:
    first = {row["source_id"]: row["department"] for row in _rows(FIRST_READING)}
    second = _rows(DATA / "message_labels_second_reading.csv")
    agreed = [row for row in second if first[row["source_id"]] == row["department"]]
    sure = [row for row in second if row["sure"] == "yes"]
    sure_agreed = [row for row in sure if first[row["source_id"]] == row["department"]]
    print(f"read twice: {len(second)}; the readings agree on {len(agreed)} ({len(agreed) / len(second):.1%})")
    print(f"marked sure on the second reading: {len(sure)}; agreed there: {len(sure_agreed) / len(sure):.1%}")
    if labelled is None or predictions is None:
        return
    # Prediction rows are numbered as the evaluation numbers its input: the header is line 1.
    line_of = {row["source_id"]: number for number, row in enumerate(_rows(labelled), start=2)}
    predicted = {int(row["row"]): row for row in _rows(predictions)}
    answers = [predicted[line_of[row["source_id"]]] for row in agreed]
    right = sum(
        answer["predicted_department"] == row["department"] for answer, row in zip(answers, agreed, strict=True)
    )
    top3 = sum(row["department"] in answer["top3"].split(" | ") for answer, row in zip(answers, agreed, strict=True))
    print(f"router on the {len(agreed)} messages both readings agree on: accuracy {right / len(agreed):.1%},"
          f" top-3 {top3 / len(agreed):.1%}")  # fmt: skip


if __name__ == "__main__":
    arguments = [Path(a) for a in sys.argv[1:3]]
    main(*(arguments if len(arguments) == 2 else (None, None)))
