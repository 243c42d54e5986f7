"""Put the events and contact disclosures written so far in their demands' hash chains, in the
order they happened (time, then id), before the database starts refusing changes to them (0015).
The hashing is demands.audit_chain's own, so that `verify_audit_log` checks these rows exactly as
the rows written from now on."""

from django.db import migrations

BATCH = 2000


def fill(apps, schema_editor):
    from demands.audit_chain import GENESIS, row_hash

    for model_name, kind in (("DemandEvent", "event"), ("ContactDisclosure", "disclosure")):
        model = apps.get_model("demands", model_name)
        batch = []
        demand_id, seq, previous = None, 0, GENESIS
        for row in model.objects.order_by("demand_id", "created_at", "pk").iterator(chunk_size=BATCH):
            if row.demand_id != demand_id:
                demand_id, seq, previous = row.demand_id, 0, GENESIS
            seq += 1
            row.seq, row.prev_hash = seq, previous
            row.row_hash = previous = row_hash(kind, row)
            batch.append(row)
            if len(batch) >= BATCH:
                model.objects.bulk_update(batch, ["seq", "prev_hash", "row_hash"])
                batch = []
        model.objects.bulk_update(batch, ["seq", "prev_hash", "row_hash"])


class Migration(migrations.Migration):
    dependencies = [("demands", "0013_audit_chain_and_anonymisation")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
