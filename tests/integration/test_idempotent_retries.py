"""Two copies of one create sent at the same moment with one Idempotency-Key, on PostgreSQL: one
runs, the other is told the first is still running, and a later retry gets the first's answer."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from demands.models import Demand
from dispatch.api import citizen
from tests.factories import build_district
from tests.services import require_postgres

pytestmark = pytest.mark.django_db(transaction=True)
BODY = {
    "title": "路边有流动摊贩占道经营",
    "content": "坪山大道上每天傍晚都有小贩摆摊占道经营，堵塞人行道。",
    "citizen_name": "钱七",
    "citizen_phone": "13700001234",
}


def test_a_concurrent_retry_waits_its_turn_and_one_demand_is_taken_in(monkeypatch):
    require_postgres()
    build_district()
    inside, release = threading.Event(), threading.Event()
    original = citizen.demand_submit

    def slow_submit(**kwargs):
        inside.set()
        release.wait(timeout=20)
        return original(**kwargs)

    monkeypatch.setattr(citizen, "demand_submit", slow_submit)
    answers: dict[str, object] = {}

    def first() -> None:
        try:
            answers["first"] = APIClient().post(
                "/api/v1/citizen/demands/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="same"
            )
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert inside.wait(timeout=20)
    retry = APIClient().post("/api/v1/citizen/demands/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="same")
    release.set()
    thread.join(timeout=30)

    assert retry.status_code == 409 and retry.json()["code"] == "idempotency_key_in_progress"
    first_answer = answers["first"]
    assert first_answer.status_code == 201  # type: ignore[attr-defined]
    later = APIClient().post("/api/v1/citizen/demands/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="same")
    assert later.status_code == 201 and later.json() == first_answer.json()  # type: ignore[attr-defined]
    assert Demand.objects.count() == 1
