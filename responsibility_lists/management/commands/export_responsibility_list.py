from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from responsibility_lists.list_io import rows_of, write_csv, write_xlsx
from responsibility_lists.models import ListVersion


class Command(BaseCommand):
    help = "Export a version of the list (by number) to FILE, .xlsx or .csv, in the layout districts publish."

    def add_arguments(self, parser):
        parser.add_argument("version", type=int, help="version number, e.g. 1 for V1")
        parser.add_argument("file", type=Path)

    def handle(self, *args, version: int, file: Path, **options):
        found = ListVersion.objects.filter(number=version).first()
        if found is None:
            raise CommandError(f"There is no version V{version}.")
        rows = rows_of(found)
        suffix = file.suffix.lower()
        if suffix == ".csv":
            with file.open("w", encoding="utf-8", newline="") as handle:
                write_csv(rows, handle)
        elif suffix == ".xlsx":
            write_xlsx(rows, file, title=f"V{found.number}")
        else:
            raise CommandError("FILE must end in .xlsx or .csv.")
        self.stdout.write(self.style.SUCCESS(f"Exported {len(rows)} matters of {found} to {file}."))
