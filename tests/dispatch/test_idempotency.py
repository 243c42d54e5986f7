"""Idempotency-Key on the API's creates: a retried create is answered once and creates once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from demands.models import Channel, Demand, Reply
from demands.sources import source_system_register
from dispatch.api import citizen
from dispatch.models import IdempotencyRecord
from dispatch.services import assignment_sign
from dispatch.tasks import purge_idempotency_records
from tests.staff import latest_lead

SUBMIT = "/api/v1/citizen/demands/"
STALLS = {
    "title": "路边有流动摊贩占道经营",
    "content": "坪山大道上每天傍晚都有小贩摆摊占道经营，堵塞人行道。",
    "citizen_name": "钱七",
    "citizen_phone": "13700001234",
}


def post(client: APIClient, key: str, body: dict, url: str = SUBMIT):
    return client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.django_db
def test_a_retried_submission_is_answered_again_and_taken_in_once(district):
    client = APIClient()
    first = post(client, "k-1", STALLS)
    again = post(client, "k-1", {**dict(reversed(list(STALLS.items())))})  # same body, keys reordered
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and first.json()["query_code"]
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Demand.objects.count() == 1


@pytest.mark.django_db
def test_the_kept_answer_is_encrypted_because_it_holds_the_query_code(district):
    answer = post(APIClient(), "k-2", STALLS).json()
    with connection.cursor() as cursor:
        cursor.execute("SELECT response_body FROM dispatch_idempotencyrecord")
        (stored,) = cursor.fetchone()
    assert answer["query_code"] not in stored and answer["tracking_number"] not in stored


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_refused_and_creates_nothing(district):
    client = APIClient()
    post(client, "k-3", STALLS)
    response = post(client, "k-3", {**STALLS, "title": "另一件事：路灯不亮"})
    assert response.status_code == 422 and response.json()["code"] == "idempotency_key_reused"
    assert Demand.objects.count() == 1


@pytest.mark.django_db
def test_a_retry_while_the_first_is_still_running_is_told_to_wait(district):
    client = APIClient()
    running = post(client, "k-4", STALLS)  # to learn the fingerprint the record keeps
    record = IdempotencyRecord.objects.get()
    IdempotencyRecord.objects.filter(pk=record.pk).update(status_code=None, response_body="", key="k-5")
    response = post(client, "k-5", STALLS)
    assert response.status_code == 409 and response.json()["code"] == "idempotency_key_in_progress"
    # A first request that died without an answer frees its key after a while.
    IdempotencyRecord.objects.filter(key="k-5").update(created_at=timezone.now() - timedelta(minutes=6))
    assert post(client, "k-5", STALLS).status_code == 201
    assert running.status_code == 201 and Demand.objects.count() == 2


@pytest.mark.django_db
def test_keys_are_each_clients_own(district):
    app = source_system_register(name="i坪山", channel=Channel.APP)
    city = source_system_register(name="市12345平台", channel=Channel.CITY_PLATFORM)
    for system in (app, city):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {system.key}")
        assert post(client, "same-key", STALLS).status_code == 201
    assert Demand.objects.count() == 2


@pytest.mark.django_db
def test_a_refusal_is_replayed_and_a_server_error_keeps_nothing(district, monkeypatch):
    client = APIClient()
    refused = post(client, "k-6", {**STALLS, "citizen_phone": ""})
    assert refused.status_code == 400 and post(client, "k-6", {**STALLS, "citizen_phone": ""}).json() == refused.json()

    def broken(**kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(citizen, "demand_submit", broken)
    with pytest.raises(RuntimeError):
        post(client, "k-7", STALLS)
    assert not IdempotencyRecord.objects.filter(key="k-7").exists()
    monkeypatch.undo()
    assert post(client, "k-7", STALLS).status_code == 201


@pytest.mark.django_db
def test_a_staff_create_retried_is_one_reply(district, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        number = post(APIClient(), "k-8", STALLS).json()["tracking_number"]
    demand = Demand.objects.get(tracking_number=number)
    lead = latest_lead(demand)
    assignment_sign(assignment_id=lead.pk, actor=district.users["cgj"])
    staff = APIClient()
    staff.force_authenticate(district.users["cgj"])
    url = f"/api/v1/assignments/{lead.pk}/reply/"
    body = {"body": "已责令摊贩离开并加强巡查，群众认可。"}
    first, again = post(staff, "reply-1", body, url), post(staff, "reply-1", body, url)
    assert (first.status_code, again.status_code) == (200, 200) and again.json() == first.json()
    assert Reply.objects.filter(demand=demand).count() == 1
    # Without a key, sending it again is the refused move it always was.
    assert staff.post(url, body, format="json").status_code == 409


@pytest.mark.django_db
def test_keys_are_forgotten_after_a_day(district, settings):
    client = APIClient()
    post(client, "k-9", STALLS)
    IdempotencyRecord.objects.update(
        created_at=timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS, minutes=1)
    )
    assert purge_idempotency_records() == 1
    assert post(client, "k-9", STALLS).status_code == 201 and Demand.objects.count() == 2


@pytest.mark.django_db
def test_a_key_that_is_too_long_is_refused(district):
    response = post(APIClient(), "x" * 256, STALLS)
    assert response.status_code == 400 and Demand.objects.count() == 0
