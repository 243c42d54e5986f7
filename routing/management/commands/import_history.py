from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config.errors import ValidationFailed
from config.tables import read_table
from routing.history import HistoryColumns, chosen_title_column, history_import
from routing.training import train_and_activate


class Command(BaseCommand):
    help = "Import past cases (CSV or XLSX) whose final department is known, then retrain the router."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--text-column", default="content", help="the demand's text")
        parser.add_argument(
            "--title-column",
            default=None,
            help="its title; by default a column named as one (标题, 留言主题, title…), '' for none",
        )
        parser.add_argument("--department-column", default="department", help="final department: name or code")
        parser.add_argument("--time-column", default="", help="when it was submitted")
        parser.add_argument("--location-column", default="")
        parser.add_argument("--matter-column", default="", help="matter code, if known")
        parser.add_argument("--id-column", default="", help="its number in the older system")
        parser.add_argument("--create-departments", action="store_true", help="create unknown departments")
        parser.add_argument("--no-train", action="store_true", help="import only; the periodic task trains later")

    def handle(self, *args, file: Path, **options):
        if not file.exists():
            raise CommandError(f"{file} does not exist.")
        try:
            rows = read_table(file)
        except ValidationFailed as error:
            raise CommandError(error.message) from error
        title = chosen_title_column(
            options["title_column"], rows[0] if rows else (), besides=options["text_column"], say=self.stdout.write
        )
        columns = HistoryColumns(
            text=options["text_column"],
            title=title,
            department=options["department_column"],
            submitted=options["time_column"],
            location=options["location_column"],
            matter=options["matter_column"],
            external_id=options["id_column"],
        )
        try:
            count = history_import(rows, columns, create_missing_departments=options["create_departments"])
        except ValidationFailed as error:
            for row in error.extra.get("rows", []):
                self.stderr.write(row)
            raise CommandError(error.message) from error
        self.stdout.write(self.style.SUCCESS(f"Imported {count} past cases."))
        if not options["no_train"]:
            model = train_and_activate(note=f"after importing {file.name}", assessed=True)
            self.stdout.write(f"Router model: {model.version if model else 'not enough history yet'}.")
            held_out = model.metrics.get("held_out") if model else None
            if held_out:
                self.stdout.write(
                    f"On past cases it had not seen ({held_out['folds']} folds): accuracy {held_out['accuracy']:.1%},"
                    f" right department among its first three {held_out['top3_accuracy']:.1%}."
                )
