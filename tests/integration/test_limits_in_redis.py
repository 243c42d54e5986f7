"""The submission limits counted in a real Redis, as production counts them: one counter per
client and window, shared by every web process, refusing once the allowance is used."""

from __future__ import annotations

import time

import pytest
from django.core.cache import caches
from rest_framework.test import APIClient

from demands.models import Demand
from tests.services import require_redis

BODY = {
    "title": "路边有流动摊贩占道经营",
    "content": "坪山大道上每天傍晚都有小贩摆摊占道经营，堵塞人行道。",
    "citizen_name": "钱七",
}


@pytest.fixture
def redis_cache(settings):
    require_redis()
    location = settings.CELERY_BROKER_URL.rsplit("/", 1)[0] + "/11"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": "limits-test",
        }
    }
    caches["default"].clear()
    yield caches["default"]
    caches["default"].clear()


def test_the_address_limit_counts_in_redis_and_refuses_past_it(
    district, settings, redis_cache, django_capture_on_commit_callbacks
):
    settings.CITIZEN_SUBMIT_RATE = "100/hour"
    settings.CITIZEN_SUBMIT_ADDRESS_RATE = "2/hour"
    client = APIClient()
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [
            client.post(
                "/api/v1/citizen/demands/", {**BODY, "citizen_phone": f"1370000123{i}"}, format="json"
            ).status_code
            for i in range(3)
        ]
    assert statuses == [201, 201, 429]
    assert Demand.objects.count() == 2
    window = int(time.time() // 3600)
    # Another web process reads the same count through the cache.
    assert redis_cache.get(f"throttle:api:citizen-submit-address:127.0.0.1:{window}") == 3
