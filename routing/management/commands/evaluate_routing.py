"""Evaluate the router on a labelled file without touching the configured database: the command
runs itself again in a child process on a throwaway SQLite database, loads the sample district
there, and reports accuracy, macro-F1, top-3, coverage and precision at the auto-dispatch
threshold, and routing time per demand; with --folds, beside a plain baseline on the same folds."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from routing.history import chosen_title_column

INNER = "MINSHENG_EVALUATION_DATABASE"


class Command(BaseCommand):
    help = "Measure routing on a labelled CSV/XLSX (k-fold over history, or zero-shot with the sample list)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--text-column", required=True)
        parser.add_argument("--label-column", required=True, help="the responsible department's name")
        parser.add_argument(
            "--title-column",
            default=None,
            help="the title's column; by default a column named as one (标题, 留言主题, title…), '' for none",
        )
        parser.add_argument("--location-column", default="")
        parser.add_argument("--folds", type=int, default=0)
        parser.add_argument("--zero-shot", action="store_true")
        parser.add_argument("--predictions", type=Path)
        parser.add_argument("--json", type=Path, dest="json_path")
        parser.add_argument("--threshold", type=float, default=None)
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args, **options):
        if bool(options["folds"]) == options["zero_shot"]:
            raise CommandError("Give exactly one of --folds K (K ≥ 2) or --zero-shot.")
        if options["folds"] and options["folds"] < 2:
            raise CommandError("--folds needs at least 2.")
        if not options["file"].exists():
            raise CommandError(f"{options['file']} does not exist.")
        if os.environ.get(INNER) != str(settings.DATABASES["default"]["NAME"]):
            # Here, once: the child process reads the file to evaluate it.
            columns = _check_columns(options)
            options["title_column"] = chosen_title_column(
                options["title_column"], columns, besides=options["text_column"], say=self.stdout.write
            )
            return self._run_in_throwaway_database(options)
        self._evaluate(**options)

    def _run_in_throwaway_database(self, options: dict) -> None:
        with tempfile.TemporaryDirectory(prefix="evaluate-routing-") as folder:
            database = Path(folder) / "evaluation.sqlite3"
            env = {
                **os.environ,
                "DATABASE_URL": f"sqlite:///{database}",
                INNER: str(database),
                "CELERY_BROKER_URL": "",
                "DJANGO_SETTINGS_MODULE": "config.settings.local",
                "DEBUG": "false",
                "LOG_LEVEL": "WARNING",
            }
            command = [
                sys.executable,
                str(Path(settings.BASE_DIR) / "manage.py"),
                "evaluate_routing",
                *_arguments(options),
            ]
            completed = subprocess.run(command, env=env, check=False)
            if completed.returncode:
                raise CommandError("The evaluation failed (see above).")

    def _evaluate(self, **options) -> None:
        from config.tables import read_table
        from routing.evaluation import evaluate_folds, evaluate_zero_shot

        call_command("migrate", verbosity=0)
        call_command("load_sample_district", verbosity=0)
        rows = read_table(options["file"])
        threshold = (
            options["threshold"] if options["threshold"] is not None else settings.ROUTING_AUTO_DISPATCH_THRESHOLD
        )
        columns = {
            "text": options["text_column"], "title": options["title_column"] or "", "location": options["location_column"],
            "label": options["label_column"], "threshold": threshold,
        }  # fmt: skip
        if options["zero_shot"]:
            report = evaluate_zero_shot(rows, **columns)
        else:
            report = evaluate_folds(rows, folds=options["folds"], seed=options["seed"], **columns)
        figures = report.figures()
        if not figures["scored_rows"]:
            self.stdout.write(
                "No label names a department of the sample district, so nothing is scored;"
                " every prediction is still written (--predictions)."
            )
        if not report.list_used:
            self.stdout.write(
                "Most labels name no department of the sample district, so its list cannot be right"
                " about them: the folds are routed by what the router learns from history alone."
            )
        for key, value in figures.items():
            if key not in ("baseline", "by_category", "by_label", "precision_targets", "reliability"):
                self.stdout.write(f"{key:>26}: {value}")
        if "baseline" in figures:
            self._write_baseline(figures)
        self.stdout.write("the lowest threshold keeping auto-dispatch at a precision, and its coverage")
        for wanted, point in figures["precision_targets"].items():
            self.stdout.write(f"  precision ≥ {wanted:<5} threshold {point['threshold']}  coverage {point['coverage']}")
        self.stdout.write("reliability: how often the router was right at each confidence")
        for row in figures["reliability"]:
            self.stdout.write(f"  {row['confidence']}  rows {row['rows']:>5}  accuracy {row['accuracy']}")
        self.stdout.write("by label: rows, recall, precision, and the answer it was most often taken for")
        self._write_table(figures["by_label"])
        if "by_category" in figures:
            self.stdout.write("by category of the answered matter: rows, accuracy, coverage and precision at the")
            self.stdout.write("threshold, and the lowest threshold keeping that category's auto-dispatches 95% right")
            self._write_table(figures["by_category"])
        if options["json_path"]:
            options["json_path"].write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")
        if options["predictions"]:
            with options["predictions"].open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(["row", "predicted_department", "matter_code", "confidence", "top3", "routing_ms"])
                for p in report.predictions:
                    writer.writerow(
                        [
                            p.row,
                            p.department,
                            p.matter_code,
                            f"{p.confidence:.3f}",
                            " | ".join(p.top3),
                            f"{p.milliseconds:.2f}",
                        ]
                    )

    def _write_baseline(self, figures: dict) -> None:
        from routing.evaluation import BASELINE

        self.stdout.write(f"the router beside a plain baseline on the same folds ({BASELINE}):")
        self.stdout.write(f"{'':>26}  {'router':>8}  {'baseline':>8}")
        for key in figures["baseline"]:
            router, baseline = figures[key], figures["baseline"][key]
            self.stdout.write(f"{key:>26}  {router!s:>8}  {baseline!s:>8}")

    def _write_table(self, rows: dict[str, dict]) -> None:
        for name, row in rows.items():
            cells = [f"{value if value is not None else '—'}" for value in row.values()]
            self.stdout.write(f"  {name:　<12} " + "  ".join(f"{cell:>6}" for cell in cells))


def _check_columns(options: dict) -> list[str]:
    """Before any work: every column named must be in the file (a typo is told at once, with
    the columns there are), and the file must be readable. Returns the file's columns."""
    from config.errors import ValidationFailed
    from config.tables import read_table

    try:
        rows = read_table(options["file"])
    except ValidationFailed as error:
        raise CommandError(error.message) from error
    if not rows:
        raise CommandError(f"{options['file']} has no rows.")
    named = [options[c] for c in ("text_column", "label_column", "title_column", "location_column") if options[c]]
    missing = [name for name in named if name not in rows[0]]
    if missing:
        raise CommandError(
            f"No column {', '.join(map(repr, missing))} in {options['file']}; its columns are: {', '.join(rows[0])}."
        )
    return list(rows[0])


def _arguments(options: dict) -> list[str]:
    """The same evaluation, spelled as a command line for the child process."""
    arguments = [str(Path(options["file"]).resolve())]
    for name in ("text_column", "label_column", "title_column", "location_column"):
        if options[name]:
            arguments += [f"--{name.replace('_', '-')}", options[name]]
    if options["zero_shot"]:
        arguments.append("--zero-shot")
    else:
        arguments += ["--folds", str(options["folds"]), "--seed", str(options["seed"])]
    for name, flag in (("predictions", "--predictions"), ("json_path", "--json")):
        if options[name]:
            arguments += [flag, str(Path(options[name]).resolve())]
    if options["threshold"] is not None:
        arguments += ["--threshold", str(options["threshold"])]
    return arguments
