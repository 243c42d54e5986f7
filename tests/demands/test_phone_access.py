"""Looking up one's demands by phone: a one-time code texted to it, kept only as a hash, never
logged, limited, expiring; and nothing about it differs for a phone that has no demands."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config.errors import TooMany, ValidationFailed
from demands.citizen_messages import _sender_class, mobile_number
from demands.models import CitizenMessage, PhoneCode
from demands.phone_access import phone_code_check, phone_code_send
from demands.selectors import demands_of_phone

MOBILE = "13812345678"


def test_a_code_goes_straight_to_the_phone_and_only_its_hash_is_kept(db, phones):
    row = phone_code_send(phone="138 1234 5678")
    [(to, text, reference)] = phones.sent
    code = phones.last_code(MOBILE)
    assert to == MOBILE and reference == f"code-{row.pk}" and text.startswith("【坪山区民生诉求】")
    assert "10分钟内有效" in text
    stored = " ".join(str(value) for value in PhoneCode.objects.values().get().values())
    assert code not in stored and MOBILE not in stored
    assert not CitizenMessage.objects.exists()  # not in the outbox, which keeps bodies


def test_the_default_sender_never_logs_the_code(db, settings, caplog, monkeypatch):
    monkeypatch.setattr("demands.phone_access.secrets.randbelow", lambda _: 424242)
    settings.CITIZEN_MESSAGE_SENDER = "demands.citizen_messages.LogSender"
    _sender_class.cache_clear()
    with caplog.at_level(logging.DEBUG):
        row = phone_code_send(phone=MOBILE)
    assert f"code-{row.pk}" in caplog.text and "138****5678" in caplog.text
    assert "424242" not in caplog.text and MOBILE not in caplog.text
    _sender_class.cache_clear()


def test_the_right_code_opens_once_and_a_wrong_one_counts(db, phones):
    phone_code_send(phone=MOBILE)
    code = phones.last_code(MOBILE)
    wrong = "000000" if code != "000000" else "111111"
    assert phone_code_check(phone=MOBILE, code=wrong) is None
    assert phone_code_check(phone="+86 138-1234-5678", code=code) == MOBILE
    assert phone_code_check(phone=MOBILE, code=code) is None  # used up


def test_five_wrong_tries_end_the_code(db, phones):
    phone_code_send(phone=MOBILE)
    code = phones.last_code(MOBILE)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert phone_code_check(phone=MOBILE, code=wrong) is None
    assert phone_code_check(phone=MOBILE, code=code) is None


def test_a_code_expires_after_ten_minutes_and_a_newer_one_replaces_it(db, phones):
    start = timezone.now()
    phone_code_send(phone=MOBILE, now=start)
    first = phones.last_code(MOBILE)
    assert phone_code_check(phone=MOBILE, code=first, now=start + timedelta(minutes=10, seconds=1)) is None
    phone_code_send(phone=MOBILE, now=start + timedelta(minutes=11))
    phone_code_send(phone=MOBILE, now=start + timedelta(minutes=12))
    second = phones.last_code(MOBILE)
    older_code = re.search(r"\d{6}", phones.sent[1][1]).group(0)
    if older_code != second:  # one in a million they are the same
        assert phone_code_check(phone=MOBILE, code=older_code, now=start + timedelta(minutes=13)) is None
    assert phone_code_check(phone=MOBILE, code=second, now=start + timedelta(minutes=13)) == MOBILE


def test_a_phone_gets_three_codes_an_hour(db, phones):
    start = timezone.now()
    for minutes in range(3):
        phone_code_send(phone=MOBILE, now=start + timedelta(minutes=minutes))
    with pytest.raises(TooMany):
        phone_code_send(phone=MOBILE, now=start + timedelta(minutes=30))
    assert len(phones.sent) == 3
    phone_code_send(phone="13900001111", now=start + timedelta(minutes=30))  # another phone is not held
    phone_code_send(phone=MOBILE, now=start + timedelta(minutes=61))  # an hour on


def test_a_landline_is_told_it_cannot_take_a_code(db, phones):
    with pytest.raises(ValidationFailed) as refused:
        phone_code_send(phone="0755-28331234")
    assert "座机收不到短信验证码" in refused.value.message
    assert not phones.sent and not PhoneCode.objects.exists()


def test_a_failed_gateway_voids_the_code(db, settings):
    settings.CITIZEN_MESSAGE_SENDER = "demands.citizen_messages.WebhookSender"
    settings.CITIZEN_MESSAGE_WEBHOOK_URL = ""  # nowhere to send: every attempt fails
    _sender_class.cache_clear()
    with pytest.raises(ValidationFailed, match="发送失败"):
        phone_code_send(phone=MOBILE)
    assert PhoneCode.objects.get().expires_at <= timezone.now()
    _sender_class.cache_clear()


def test_sending_does_the_same_work_whether_or_not_the_phone_has_demands(submit, phones):
    submit(citizen_phone=MOBILE)
    phones.sent.clear()

    def statements(phone: str) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            phone_code_send(phone=phone)
        # The statements, without their values and savepoint names.
        return [re.sub(r"'[^']*'|\d+", "?", q["sql"]) for q in queries.captured_queries]

    with_demands, without = statements(MOBILE), statements("13900001111")
    assert with_demands == without
    assert not any("demands_demand" in sql for sql in with_demands)
    assert [to for to, _, _ in phones.sent] == [MOBILE, "13900001111"]


def test_a_phones_demands_are_found_however_the_number_was_typed(submit):
    mine = [
        submit(citizen_phone=typed).demand
        for typed in ("138-1234-5678", "86 138 1234 5678", "0086 13812345678", MOBILE)
    ]
    other = submit(citizen_phone="13812345679").demand
    found = list(demands_of_phone(mobile=MOBILE))
    assert sorted(d.pk for d in found) == sorted(d.pk for d in mine) and other not in found
    # Each is a number texts reach, so the citizen was told of it on this phone.
    assert all(mobile_number(d.citizen_phone) == MOBILE for d in mine)
