"""The clear query code is shown once on the receipt and is never kept at rest: not in the session
table, and not beyond a few minutes anywhere else."""

from __future__ import annotations

import time

from django.contrib.sessions.models import Session
from django.test import Client

from dispatch.views import citizen as citizen_views
from tests.citizens import post_demand


def _code_on(page: str) -> str:
    return page.split('id="query-code"')[1].split(">")[1].split("<")[0].strip()


def test_the_query_code_is_not_stored_in_the_session_table(district, django_capture_on_commit_callbacks):
    citizen = Client()
    post_demand(citizen, django_capture_on_commit_callbacks)
    stored = [str(session.get_decoded()) for session in Session.objects.all()]
    page = citizen.get("/submitted/").content.decode()
    code = _code_on(page)
    assert len(code) >= 6
    assert stored and not any(code in session for session in stored)
    # Shown once: a reload does not show it again.
    again = citizen.get("/submitted/", follow=True).content.decode()
    assert code not in again and "只在提交后显示一次" in again


def test_a_receipt_not_opened_within_minutes_is_gone(district, django_capture_on_commit_callbacks, monkeypatch):
    citizen = Client()
    post_demand(citizen, django_capture_on_commit_callbacks)
    later = time.time() + citizen_views.RECEIPT_SECONDS + 5
    monkeypatch.setattr(time, "time", lambda: later)
    page = citizen.get("/submitted/", follow=True).content.decode()
    assert 'id="query-code"' not in page and "只在提交后显示一次" in page
