from __future__ import annotations

import hashlib
import re
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.core.files.uploadedfile import SimpleUploadedFile

from config.errors import IllegalTransition, NotAllowed, ValidationFailed
from demands.models import Attachment, Channel, Demand, DemandEvent
from demands.privacy import mask_address, mask_name, mask_phone
from demands.selectors import demand_for_citizen
from demands.services import demand_rate, demand_submit
from demands.workflow import Status
from tests.uploads import PNG


def test_tracking_numbers_are_daily_sequences(submit):
    first = submit().demand.tracking_number
    second = submit().demand.tracking_number
    assert re.fullmatch(r"PS-\d{8}-\d{6}", first)
    assert int(second[-6:]) == int(first[-6:]) + 1


def test_query_code_is_not_stored_and_opens_only_its_own_demand(submit):
    one, other = submit(), submit()
    assert one.query_code not in one.demand.query_code_hash
    assert demand_for_citizen(tracking_number=one.demand.tracking_number, query_code=one.query_code) == one.demand
    assert demand_for_citizen(tracking_number=one.demand.tracking_number, query_code=other.query_code) is None
    lower = one.query_code.lower()
    assert demand_for_citizen(tracking_number=one.demand.tracking_number.lower(), query_code=lower) == one.demand


def test_query_codes_are_kept_under_a_server_key(submit, settings):
    """A copy of the table alone cannot be searched for the codes: the hash is keyed with a key
    the database does not hold, so the same code under another key does not open the demand."""
    one = submit()
    number = one.demand.tracking_number
    plain = hashlib.sha256(f"{number}:{one.query_code}".encode()).hexdigest()
    assert one.demand.query_code_hash != plain
    settings.QUERY_CODE_KEY = "another-server"
    assert demand_for_citizen(tracking_number=number, query_code=one.query_code) is None


def test_codes_given_before_the_key_keep_working_after_the_migration(submit):
    """Rows written when codes were hashed without a key are converted without knowing a code:
    the migration keys the old hash, and the citizen's code opens the demand as before."""
    one, other = submit(), submit()
    for submission in (one, other):
        number = submission.demand.tracking_number
        old = hashlib.sha256(f"{number}:{submission.query_code}".encode()).hexdigest()
        Demand.objects.filter(pk=submission.demand.pk).update(query_code_hash=old)
    assert demand_for_citizen(tracking_number=one.demand.tracking_number, query_code=one.query_code) is None

    import_module("demands.migrations.0012_keyed_query_code_hashes").key_hashes(django_apps, None)

    for submission in (one, other):
        number = submission.demand.tracking_number
        assert demand_for_citizen(tracking_number=number, query_code=submission.query_code) == submission.demand
    assert demand_for_citizen(tracking_number=one.demand.tracking_number, query_code=other.query_code) is None


def test_bad_submission_changes_nothing(district):
    with pytest.raises(ValidationFailed) as error:
        demand_submit(title="", content="短", citizen_name="", citizen_phone="abc")
    assert set(error.value.extra["fields"]) == {"title", "content", "citizen_name", "citizen_phone"}
    assert Demand.objects.count() == 0
    assert DemandEvent.objects.count() == 0


def test_contact_details_too_long_are_refused_though_their_columns_hold_any_length(district):
    # Encrypted, the columns are text of any length: the service keeps the limits of the clear text.
    with pytest.raises(ValidationFailed) as error:
        demand_submit(
            title="路灯不亮", content="小区门口的路灯坏了很久", citizen_name="名" * 65,
            citizen_phone="   ".join("13812345678"), citizen_address="址" * 256,
        )  # fmt: skip
    assert error.value.extra["fields"] == {
        "citizen_name": "姓名不能超过64字。",
        "citizen_phone": "请填写有效的联系电话。",
        "citizen_address": "联系地址不能超过255字。",
    }
    assert Demand.objects.count() == 0


def test_attachment_type_and_size_are_checked(district, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    photo = SimpleUploadedFile("a.jpg", b"\xff\xd8\xff" + b"x" * 11, content_type="image/jpeg")
    script = SimpleUploadedFile("a.exe", b"MZ", content_type="application/x-msdownload")
    # A program that calls itself a photo is refused by what it is, not what it claims.
    disguised = SimpleUploadedFile("a.jpg", b"MZ\x90\x00", content_type="image/jpeg")
    for upload in (photo, script, disguised):
        with pytest.raises(ValidationFailed):
            demand_submit(
                title="标题", content="足够长的内容文字", citizen_name="王五", citizen_phone="13800000000",
                attachments=[upload],
            )  # fmt: skip
    assert Demand.objects.count() == 0


def test_attachment_is_kept(submit):
    png = PNG
    photo = SimpleUploadedFile("site.png", png, content_type="image/png")
    demand = submit(attachments=[photo]).demand
    attachment = Attachment.objects.get(demand=demand)
    assert attachment.original_name == "site.png"
    assert attachment.size == len(png)
    assert attachment.file.read() == png  # sniffing the type left the upload whole


def test_phone_channels_need_an_intake_operator(district):
    kwargs = dict(title="电话反映", content="电话反映路灯不亮了", citizen_name="赵六", citizen_phone="13800000001")
    with pytest.raises(NotAllowed):
        demand_submit(**kwargs, channel=Channel.HOTLINE)
    demand = demand_submit(**kwargs, channel=Channel.HOTLINE, entered_by=district.users["intake"]).demand
    assert demand.entered_by == district.users["intake"]
    assert demand.events.get().actor_label == "intake"


def test_rating_refused_before_reply(submit):
    demand = submit().demand
    with pytest.raises(IllegalTransition, match="不能执行"):
        demand_rate(demand=demand, rating=5)
    demand.refresh_from_db()
    assert demand.status == Status.DISPATCHED
    assert demand.rating is None


def test_events_are_append_only(submit):
    event = submit().demand.events.first()
    event.reason = "改写历史"
    with pytest.raises(Exception, match="append-only"):
        event.save()
    with pytest.raises(Exception, match="append-only"):
        event.delete()


def test_masking():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_name("张三丰") == "张**"
    assert mask_address("深圳市坪山区六和城3栋502") == "深圳市坪山区****"
