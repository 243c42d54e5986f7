"""The citizen limits: submitting and looking up are separate allowances, citizens behind one
address do not use up each other's, a made-up X-Forwarded-For changes nothing, and an
unreachable cache does not stop intake."""

from __future__ import annotations

import logging
import socket
import time

import pytest
from django.core.cache import caches
from django.test import Client, override_settings
from rest_framework.test import APIClient

from config import throttle
from demands.models import Demand
from tests.citizens import FORM

API_SUBMISSION = {
    "title": "路边有流动摊贩占道经营",
    "content": "坪山大道上每天傍晚都有小贩摆摊占道经营，堵塞人行道。",
    "citizen_name": "钱七",
    "citizen_phone": "13700001234",
}


def _web_submit(client: Client, phone: str = "13812345678", **headers) -> int:
    return client.post("/", {**FORM, "citizen_phone": phone, "repeat": "new"}, **headers).status_code


def _api_submit(client: APIClient, phone: str = "13700001234", **headers) -> int:
    return client.post(
        "/api/v1/citizen/demands/", {**API_SUBMISSION, "citizen_phone": phone}, format="json", **headers
    ).status_code


def _api_track(client: APIClient, **headers) -> int:
    body = {"tracking_number": "PS000000000000", "query_code": "WRONGCODE"}
    return client.post("/api/v1/citizen/track/", body, format="json", **headers).status_code


@pytest.fixture
def rates(settings):
    settings.CITIZEN_SUBMIT_RATE = "2/hour"
    settings.CITIZEN_SUBMIT_ADDRESS_RATE = "4/hour"
    settings.CITIZEN_TRACK_RATE = "3/hour"
    return settings


def test_api_lookups_and_submissions_have_their_own_allowances(district, rates, django_capture_on_commit_callbacks):
    client = APIClient()
    assert [_api_track(client) for _ in range(4)] == [403, 403, 403, 429]
    with django_capture_on_commit_callbacks(execute=True):
        assert [_api_submit(client) for _ in range(3)] == [201, 201, 429]
    refused = client.post("/api/v1/citizen/demands/", API_SUBMISSION, format="json")
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert Demand.objects.count() == 2
    assert _api_track(APIClient(REMOTE_ADDR="10.0.0.9")) == 403  # lookups from elsewhere go on


def test_web_lookups_do_not_use_up_submissions(district, rates, django_capture_on_commit_callbacks):
    citizen = Client()
    wrong = {"tracking_number": "PS000000000000", "query_code": "AAAAAAAA"}
    assert [citizen.post("/track/", wrong).status_code for _ in range(4)] == [200, 200, 200, 429]
    with django_capture_on_commit_callbacks(execute=True):
        assert _web_submit(citizen) == 302


def test_citizens_behind_one_address_do_not_block_each_other_on_the_web(
    district, rates, django_capture_on_commit_callbacks
):
    centre = Client(REMOTE_ADDR="10.1.1.1")  # a community service centre's one address
    with django_capture_on_commit_callbacks(execute=True):
        assert [_web_submit(centre, "13800000001") for _ in range(3)] == [302, 302, 429]
        assert _web_submit(centre, "13800000002") == 302  # the next citizen at the same desk
        # The address's own ceiling (4 an hour here, counting the refused one) still holds.
        refused = centre.post("/", {**FORM, "citizen_phone": "13800000003", "repeat": "new"})
    assert refused.status_code == 429 and "提交过于频繁" in refused.content.decode()
    assert Demand.objects.count() == 3


def test_citizens_behind_one_address_do_not_block_each_other_in_the_api(
    district, rates, django_capture_on_commit_callbacks
):
    company = APIClient(REMOTE_ADDR="10.1.1.2")
    with django_capture_on_commit_callbacks(execute=True):
        assert [_api_submit(company, "13800000001") for _ in range(3)] == [201, 201, 429]
        assert _api_submit(company, "13800000002") == 201
        assert _api_submit(company, "13800000003") == 429
    assert Demand.objects.count() == 3


def test_the_phone_is_not_kept_in_clear_in_the_cache(district, rates, settings, django_capture_on_commit_callbacks):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "peek"}}
    with django_capture_on_commit_callbacks(execute=True):
        assert _web_submit(Client(), "13800000009") == 302
        assert _api_submit(APIClient(), "13800000009") == 201
    keys = " ".join(caches["default"]._cache)  # LocMemCache's own store
    assert "throttle" in keys and "13800000009" not in keys


