"""A fixed-window limit on how often one client may do something (submit a demand from the web
form), kept in the shared cache so every web process counts the same. The API has DRF's own
throttles at the same rate."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "30/hour" → (30, 3600)."""
    count, period = rate.split("/")
    return int(count), _PERIODS[period[0]]


def client_address(request: HttpRequest) -> str:
    # Named exactly as the API's throttles name a client (REST_FRAMEWORK["NUM_PROXIES"] says how
    # many proxies' X-Forwarded-For entries to trust), so one setting serves both.
    return BaseThrottle().get_ident(Request(request))


def allow(request: HttpRequest, scope: str, rate: str) -> bool:
    """Count this request against the client's window; False once the window's allowance is used."""
    limit, seconds = parse_rate(rate)
    window = int(time.time() // seconds)
    key = f"throttle:{scope}:{client_address(request)}:{window}"
    cache.add(key, 0, timeout=seconds)
    try:
        return cache.incr(key) <= limit
    except ValueError:  # expired between add and incr: a fresh window
        cache.set(key, 1, timeout=seconds)
        return True
