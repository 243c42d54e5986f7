"""The desk finds a caller's demands only by their whole phone number, a limited number of times
an hour per person, and every such search is recorded: the numbers behind a mask (139****5678)
cannot be tried one after another."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.utils import timezone

from demands.models import PhoneSearch
from demands.phones import phone_hash
from departments.models import Role
from tests.factories import make_user
from tests.staff import logged_in


@pytest.fixture
def desk(district) -> Client:
    return logged_in(district.users["dispatcher"])


def _find(desk: Client, query: str):
    return desk.post("/desk/find/", {"q": query})


def test_a_part_of_a_number_finds_nothing_the_whole_number_finds_the_case(district, submit, desk):
    demand = submit(citizen_phone="139-1234 5678").demand
    for part in ("1391234", "12345678", "139 1234 567", "391234 5678"):
        page = _find(desk, part)
        assert page.status_code == 200 and demand.tracking_number not in page.content.decode()
    assert _find(desk, "13912345678")["Location"] == f"/desk/demands/{demand.tracking_number}/"
    assert _find(desk, "+86 139 1234 5678")["Location"] == f"/desk/demands/{demand.tracking_number}/"


def test_every_phone_search_is_recorded_found_or_not_without_the_number(district, submit, desk):
    submit(citizen_phone="13912345678")
    _find(desk, "13912345678")
    _find(desk, "13900000000")
    _find(desk, "六和城")  # words: not a phone search
    records = list(PhoneSearch.objects.order_by("created_at", "pk"))
    assert [(r.user, r.found, r.refused) for r in records] == [
        (district.users["dispatcher"], 1, False),
        (district.users["dispatcher"], 0, False),
    ]
    assert records[0].phone_hash == phone_hash("13912345678") and records[1].phone_hash == phone_hash("13900000000")
    assert not any("13912345678" in str(row) for row in PhoneSearch.objects.values_list())


def test_the_twenty_first_phone_search_in_an_hour_is_refused(district, submit, desk, settings):
    assert settings.PHONE_SEARCHES_PER_HOUR == 20
    demand = submit(citizen_phone="13912345678").demand
    for n in range(20):
        assert _find(desk, f"139123400{n:02d}").status_code == 200
    refused = _find(desk, "13912345678")
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "每小时最多按电话号码查找20次" in page and demand.tracking_number not in page
    assert PhoneSearch.objects.filter(refused=True).count() == 1 and PhoneSearch.objects.count() == 21
    # Other searches go on; another person has their own allowance.
    assert _find(desk, demand.title)["Location"] == f"/desk/demands/{demand.tracking_number}/"
    other = Client()
    other.force_login(
        make_user("dispatcher2", Role.DISPATCH_OFFICER, district.users["dispatcher"].memberships.get().department)
    )
    assert _find(other, "13912345678")["Location"] == f"/desk/demands/{demand.tracking_number}/"
    # An hour later the allowance is back (the records cannot be backdated: the clock moves on).
    later = timezone.now() + timedelta(hours=1, seconds=1)
    with mock.patch("dispatch.services.phone_search.timezone.now", return_value=later):
        assert _find(desk, "13912345678")["Location"] == f"/desk/demands/{demand.tracking_number}/"


def test_part_of_a_tracking_number_is_no_phone_search(district, submit, desk):
    demand = submit().demand
    fragment = demand.tracking_number[-15:]  # 20261127-000123: digits enough for a phone
    assert _find(desk, fragment)["Location"] == f"/desk/demands/{demand.tracking_number}/"
    assert not PhoneSearch.objects.exists()


def test_the_records_are_read_only_in_the_admin(district, admin_client, desk):
    _find(desk, "13912345678")
    listing = admin_client.get("/admin/demands/phonesearch/")
    assert listing.status_code == 200 and "13912345678" not in listing.content.decode()
    record = PhoneSearch.objects.get()
    assert admin_client.get(f"/admin/demands/phonesearch/{record.pk}/change/").status_code == 200
    assert admin_client.post(f"/admin/demands/phonesearch/{record.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.get("/admin/demands/phonesearch/add/").status_code == 403


def test_the_records_cannot_be_changed_or_erased_in_the_database(district, submit, desk):
    # A dispatcher who tried the numbers behind a mask, or anyone with the database, must not be
    # able to erase the trace: the table refuses UPDATE and DELETE, bulk or raw.
    _find(desk, "13900000000")
    with pytest.raises(DatabaseError), transaction.atomic():
        PhoneSearch.objects.update(found=0, refused=True)
    with pytest.raises(DatabaseError), transaction.atomic():
        PhoneSearch.objects.all().delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM demands_phonesearch")
    assert PhoneSearch.objects.count() == 1
