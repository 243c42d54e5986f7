"""The fixture the page tests share: a demand a citizen submitted through the web form."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.citizens import FORM


@pytest.fixture
def citizen_submission(district, django_capture_on_commit_callbacks):
    citizen = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = citizen.post("/", FORM, follow=True)
    assert response.status_code == 200
    receipt = response.context["receipt"]
    return citizen, receipt
