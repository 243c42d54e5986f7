"""An assisting department let go by a lead's return now names that return, so the ruling finds
it by the link. Rows written before the link are linked by the rule the ruling used until now: an
assisting assignment of the same demand, released at the very moment the return was made."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Exists, OuterRef, Subquery


def link_released_assists(apps, schema_editor):
    Assignment = apps.get_model("dispatch", "Assignment")
    ReturnRequest = apps.get_model("dispatch", "ReturnRequest")
    # The return made on the assignment's demand at the moment it was released (the return and its
    # release of the assisting departments share one timestamp).
    releasing = ReturnRequest.objects.filter(
        assignment__demand_id=OuterRef("demand_id"), requested_at=OuterRef("finished_at")
    ).order_by("pk")
    Assignment.objects.filter(role="assist", status="released", released_by_return__isnull=True).filter(
        Exists(releasing)
    ).update(released_by_return=Subquery(releasing.values("pk")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ('dispatch', '0020_models_moved_out'),
    ]

    operations = [
        migrations.AddField(
            model_name='assignment',
            name='released_by_return',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='released_assists', to='dispatch.returnrequest'),
        ),
        # Backwards the column goes, and the link with it: nothing to undo.
        migrations.RunPython(link_released_assists, migrations.RunPython.noop),
    ]
