"""Each matter says what share of the lead's handling time its assisting departments get.

On SQLite, adding a column with a default rebuilds the matter table, which the triggers that keep
published versions unchanged (0003) do not survive (and those on the table of assisting
departments fail while the matter table is away): they are lifted first and put back after."""

from importlib import import_module

import django.core.validators
from django.db import migrations, models

frozen = import_module("responsibility_lists.migrations.0003_frozen_version_triggers")


class Migration(migrations.Migration):
    dependencies = [
        ("departments", "0004_callback_officer_role"),
        ("responsibility_lists", "0006_knowledge_articles"),
    ]

    operations = [
        migrations.RunPython(frozen.remove, frozen.install),
        migrations.AddField(
            model_name="matter",
            name="assist_share_percent",
            field=models.PositiveSmallIntegerField(
                default=50,
                help_text="协办部门的办理期限占主办部门办理时限的百分比",
                validators=[
                    django.core.validators.MinValueValidator(10),
                    django.core.validators.MaxValueValidator(100),
                ],
                verbose_name="协办时限占比（%）",
            ),
        ),
        migrations.AddConstraint(
            model_name="matter",
            constraint=models.CheckConstraint(
                condition=models.Q(("assist_share_percent__gte", 10), ("assist_share_percent__lte", 100)),
                name="matter_assist_share_is_a_percentage",
            ),
        ),
        migrations.RunPython(frozen.install, frozen.remove),
    ]
