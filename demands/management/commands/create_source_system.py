"""Register a source system and print its new key, alone on the last line (shown only now).

manage.py create_source_system "市12345平台" --channel city_platform
manage.py create_source_system "i坪山小程序" --channel mini_program
manage.py create_source_system "i坪山小程序" --new-key     # a new key; the old one stops working
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from config.errors import ValidationFailed
from demands.models import Channel, SourceSystem
from demands.sources import SYSTEM_CHANNELS, source_system_new_key, source_system_register


class Command(BaseCommand):
    help = "Register a source system (or give one a new key) and print its API key on the last line."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--channel", default=Channel.API, choices=[str(c) for c in SYSTEM_CHANNELS])
        parser.add_argument("--hands-down", action="store_true", help="a higher platform: its cases carry its deadline")
        parser.add_argument("--new-key", action="store_true", help="issue a new key to the system of that name")

    def handle(self, *args, name: str, channel: str, hands_down: bool, new_key: bool, **options):
        try:
            if new_key:
                system = SourceSystem.objects.filter(name=name.strip()).first()
                if system is None:
                    raise CommandError(f"No source system is called {name!r}.")
                issued = source_system_new_key(system_id=system.pk)
            else:
                issued = source_system_register(name=name, channel=channel, hands_down=hands_down)
        except ValidationFailed as error:
            raise CommandError(error.message) from error
        system = issued.system
        self.stdout.write(
            f"{system.name}: channel {system.channel}{', hands cases down' if system.hands_down else ''}. "
            "Its key follows; it is shown only now (Authorization: Api-Key <key>)."
        )
        self.stdout.write(issued.key)
