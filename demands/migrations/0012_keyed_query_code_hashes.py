"""Query codes were kept as sha256(number:code), which a leaked copy of the table gives up to an
offline search. They are now HMAC(QUERY_CODE_KEY, sha256(number:code)); the codes themselves are
not known here, but the old hash is all the keyed one needs, so every citizen's code keeps working.
There is no way back: the plain hash cannot be recovered from the keyed one."""

import hashlib
import hmac

from django.conf import settings
from django.db import migrations


def key_hashes(apps, schema_editor):
    Demand = apps.get_model("demands", "Demand")
    key = settings.QUERY_CODE_KEY.encode()
    batch = []
    for demand in Demand.objects.only("pk", "query_code_hash").iterator(chunk_size=2000):
        demand.query_code_hash = hmac.new(key, demand.query_code_hash.encode(), hashlib.sha256).hexdigest()
        batch.append(demand)
        if len(batch) >= 2000:
            Demand.objects.bulk_update(batch, ["query_code_hash"])
            batch = []
    Demand.objects.bulk_update(batch, ["query_code_hash"])


class Migration(migrations.Migration):
    dependencies = [("demands", "0011_phone_codes")]
    operations = [migrations.RunPython(key_hashes, elidable=False)]
