"""Re-encrypt the citizens' personal data with the first of PERSONAL_DATA_KEYS, so that the keys
after it can be removed (README.md, "Rotating the personal-data key").

Batched by primary key, each batch in its own transaction with its rows locked, so the command
can be stopped and run again: a row already under the first key is left alone (idempotent), and
a rerun walks past the batches done in a moment. --rehash-phones also recomputes every phone's
keyed hash, after PHONE_HASH_KEY changed."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import TextField
from django.db.models.functions import Cast

from config.encryption import PersonalDataUnreadable, under_first_key
from demands.models import CONTACT_FIELDS, Demand
from demands.phones import phone_hash


class Command(BaseCommand):
    help = "Re-encrypt personal data with the first of PERSONAL_DATA_KEYS (batched, idempotent, resumable)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--rehash-phones", action="store_true", help="recompute citizen_phone_hash too")

    def handle(self, *args, batch_size: int, rehash_phones: bool, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        # The stored tokens themselves, not the clear text the field reads back.
        stored = {f"stored_{name}": Cast(name, output_field=TextField()) for name in CONTACT_FIELDS}
        last, seen, rewritten = 0, 0, 0
        while True:
            with transaction.atomic():
                batch = list(
                    Demand.objects.filter(pk__gt=last)
                    .order_by("pk")
                    .select_for_update()
                    .annotate(**stored)
                    .only("pk", *CONTACT_FIELDS, "citizen_phone_hash")[:batch_size]
                )
                if not batch:
                    break
                for demand in batch:
                    tokens = [getattr(demand, f"stored_{name}") for name in CONTACT_FIELDS]
                    stale = any(token and not under_first_key(token) for token in tokens)
                    new_hash = phone_hash(demand.citizen_phone) if rehash_phones else demand.citizen_phone_hash
                    if not stale and new_hash == demand.citizen_phone_hash:
                        continue
                    # Written back in clear through the field, which encrypts with the first key.
                    values = {name: getattr(demand, name) for name in CONTACT_FIELDS}
                    Demand.objects.filter(pk=demand.pk).update(**values, citizen_phone_hash=new_hash)
                    rewritten += 1
                seen += len(batch)
                last = batch[-1].pk
            self.stdout.write(f"{seen} demands read, {rewritten} re-encrypted (up to id {last}).")
        self.stdout.write(self.style.SUCCESS(f"Done: {seen} demands, {rewritten} re-encrypted with the first key."))

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except PersonalDataUnreadable as error:
            raise CommandError(f"{error} Put the old key back after the new one and run again.") from error
