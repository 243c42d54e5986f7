"""The citizen's name, phone and address are encrypted at rest with keys from the environment,
found by a keyed hash of the phone, and the keys can be rotated without a row becoming unreadable."""

from __future__ import annotations

import io

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from config.encryption import PersonalDataUnreadable
from demands.models import Demand
from demands.phone_access import phone_code_send
from demands.phones import mobile_number, phone_hash, phone_key
from demands.selectors import demands_of_phone, open_demands_from

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()


def _stored(demand: Demand) -> tuple[str, str, str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT citizen_name, citizen_phone, citizen_address, citizen_phone_hash FROM demands_demand WHERE id = %s",
            [demand.pk],
        )
        return cursor.fetchone()


def test_contact_details_are_stored_encrypted_and_read_in_clear(submit):
    demand = submit(citizen_name="张三丰", citizen_phone="138-1234 5678", citizen_address="坪山街道六和城3栋").demand
    name, phone, address, hashed = _stored(demand)
    assert "张三丰" not in name and "1234" not in phone and "六和城" not in address
    assert "13812345678" not in hashed
    fresh = Demand.objects.get(pk=demand.pk)
    assert (fresh.citizen_name, fresh.citizen_phone, fresh.citizen_address) == (
        "张三丰",
        "138-1234 5678",
        "坪山街道六和城3栋",
    )
    assert fresh.citizen_phone_hash == phone_hash("+86 13812345678") == hashed


def test_two_demands_of_one_caller_share_the_hash_but_not_the_ciphertext(submit):
    first = submit(citizen_phone="13812345678").demand
    second = submit(citizen_phone="13812345678", title="另一件事情要反映").demand
    assert _stored(first)[1] != _stored(second)[1]
    assert _stored(first)[3] == _stored(second)[3]


def test_an_encrypted_field_cannot_be_compared_in_sql(db):
    with pytest.raises(FieldError, match="citizen_phone_hash"):
        list(Demand.objects.filter(citizen_phone__endswith="5678"))
    with pytest.raises(FieldError, match="encrypted"):
        list(Demand.objects.filter(citizen_name="张三"))


def test_the_hash_follows_the_key(submit, settings):
    demand = submit().demand
    settings.PHONE_HASH_KEY = "another key"
    assert phone_hash(demand.citizen_phone) != demand.citizen_phone_hash
    assert demands_of_phone(mobile="13812345678").count() == 0
    _run_rotation("--rehash-phones")
    assert demands_of_phone(mobile="13812345678").count() == 1


@pytest.mark.parametrize(
    "typed", ["13812345678", "138 1234 5678", "138-1234-5678", "86 138 1234 5678", "0086-13812345678"]
)
@pytest.mark.parametrize("asked", ["13812345678", "+86 138 1234 5678", "(+86)138.1234.5678"])
def test_one_reading_of_a_number_for_the_column_and_the_citizen_look_up(submit, phones, typed, asked):
    demand = submit(citizen_phone=typed).demand
    assert phone_key(typed) == mobile_number(typed) == phone_key(asked) == mobile_number(asked) == "13812345678"
    assert [d.pk for d in demands_of_phone(mobile=mobile_number(asked))] == [demand.pk]
    assert [d.pk for d in open_demands_from(asked)] == [demand.pk]
    # The one-time code look-up counts its codes under the same hash as the column.
    row = phone_code_send(phone=asked)
    assert row.phone_hash == demand.citizen_phone_hash


def test_a_landline_is_a_caller_but_no_mobile(submit):
    demand = submit(citizen_phone="0755-2833 1234").demand
    assert mobile_number("0755-2833 1234") is None
    assert [d.pk for d in open_demands_from("075528331234")] == [demand.pk]


def test_rotation_add_the_new_key_first_rotate_then_remove_the_old(submit, settings):
    settings.PERSONAL_DATA_KEYS = [KEY_A]
    written_under_a = [submit(citizen_phone=f"1390000000{i}", citizen_name=f"王{i}").demand for i in range(3)]
    settings.PERSONAL_DATA_KEYS = [KEY_B]  # removing A too early: the rows cannot be read
    with pytest.raises(PersonalDataUnreadable):
        Demand.objects.get(pk=written_under_a[0].pk)

    settings.PERSONAL_DATA_KEYS = [KEY_B, KEY_A]  # step 1: the new key first, the old one kept
    assert Demand.objects.get(pk=written_under_a[0].pk).citizen_name == "王0"
    written_under_b = submit(citizen_phone="13900000009", citizen_name="新").demand
    before = _stored(written_under_b)
    out = _run_rotation("--batch-size", "2")  # step 2
    assert "Done: 4 demands, 3 re-encrypted" in out
    assert _stored(written_under_b) == before  # already under the first key: untouched
    assert "3 re-encrypted" not in _run_rotation()  # a second run finds nothing to do
    assert "Done: 4 demands, 0 re-encrypted" in _run_rotation()

    settings.PERSONAL_DATA_KEYS = [KEY_B]  # step 3: the old key removed
    names = {d.pk: d.citizen_name for d in Demand.objects.all()}
    assert [names[d.pk] for d in written_under_a] == ["王0", "王1", "王2"]
    assert [d.pk for d in open_demands_from("13900000001")] == [written_under_a[1].pk]


def test_rotation_without_the_old_key_stops_with_a_clear_message(submit, settings):
    settings.PERSONAL_DATA_KEYS = [KEY_A]
    demand = submit().demand
    settings.PERSONAL_DATA_KEYS = [KEY_B]
    with pytest.raises(CommandError, match="Put the old key back"):
        _run_rotation()
    settings.PERSONAL_DATA_KEYS = [KEY_A]
    assert Demand.objects.get(pk=demand.pk).citizen_name == "张三"  # nothing was changed


def _run_rotation(*args: str) -> str:
    out = io.StringIO()
    call_command("rotate_personal_data_key", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_rows_and_its_reverse_decrypts_them():
    executor = MigrationExecutor(connection)
    before, after = [("demands", "0015_append_only_audit_tables")], [("demands", "0016_personal_data_encrypted")]
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before[0]).apps.get_model("demands", "Demand")
        row = old.objects.create(
            tracking_number="PS-20260101-000001", query_code_hash="", citizen_name="李四",
            citizen_phone="+86 139-0000-1111", citizen_address="坪山街道", title="旧诉求", content="旧诉求的内容",
            submitted_at="2026-01-01T00:00:00Z",
        )  # fmt: skip
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        name, phone, address, hashed = _stored(row)
        assert "李四" not in name and "1111" not in phone and "坪山" not in address
        assert hashed == phone_hash("13900001111")
        # The model as that migration left it: today's has columns added since.
        then = executor.loader.project_state(after[0]).apps.get_model("demands", "Demand")
        demand = then.objects.get(pk=row.pk)
        assert (demand.citizen_name, demand.citizen_phone, demand.citizen_address) == (
            "李四",
            "+86 139-0000-1111",
            "坪山街道",
        )

        executor = MigrationExecutor(connection)
        executor.migrate(before)
        assert _stored_clear(row.pk) == ("李四", "+86 139-0000-1111", "坪山街道")
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def _stored_clear(pk: int) -> tuple[str, str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT citizen_name, citizen_phone, citizen_address FROM demands_demand WHERE id = %s", [pk])
        return cursor.fetchone()