def test_a_made_up_forwarded_for_does_not_escape_the_limit(district, rates, django_capture_on_commit_callbacks):
    client, web = APIClient(), Client()
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [_api_submit(client, HTTP_X_FORWARDED_FOR=f"203.0.113.{i}") for i in range(3)]
        pages = [_web_submit(web, HTTP_X_FORWARDED_FOR=f"198.51.100.{i}") for i in range(3)]
    assert statuses == [201, 201, 429] and pages == [302, 302, 429]
    assert [_api_track(client, HTTP_X_FORWARDED_FOR=f"192.0.2.{i}") for i in range(4)] == [403, 403, 403, 429]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # free once the probe closes: nothing listens there


@pytest.fixture
def unreachable_cache():
    location = f"redis://127.0.0.1:{_closed_port()}/0"
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location}}
    ):
        yield


def test_intake_goes_on_while_the_cache_is_unreachable(
    district, rates, unreachable_cache, caplog, django_capture_on_commit_callbacks
):
    citizen, api = Client(), APIClient()
    with caplog.at_level(logging.WARNING, logger="config.throttle"), django_capture_on_commit_callbacks(execute=True):
        web = citizen.post("/", {**FORM, "repeat": "new"}, follow=True)
        assert web.status_code == 200
        receipt = web.context["receipt"]
        assert _api_submit(api) == 201
        tracked = api.post("/api/v1/citizen/track/", receipt, format="json")
        assert tracked.status_code == 200 and tracked.json()["tracking_number"] == receipt["tracking_number"]
        assert Client().post("/track/", receipt).status_code == 302
        # Still limited, by this process's own count at the same rate.
        assert _web_submit(citizen) == 302
        assert _web_submit(citizen) == 429
        assert _api_submit(api) == 201
        assert _api_submit(api) == 429
    assert Demand.objects.count() == 4
    # Told once for the outage, not once per request.
    warnings = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(warnings) == 1


def test_the_error_page_promises_only_what_is_true():
    from django.template.loader import render_to_string

    page = render_to_string("500.html")
    # A submission that met the error may not have been stored: only a receipt proves it was.
    assert "不会丢失" not in page and "没有看到受理编号" in page and "重新提交" in page


def test_a_cache_that_does_not_answer_is_left_alone_for_a_moment(
    district, rates, monkeypatch, django_capture_on_commit_callbacks
):
    tries = []

    class Silent:
        """A cache whose server takes a connection timeout to fail."""

        def add(self, *args, **kwargs):
            tries.append(args)
            raise TimeoutError("Timeout connecting to server")

        incr = set = add

    monkeypatch.setattr(throttle, "cache", Silent())
    citizen = Client()
    with django_capture_on_commit_callbacks(execute=True):
        assert _web_submit(citizen, "13800000001") == 302
        assert _web_submit(citizen, "13800000002") == 302
        assert len(tries) == 1  # one timeout, not one per count of each request
        monkeypatch.setattr(throttle.outage, "RETRY_SECONDS", 0)
        assert _web_submit(citizen, "13800000003") == 302
    assert len(tries) > 1  # and tried again after the pause


def test_a_body_the_parser_refuses_is_the_clients_fault_not_a_cache_outage(district, rates, caplog):
    # The phone throttle reads the body; a refused body must answer 400 and leave the shared
    # counts in use, not pass for Redis going away (which would split the limits per process).
    nested = "[" * 5000 + "]" * 5000
    with caplog.at_level(logging.WARNING, logger="config.throttle"):
        answer = APIClient().post("/api/v1/citizen/demands/", nested, content_type="application/json")
    assert answer.status_code == 400
    assert not [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert Demand.objects.count() == 0


def test_one_phone_written_two_ways_is_one_caller(district, rates, django_capture_on_commit_callbacks):
    # Counted by the repeat check's own reading of a number: +86 in front gives no second allowance.
    with django_capture_on_commit_callbacks(execute=True):
        assert [_web_submit(Client(), phone) for phone in ("13800000001", "138 0000 0001", "+8613800000001")] == [
            302,
            302,
            429,
        ]
        phones = ("13800000009", "13800000009", "+8613800000009")
        assert [_api_submit(APIClient(), phone) for phone in phones] == [201, 201, 429]


def test_a_busy_address_costs_one_counter_not_a_growing_list(district, settings, django_capture_on_commit_callbacks):
    """The API's limits are counters: what the cache keeps for an address stays one number
    however many submissions it made (DRF's throttle kept a list of every submission's time)."""
    settings.CITIZEN_SUBMIT_ADDRESS_RATE = "1000/hour"
    client = APIClient()
    with django_capture_on_commit_callbacks(execute=True):
        assert {_api_submit(client, phone=f"137000012{i:02d}") for i in range(5)} == {201}
    cache = caches["default"]
    window = int(time.time() // 3600)
    assert cache.get(f"throttle:api:citizen-submit-address:127.0.0.1:{window}") == 5
