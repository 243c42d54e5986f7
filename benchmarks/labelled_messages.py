"""Write the labelled evaluation set: the public messages of ../shared/data/messages.csv joined
with our own department labels (benchmarks/data/message_labels.csv, all 6,944 messages read and
labelled by hand against the sample district's departments; `属地` = the street office): 1,788
in a first batch, then 1,600, 1,600 and 1,956 in three more, read by four, four and five readers
following benchmarks/data/labelling_guide.md, with `sure` = no where two departments are
defensible).

    python benchmarks/labelled_messages.py OUT.csv
    python benchmarks/labelled_messages.py --categories OUT.csv

With --categories the label is instead one of the seven first-level categories that public
labelled sets of government messages use (城乡建设, 环境保护, 交通运输, 教育文体, 劳动和社会保障,
商贸旅游, 卫生计生), mapped from our departments; messages of departments outside them (公安,
属地 and the rare ones) are left out. It stands in for such a set, learned from history alone.

The message text is not kept in the repository; this joins it in from shared data."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MESSAGES = ROOT.parent / "shared" / "data" / "messages.csv"
LABELS = ROOT / "benchmarks" / "data" / "message_labels.csv"
CATEGORIES = {
    "城乡建设": [
        "坪山区住房和建设局",
        "深圳市规划和自然资源局坪山管理局",
        "坪山区建筑工务署",
        "坪山区城市更新和土地整备局",
        "坪山区水务局",
        "深圳市水务集团坪山分公司",
        "深圳市燃气集团坪山分公司",
        "深圳供电局有限公司坪山供电局",
        "坪山区城市管理和综合执法局",
    ],
    "环境保护": ["深圳市生态环境局坪山管理局"],
    "交通运输": ["深圳市交通运输局坪山管理局", "深圳巴士集团坪山公交分公司", "深圳市公安局交通警察支队坪山大队"],
    "教育文体": ["坪山区教育局", "坪山区文化广电旅游体育局"],
    "劳动和社会保障": [
        "坪山区人力资源局",
        "深圳市医疗保障局坪山分局",
        "坪山区民政局",
        "坪山区残疾人联合会",
        "坪山区退役军人事务局",
    ],
    "商贸旅游": ["深圳市市场监督管理局坪山监管局", "坪山区商务局", "坪山区发展和改革局", "坪山区工业和信息化局"],
    "卫生计生": ["坪山区卫生健康局"],
}
CATEGORY_OF = {department: category for category, departments in CATEGORIES.items() for department in departments}


def main(out: Path, *, categories: bool = False) -> None:
    if not MESSAGES.exists():
        sys.exit(f"{MESSAGES} is not here: the labelled set needs the shared messages.")
    labels = {row["source_id"]: row["department"] for row in csv.DictReader(LABELS.open(encoding="utf-8"))}
    if categories:
        labels = {key: CATEGORY_OF[label] for key, label in labels.items() if label in CATEGORY_OF}
    with MESSAGES.open(encoding="utf-8") as source, out.open("w", encoding="utf-8", newline="") as target:
        writer = csv.writer(target)
        writer.writerow(["source_id", "title", "body", "category" if categories else "department"])
        count = 0
        for row in csv.DictReader(source):
            if row["source_id"] in labels:
                writer.writerow([row["source_id"], row["title"], row["body"], labels[row["source_id"]]])
                count += 1
    print(f"{count} labelled messages written to {out}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, nargs="?", default=Path("labelled_messages.csv"))
    parser.add_argument("--categories", action="store_true", help="label with the seven first-level categories")
    options = parser.parse_args()
    main(options.out, categories=options.categories)
