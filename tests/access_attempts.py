"""Every endpoint of the permission matrix (tests/access_matrix.py) tried by every actor, and what the
answer was. Each request runs in a savepoint that is rolled back, so what one allowed POST does
never changes the next attempt.

An attempt is *refused* when it answers 401/403/404/405, redirects to a place where one proves who
one is (a login page, the tracking form), or a service raised NotAllowed (a page shows that as a
message on a redirect). It is *allowed* otherwise: 2xx, another redirect, or 400 on a POST (the
input was judged, so access was granted). A 5xx is neither and always fails.

A *leak* is content a person may not read in any answer: a refused attempt must carry none of the
cases' text or their citizens' details; any answer to a department's staff must carry nothing of
another department's cases; no one but the citizen (and the platform's administrator, in the admin)
ever gets a citizen's full name, phone or address."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from unittest import mock

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse

from config.errors import NotAllowed
from tests.access_matrix import ACTORS, Endpoint, endpoints, expected_allowed
from tests.access_world import CASES, World


@dataclass(frozen=True)
class Attempt:
    endpoint: Endpoint
    actor: str
    subject: str
    method: str
    status: int
    expected: bool | None  # None: not asserted (the administrator inside the admin)
    allowed: bool | None  # None: a server error
    leaks: tuple[str, ...]


# Where a refusal sends a browser: a login page (the admin's index sends on to its own), the
# tracking form asking for this demand's code, the phone form.
GATES = ("/accounts/login/", "/admin/login/", "/admin/", "/track/phone/")


def _refused(response, not_allowed: bool) -> bool:
    if response.status_code in (401, 403, 404, 405) or not_allowed:
        return True
    if response.status_code in (301, 302, 303, 307, 308):
        target = response.get("Location", "")
        path = target.split("?")[0]
        return path in GATES or target.startswith("/track/?number=")
    return False


def url_of(endpoint: Endpoint, values: dict[str, str]) -> str:
    kwargs = {name: values[name] for name in endpoint.kwargs}
    if not endpoint.key.startswith(("admin/", "favicon")) and endpoint.key != endpoint.route:
        return reverse(endpoint.key, kwargs=kwargs)
    # Unnamed patterns: fill the route's converters, or the regex's groups, by hand.
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], endpoint.route)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values[m.group(1)], path)
    return "/" + path.lstrip("^").rstrip("$")


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


@contextmanager
def _not_allowed_seen() -> Iterator[list[NotAllowed]]:
    seen: list[NotAllowed] = []
    original = NotAllowed.__init__

    def record(self, *args, **kwargs):
        seen.append(self)
        original(self, *args, **kwargs)

    with mock.patch.object(NotAllowed, "__init__", record):
        yield seen


def attempts(world: World) -> Iterator[Attempt]:
    """Every endpoint × actor × subject × method, each in a savepoint rolled back afterwards."""
    client = Client(raise_request_exception=False)
    # Refusals are expected here by the thousand: the log need not tell of each.
    quiet = logging.getLogger("django.request"), logging.getLogger("django.security")
    levels = [logger.level for logger in quiet]
    for logger in quiet:
        logger.setLevel(logging.CRITICAL)
    try:
        for endpoint in endpoints():
            for subject in endpoint.subjects:
                values = {**world.values[subject], **world.overrides.get(endpoint.key, {})}
                url = url_of(endpoint, values)
                for actor in ACTORS:
                    for method in ("GET", "POST"):
                        if method == "POST" and endpoint.expectation_key == "admin:*":
                            # Every admin URL answers GET and POST through one gate (AdminSite.admin_view);
                            # a view added around it is caught by its GET. Asking twice would double the time.
                            continue
                        yield _attempt(client, world, endpoint, url, actor, subject, method)
    finally:
        for logger, level in zip(quiet, levels, strict=True):
            logger.setLevel(level)


def _attempt(client: Client, world: World, endpoint: Endpoint, url: str, actor: str, subject: str, method: str):
    cache.clear()  # throttles: the matrix asks far more often than any person
    client.cookies.clear()
    client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[actor]
    with transaction.atomic(), _not_allowed_seen() as refusals:
        response = client.get(url) if method == "GET" else client.post(url, world.payload)
        body = _body(response)
        transaction.set_rollback(True)
    expected = expected_allowed(endpoint, actor, subject, method)
    if response.status_code >= 500:
        return Attempt(endpoint, actor, subject, method, response.status_code, expected, None, ())
    refused = _refused(response, bool(refusals))
    if method == "POST" and response.status_code == 400:
        refused = False
    return Attempt(
        endpoint,
        actor,
        subject,
        method,
        response.status_code,
        expected,
        not refused,
        _leaks(world, endpoint, actor, body, refused),
    )


def _leaks(world: World, endpoint: Endpoint, actor: str, body: str, refused: bool) -> tuple[str, ...]:
    may_read = set() if refused else set(world.readers[actor])
    if endpoint.key.startswith("api-citizen-") and not refused:
        may_read.add("own")  # the payload holds the own demand's query code: whoever has it is its citizen
    found = [text for case, texts in world.case_text.items() if case not in may_read for text in texts if text in body]
    # A citizen's own details: to that citizen, and to the administrator in the admin.
    own_details = {"own"} if actor == "citizen" and not refused else set()
    if actor == "admin" and endpoint.expectation_key == "admin:*" and not refused:
        own_details = set(CASES)
    found += [
        text for case, texts in world.personal.items() if case not in own_details for text in texts if text in body
    ]
    return tuple(found)
