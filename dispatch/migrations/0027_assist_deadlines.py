"""Assisting departments have a ladder of their own that stops at overdue: supervising and
escalating are the lead's. Open assisting work dispatched before keeps its deadlines, and loses the
rungs it no longer takes."""

from django.db import migrations

OPEN = ("pending_sign", "signed")


def drop_lead_rungs(apps, schema_editor):
    Assignment = apps.get_model("dispatch", "Assignment")
    waiting = Assignment.objects.filter(role="assist", status__in=OPEN)
    waiting.filter(supervised_at__isnull=True).update(supervise_at=None)
    waiting.filter(escalated_at__isnull=True).update(escalate_at=None)


class Migration(migrations.Migration):
    dependencies = [("dispatch", "0026_reply_reviews")]
    operations = [migrations.RunPython(drop_lead_rungs, migrations.RunPython.noop)]
