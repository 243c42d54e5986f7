import json

from django.core.management.base import BaseCommand, CommandError

from responsibility_lists.diff import diff_versions
from responsibility_lists.models import ListVersion


class Command(BaseCommand):
    help = "Show what changed between versions A and B of the list (numbers): matters added, removed, changed."

    def add_arguments(self, parser):
        parser.add_argument("a", type=int)
        parser.add_argument("b", type=int)
        parser.add_argument("--json", action="store_true", help="print JSON instead of text")

    def handle(self, *args, a: int, b: int, json: bool, **options):
        versions = {v.number: v for v in ListVersion.objects.filter(number__in=[a, b])}
        for number in (a, b):
            if number not in versions:
                raise CommandError(f"There is no version V{number}.")
        diff = diff_versions(versions[a], versions[b])
        if json:
            self.stdout.write(_dumps(diff.as_dict()))
        else:
            self.stdout.write(diff.as_text())


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
