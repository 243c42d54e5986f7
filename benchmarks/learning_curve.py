"""How routing from history grows with the history: 5-fold evaluate_routing over nested random
samples of a labelled file (each sample holds the smaller ones), so a district can read what
more past cases would be worth, and a figure measured on a small set can be set beside a large one.

    .venv/bin/python benchmarks/learning_curve.py LABELLED.csv --label-column department
        [--title-column title] [--text-column body] [--shares 0.25 0.5 0.75 1] [--seed 0]

Prints, per sample: rows, accuracy, macro-F1, top-3, and the share dispatchable at 98% precision."""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("labelled", type=Path)
    parser.add_argument("--label-column", required=True)
    parser.add_argument("--text-column", default="body")
    parser.add_argument("--title-column", default="title")
    parser.add_argument("--shares", type=float, nargs="+", default=[0.25, 0.5, 0.75, 1.0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not all(0 < share <= 1 for share in args.shares):
        sys.exit("Each share must be in (0, 1].")

    with args.labelled.open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header, rows = list(reader.fieldnames or []), list(reader)
    random.Random(args.seed).shuffle(rows)  # a prefix of one shuffle: each sample holds the smaller ones
    print(f"{'rows':>6} {'accuracy':>9} {'macro-F1':>9} {'top-3':>7} {'at 98%':>7}")
    with tempfile.TemporaryDirectory(prefix="learning-curve-") as folder:
        for share in sorted(args.shares):
            sample = Path(folder) / f"sample-{share}.csv"
            with sample.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.DictWriter(handle, header)
                writer.writeheader()
                writer.writerows(rows[: round(len(rows) * share)])
            figures = Path(folder) / f"figures-{share}.json"
            command = [
                sys.executable, str(ROOT / "manage.py"), "evaluate_routing", str(sample),
                "--text-column", args.text_column, "--title-column", args.title_column,
                "--label-column", args.label_column, "--folds", str(args.folds), "--seed", str(args.seed),
                "--json", str(figures),
            ]  # fmt: skip
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            result = json.loads(figures.read_text(encoding="utf-8"))
            at_98 = result["precision_targets"].get("0.98", {}).get("coverage")
            print(
                f"{result['rows']:>6} {result['accuracy']:>9.3f} {result['macro_f1']:>9.3f}"
                f" {result['top3_accuracy']:>7.3f} {at_98 if at_98 is not None else '—':>7}",
                flush=True,
            )


if __name__ == "__main__":
    main()
