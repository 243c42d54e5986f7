"""A refused move reads in the language the person chose: the service layer's reasons are
translated, so the English interface does not show Chinese errors (and Chinese stays the default)."""

from __future__ import annotations

import pytest
from django.test import Client

from dispatch.models import Assignment
from tests.citizens import FORM
from tests.staff import logged_in


@pytest.fixture
def lead(district, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/", FORM, follow=True)
    return Assignment.objects.get(demand__tracking_number=response.context["receipt"]["tracking_number"], role="lead")


def _reply_before_signing(client: Client, lead: Assignment) -> str:
    page = client.post(f"/workbench/{lead.pk}/reply/", {"body": "已经处理好了，请群众放心。"}, follow=True)
    return page.content.decode()


def test_refusal_is_in_english_when_english_is_chosen(district, lead):
    client = logged_in(district.users["zjj"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    text = _reply_before_signing(client, lead)
    assert "Please accept the case before replying." in text
    assert "请先签收再答复" not in text


def test_refusal_is_in_chinese_by_default(district, lead):
    client = logged_in(district.users["zjj"])
    text = _reply_before_signing(client, lead)
    assert "请先签收再答复" in text
    assert "Please accept the case before replying." not in text
