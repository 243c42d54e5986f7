"""The permission matrix (tests/access_matrix.py): every URL pattern has an expectation, and every
page and API operation answers every role, on its own and on another department's or citizen's
case, as the table says, without leaking a case or a citizen's details."""

from __future__ import annotations

from collections import Counter

from django.http import HttpResponse
from django.test import override_settings
from django.urls import include, path

from tests import access_matrix
from tests.access_attempts import attempts
from tests.access_world import build_world


def test_every_url_pattern_has_an_expectation_and_every_expectation_a_pattern():
    assert access_matrix.unexpected() == []
    keys = {endpoint.expectation_key for endpoint in access_matrix.endpoints()}
    assert set(access_matrix.EXPECTED) - keys == set()


def _new_view(request):
    return HttpResponse("new")


urlpatterns = [
    path("brand-new/", _new_view, name="brand-new"),
    path("", include("config.urls")),
]


@override_settings(ROOT_URLCONF=__name__)
def test_a_new_view_cannot_escape_the_matrix():
    assert access_matrix.unexpected() == ["brand-new"]


def test_every_role_gets_what_the_table_says_and_nothing_leaks(
    db, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    world = build_world(lambda: django_capture_on_commit_callbacks(execute=True))
    problems = []
    tally = Counter()
    for attempt in attempts(world):
        tally["attempts"] += 1
        where = f"{attempt.method} {attempt.endpoint.key} as {attempt.actor}" + (
            f" on the {attempt.subject} case" if attempt.subject else ""
        )
        if attempt.allowed is None:
            problems.append(f"{where}: server error {attempt.status}")
        elif attempt.expected is not None and attempt.allowed != attempt.expected:
            said = "allowed" if attempt.expected else "refused"
            problems.append(f"{where}: answered {attempt.status}, the table says {said}")
        if attempt.leaks:
            problems.append(f"{where}: the answer holds {', '.join(attempt.leaks)}")
        tally["allowed" if attempt.allowed else "refused"] += 1
    assert not problems, "\n".join(problems[:40]) + f"\n({len(problems)} problems in {tally['attempts']} attempts)"
    # Each side of the table is really exercised, not only one.
    assert tally["allowed"] > 500 and tally["refused"] > 3000, tally
