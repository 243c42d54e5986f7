"""How far hand labels can be trusted: 300 of the first batch of labelled messages were read
again, blind to their first label (benchmarks/data/message_labels_second_reading.csv, with
`sure` = no where two departments are defensible), and each of the thirteen readers of the
later batches read 30 more of them among their own, blind too (message_labels_reader_overlap.csv).
Prints how often the readings agree, on the department and on the seven categories that
`labelled_messages.py --categories` maps departments to. It bounds what these labels can show:
if each reading is wrong at a rate e, two readings agree at about a = (1 − e)², and even a router
that is always right would be measured against one reading at about 1 − e = √a. Given the
predictions of an evaluation (`evaluate_routing … --predictions OUT.csv` over the file that
labelled_messages.py writes), it also prints how the router does on the messages every reading
agrees on.

    python benchmarks/label_agreement.py [LABELLED.csv PREDICTIONS.csv]"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from labelled_messages import CATEGORY_OF

DATA = Path(__file__).resolve().parent / "data"
FIRST_READING = DATA / "message_labels.csv"
READINGS = [
    ("message_labels_second_reading.csv", "one reader"),
    ("message_labels_reader_overlap.csv", "the later batches' thirteen readers"),
]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def main(labelled: Path | None, predictions: Path | None) -> None:
    first = {row["source_id"]: row["department"] for row in _rows(FIRST_READING)}
    disputed: set[str] = set()
    agreed: dict[str, dict[str, str]] = {}
    for name, readers in READINGS:
        again = _rows(DATA / name)
        agreeing = [row for row in again if first[row["source_id"]] == row["department"]]
        sure = [row for row in again if row["sure"] == "yes"]
        sure_agreed = [row for row in sure if first[row["source_id"]] == row["department"]]
        print(f"read again by {readers}: {len(again)}; agreed with the first reading on {len(agreeing)}"
              f" ({len(agreeing) / len(again):.1%}); marked sure: {len(sure)}, agreed there:"
              f" {len(sure_agreed) / len(sure):.1%}")  # fmt: skip
        # Where both readings fall in the seven categories, as the categories' labelled set keeps them.
        categorised = [row for row in again if {first[row["source_id"]], row["department"]} <= CATEGORY_OF.keys()]
        same_category = [
            row for row in categorised if CATEGORY_OF[first[row["source_id"]]] == CATEGORY_OF[row["department"]]
        ]
        print(f"  in the seven categories: {len(categorised)}; same category {len(same_category)}"
              f" ({len(same_category) / len(categorised):.1%})")  # fmt: skip
        disputed.update(row["source_id"] for row in again if first[row["source_id"]] != row["department"])
        agreed.update((row["source_id"], row) for row in agreeing)
    agreed = {key: row for key, row in agreed.items() if key not in disputed}
    if labelled is None or predictions is None:
        return
    # Prediction rows are numbered as the evaluation numbers its input: the header is line 1.
    line_of = {row["source_id"]: number for number, row in enumerate(_rows(labelled), start=2)}
    predicted = {int(row["row"]): row for row in _rows(predictions)}
    rows = list(agreed.values())
    answers = [predicted[line_of[row["source_id"]]] for row in rows]
    right = sum(answer["predicted_department"] == row["department"] for answer, row in zip(answers, rows, strict=True))
    top3 = sum(row["department"] in answer["top3"].split(" | ") for answer, row in zip(answers, rows, strict=True))
    print(f"router on the {len(rows)} messages every reading agrees on: accuracy {right / len(rows):.1%},"
          f" top-3 {top3 / len(rows):.1%}")  # fmt: skip


if __name__ == "__main__":
    arguments = [Path(a) for a in sys.argv[1:3]]
    main(*(arguments if len(arguments) == 2 else (None, None)))
