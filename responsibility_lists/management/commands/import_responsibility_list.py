from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config.errors import ValidationFailed
from responsibility_lists.list_io import read_file
from responsibility_lists.services import version_import


class Command(BaseCommand):
    help = "Import FILE (.xlsx or .csv, the published layout) as a new draft. A file with any bad row imports nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--title", default="", help="title of the new draft (default: the file name)")

    def handle(self, *args, file: Path, title: str, **options):
        if not file.exists():
            raise CommandError(f"{file} does not exist.")
        try:
            draft = version_import(rows=read_file(file), actor=None, title=title or file.stem)
        except ValidationFailed as error:
            for row in error.extra.get("rows", []):
                self.stderr.write(row)
            raise CommandError(error.message) from error
        self.stdout.write(self.style.SUCCESS(f"Imported {draft.matters.count()} matters as draft {draft}."))
