"""Fixed-window limits on how often one client may do something (submit a demand, look one up),
kept in the shared cache so every web process counts the same. The API's throttles below count in
the same cache under the same rates.

In production the cache is the broker's Redis. When it cannot be reached, the limits fall back to
a count in each web process (same rate, so a client gets at most that many times the allowance
while the outage lasts): intake must keep taking demands, not answer 500."""

from __future__ import annotations

import logging
import threading
import time
from functools import cache as cache_function

import redis
from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger(__name__)

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "30/hour" → (30, 3600)."""
    count, period = rate.split("/")
    return int(count), _PERIODS[period[0]]


def client_address(request: HttpRequest) -> str:
    # Named exactly as the API's throttles name a client (REST_FRAMEWORK["NUM_PROXIES"] says how
    # many proxies' X-Forwarded-For entries to trust), so one setting serves both.
    # No REMOTE_ADDR at all (a WSGI server on a unix socket may give none): an empty name, not None.
    return BaseThrottle().get_ident(Request(request)) or ""


class _Outage:
    """Tells the log once when the cache stops answering and once when it answers again, not on
    every request in between (an outage would otherwise bury everything else in the log). After
    a failure the cache is left alone for RETRY_SECONDS: a server that does not answer at all
    would otherwise cost every request a connection timeout per count."""

    RETRY_SECONDS = 5.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.down = False
        self._failed_at = 0.0

    def began(self, error: Exception) -> None:
        with self._lock:
            self._failed_at = time.monotonic()
            if self.down:
                return
            self.down = True
        logger.warning("The cache is unreachable (%r): limits count in each web process until it returns.", error)

    def resting(self) -> bool:
        """True shortly after a failure: count locally without trying the cache."""
        return self.down and time.monotonic() - self._failed_at < self.RETRY_SECONDS

    def ended(self) -> None:
        if not self.down:
            return
        with self._lock:
            if not self.down:
                return
            self.down = False
        logger.warning("The cache answers again: limits are shared between web processes again.")


outage = _Outage()


class _LocalWindows:
    """Fixed-window counts kept in this process, for while the cache is away."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, int]] = {}  # key → (window, count)

    def hit(self, key: str, limit: int, seconds: int) -> bool:
        window = int(time.time() // seconds)
        with self._lock:
            if len(self._counts) > 10000:
                # Only the current windows matter; an outage of days must not grow memory without end.
                self._counts = {k: v for k, v in self._counts.items() if v[0] == window}
            seen, count = self._counts.get(key, (window, 0))
            count = count + 1 if seen == window else 1
            self._counts[key] = (window, count)
            return count <= limit

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()


local_windows = _LocalWindows()


def _hit(key: str, rate: str) -> bool:
    limit, seconds = parse_rate(rate)
    window = int(time.time() // seconds)
    windowed = f"{key}:{window}"
    if outage.resting():
        return local_windows.hit(windowed, limit, seconds)
    try:
        allowed = _count(windowed, seconds) <= limit
    # Whatever the cache's client raises when its server is away (redis, memcached, a socket
    # timeout): the limit is a guard, and must not turn into the outage it guards against.
    except Exception as error:
        outage.began(error)
        return local_windows.hit(windowed, limit, seconds)
    outage.ended()
    return allowed


def _count(windowed: str, seconds: int) -> int:
    """Add one to a window's count in the shared cache and return the count."""
    client = _redis()
    if client is not None:
        # One round trip, on a client kept for the process: the cache's own add and incr are two,
        # and build a new Redis client object each (a tenth of a submission's time in Python).
        # The key and the plain integer are what the cache itself writes, so cache.get reads it.
        name = cache.make_and_validate_key(windowed)
        pipeline = client.pipeline(transaction=False)
        pipeline.set(name, 0, nx=True, ex=seconds)
        pipeline.incr(name)
        return int(pipeline.execute()[1])
    cache.add(windowed, 0, timeout=seconds)
    try:
        return cache.incr(windowed)
    except ValueError:  # expired between add and incr: a fresh window
        cache.set(windowed, 1, timeout=seconds)
        return 1


@cache_function
def _redis() -> redis.Redis | None:
    """A Redis client on the default cache's server when that cache is Redis (production), kept
    for the life of the process; None for any other cache (the tests' local memory)."""
    config = settings.CACHES["default"]
    if config["BACKEND"] != "django.core.cache.backends.redis.RedisCache":
        return None
    location = config["LOCATION"]
    url = location[0] if isinstance(location, list | tuple) else str(location).split(",")[0]
    return redis.Redis.from_url(url, **config.get("OPTIONS", {}))


@receiver(setting_changed)
def _forget_the_client(*, setting: str, **kwargs) -> None:
    if setting == "CACHES":  # tests point the cache elsewhere
        _redis.cache_clear()


def allow(request: HttpRequest, scope: str, rate: str) -> bool:
    """Count this request against the client's window; False once the window's allowance is used."""
    return _hit(f"throttle:{scope}:{client_address(request)}", rate)


def allow_submission(request: HttpRequest, caller: str) -> bool:
    """A submission from the web form: counted per address and caller at the citizen's rate, so
    the citizens behind one address (a company's network, a community service centre) do not use
    up each other's allowance, and per address alone under a much higher ceiling. Both counts move
    on every submission: a refused one still counts against the other. `caller` is the phone's
    keyed hash (demands.phones.phone_hash): the number is never kept in the cache."""
    address = client_address(request)
    own = _hit(f"throttle:citizen-submit:{address}:{caller}", settings.CITIZEN_SUBMIT_RATE)
    shared = _hit(f"throttle:citizen-submit-address:{address}", settings.CITIZEN_SUBMIT_ADDRESS_RATE)
    return own and shared


# The API's scopes and the settings that hold their rates: read on each request, like the web
# form's, rather than DRF's DEFAULT_THROTTLE_RATES frozen into the class when it is imported.
_RATE_SETTINGS = {
    "citizen-submit": "CITIZEN_SUBMIT_RATE",
    "citizen-submit-address": "CITIZEN_SUBMIT_ADDRESS_RATE",
    "citizen-track": "CITIZEN_TRACK_RATE",
    "source-system": "SOURCE_SYSTEM_SUBMIT_RATE",
}


class _FixedWindow(BaseThrottle):
    """The API's limits, counted as the web form's are (`_hit`): one counter per client and window
    in the shared cache, falling back to this process while the cache is away. DRF's own throttle
    keeps the time of every request in the window as one list, read and written back whole on
    each request: at the address ceiling (600 an hour) a 600-entry list pickled twice for every
    submission, and more work the busier the address. A counter is one increment."""

    scope = ""
    cache_format = "throttle:api:%(scope)s:%(ident)s"

    def get_rate(self) -> str:
        return getattr(settings, _RATE_SETTINGS[self.scope])

    def get_cache_key(self, request, view) -> str | None:
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        self.rate = self.get_rate()
        return _hit(key, self.rate)

    def wait(self) -> float:
        """Seconds until the window ends and the count starts again (the Retry-After header)."""
        _limit, seconds = parse_rate(self.rate)
        return seconds - time.time() % seconds


class CitizenThrottle(_FixedWindow):
    """The API's per-address limit for the citizen operations, by the view's `throttle_scope`."""

    def get_cache_key(self, request, view) -> str | None:
        self.scope = getattr(view, "throttle_scope", "")
        if not self.scope:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class SubmissionCallerThrottle(_FixedWindow):
    """API submissions per address and caller, at the citizen's submission rate; `caller` names
    the caller of a request as `allow_submission` is told it."""

    scope = "citizen-submit"

    def caller(self, request) -> str:
        raise NotImplementedError

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": f"{self.get_ident(request)}:{self.caller(request)}"}


class SubmissionAddressThrottle(_FixedWindow):
    """API submissions per address alone, under the much higher shared ceiling."""

    scope = "citizen-submit-address"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class SourceSystemThrottle(_FixedWindow):
    """Submissions per source system (request.auth): a system speaks for many citizens from one
    address, so the citizens' limits do not apply to it; its own, much higher one does."""

    scope = "source-system"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
