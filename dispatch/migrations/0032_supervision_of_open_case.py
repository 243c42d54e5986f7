"""A supervision says whether its assignment is still open (assignment_open), kept by the one
writer of assignments' statuses: the desk's supervised queue then reads the supervisions of cases
in hand through an index in its own order. Filled in from the assignments as they stand."""

from django.conf import settings
from django.db import migrations, models

OPEN_ASSIGNMENT_STATUSES = ["pending_sign", "signed"]


def fill_in(apps, schema_editor):
    Supervision = apps.get_model("dispatch", "Supervision")
    Supervision.objects.exclude(assignment__status__in=OPEN_ASSIGNMENT_STATUSES).update(assignment_open=False)


def queue_index(apps, schema_editor):
    # The desk's supervised queue in its order (unanswered first, the most pressing first), of the
    # open assignments' supervisions only. PostgreSQL only: SQLite cannot index NULLS FIRST, and a
    # district's queue is small.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX supervision_desk_queue ON dispatch_supervision "
            "(responded_at ASC NULLS FIRST, response_deadline, id) WHERE assignment_open"
        )


def drop_queue_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS supervision_desk_queue")


class Migration(migrations.Migration):

    dependencies = [
        ('dispatch', '0031_finished_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='supervision',
            name='assignment_open',
            field=models.BooleanField(db_default=True, default=True, editable=False),
        ),
        migrations.RunPython(fill_in, migrations.RunPython.noop),
        migrations.RunPython(queue_index, drop_queue_index),
    ]
