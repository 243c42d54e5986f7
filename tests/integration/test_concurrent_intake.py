"""Submissions from several web processes at once, on PostgreSQL: the day's tracking-number
counter is held only while a number is taken, never while a submission's transaction is open, so
one slow submission does not hold up the others (the counter was once locked until commit)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from demands import services
from demands.models import DailySequence, Demand
from demands.services import demand_submit
from tests.factories import build_district
from tests.services import require_postgres

pytestmark = pytest.mark.django_db(transaction=True)


def _submit(title: str) -> str:
    return demand_submit(
        title=title, content="路灯连续一周不亮，晚上很危险。", citizen_name="王先生", citizen_phone="13800138000"
    ).demand.tracking_number


def test_a_slow_submission_does_not_hold_up_the_next(monkeypatch):
    require_postgres()
    build_district()
    inside, release = threading.Event(), threading.Event()
    original_tell = services.citizen_messages.tell

    def slow_tell(event):
        # Inside the slow submission's transaction, after its number and its demand are written.
        if event.demand.title == "慢":
            inside.set()
            release.wait(timeout=20)
        return original_tell(event)

    monkeypatch.setattr(services.citizen_messages, "tell", slow_tell)
    numbers: dict[str, str] = {}

    def slow() -> None:
        try:
            numbers["slow"] = _submit("慢")
        finally:
            connection.close()

    thread = threading.Thread(target=slow)
    thread.start()
    try:
        assert inside.wait(timeout=20)
        # With the counter locked until the slow one commits, this would wait for it (the lock
        # timeout turns that wait into an error instead of a hung test).
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        numbers["fast"] = _submit("快")
        assert not numbers.get("slow"), "the fast submission finished while the slow one was still open"
    finally:
        release.set()
        thread.join(timeout=30)

    assert numbers["fast"].endswith("-000002") and numbers["slow"].endswith("-000001")
    assert Demand.objects.count() == 2
    assert DailySequence.objects.get().last == 2


def test_a_failed_submission_leaves_a_gap_and_no_number_repeats(monkeypatch):
    require_postgres()
    build_district()
    first = _submit("第一件")

    def broken_tell(event):
        raise RuntimeError("the message outbox is unavailable")

    monkeypatch.setattr(services.citizen_messages, "tell", broken_tell)
    with pytest.raises(RuntimeError):
        _submit("失败的一件")
    monkeypatch.undo()
    third = _submit("第三件")

    assert first.endswith("-000001") and third.endswith("-000003")
    assert list(Demand.objects.order_by("pk").values_list("title", flat=True)) == ["第一件", "第三件"]
