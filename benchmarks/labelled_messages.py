"""Write the labelled evaluation set: the public messages of ../shared/data/messages.csv joined
with our own department labels (dispatch/sample_data/message_labels.csv, 1,788 messages read and
labelled by hand against the sample district's departments; `属地` = the street office).

    python benchmarks/labelled_messages.py OUT.csv

The message text is not kept in the repository; this joins it in from shared data."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MESSAGES = ROOT.parent / "shared" / "data" / "messages.csv"
LABELS = ROOT / "dispatch" / "sample_data" / "message_labels.csv"


def main(out: Path) -> None:
    if not MESSAGES.exists():
        sys.exit(f"{MESSAGES} is not here: the labelled set needs the shared messages.")
    labels = {row["source_id"]: row["department"] for row in csv.DictReader(LABELS.open(encoding="utf-8"))}
    with MESSAGES.open(encoding="utf-8") as source, out.open("w", encoding="utf-8", newline="") as target:
        writer = csv.writer(target)
        writer.writerow(["source_id", "title", "body", "department"])
        count = 0
        for row in csv.DictReader(source):
            if row["source_id"] in labels:
                writer.writerow([row["source_id"], row["title"], row["body"], labels[row["source_id"]]])
                count += 1
    print(f"{count} labelled messages written to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("labelled_messages.csv"))
