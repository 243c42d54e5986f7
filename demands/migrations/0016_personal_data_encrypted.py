"""The citizen's name, phone and address encrypted at rest, and the phone's keyed hash to find a
caller's demands by. The columns become text first (a token is longer than the clear value),
the rows are encrypted with the first of PERSONAL_DATA_KEYS, and only then does the state name
the encrypting field; going back decrypts them into the old columns."""

from django.db import migrations, models

import demands.fields

BATCH = 500
FIELDS = ("citizen_name", "citizen_phone", "citizen_address")


def _rewrite(apps, change, with_hash):
    from demands.phones import phone_hash

    Demand = apps.get_model("demands", "Demand")
    last = 0
    while True:
        batch = list(Demand.objects.filter(pk__gt=last).order_by("pk").only("pk", *FIELDS)[:BATCH])
        if not batch:
            return
        for demand in batch:
            if with_hash:
                demand.citizen_phone_hash = phone_hash(demand.citizen_phone)
            for field in FIELDS:
                value = getattr(demand, field)
                setattr(demand, field, change(value) if value else value)
        Demand.objects.bulk_update(batch, [*FIELDS, "citizen_phone_hash"] if with_hash else list(FIELDS))
        last = batch[-1].pk


def encrypt_rows(apps, schema_editor):
    from config.encryption import encrypt

    _rewrite(apps, encrypt, with_hash=True)


def decrypt_rows(apps, schema_editor):
    from config.encryption import decrypt

    _rewrite(apps, decrypt, with_hash=False)


class Migration(migrations.Migration):

    dependencies = [
        ('demands', '0015_append_only_audit_tables'),
    ]

    operations = [
        migrations.AddField(
            model_name='demand',
            name='citizen_phone_hash',
            field=demands.fields.PhoneHashField(db_index=True, default='', source='citizen_phone'),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name='demand',
            name='citizen_name',
            field=models.TextField(verbose_name='诉求人姓名'),
        ),
        migrations.AlterField(
            model_name='demand',
            name='citizen_phone',
            field=models.TextField(verbose_name='联系电话'),
        ),
        migrations.AlterField(
            model_name='demand',
            name='citizen_address',
            field=models.TextField(blank=True, verbose_name='联系地址'),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows, elidable=False),
        migrations.AlterField(
            model_name='demand',
            name='citizen_name',
            field=demands.fields.EncryptedTextField(verbose_name='诉求人姓名'),
        ),
        migrations.AlterField(
            model_name='demand',
            name='citizen_phone',
            field=demands.fields.EncryptedTextField(verbose_name='联系电话'),
        ),
        migrations.AlterField(
            model_name='demand',
            name='citizen_address',
            field=demands.fields.EncryptedTextField(blank=True, verbose_name='联系地址'),
        ),
    ]
