"""API tokens expire, and are revoked on logout and when the account is disabled or its password
changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import make_user
from tests.staff import logged_in

PASSWORD = "pw-for-tests-only"


@pytest.fixture
def staff(db):
    return make_user("wang", role="dispatcher")


def _obtain(username: str = "wang") -> dict:
    response = APIClient().post("/api/v1/auth/token/", {"username": username, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def _with(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def _works(token: str) -> bool:
    status = _with(token).get("/api/v1/demands/").status_code
    assert status in (200, 401), status
    return status == 200


def test_a_token_expires_after_its_lifetime(staff, settings):
    settings.API_TOKEN_LIFETIME_HOURS = 12
    issued = _obtain()
    expires = timezone.datetime.fromisoformat(issued["expires"])
    assert timedelta(hours=11, minutes=59) < expires - timezone.now() <= timedelta(hours=12)
    assert _works(issued["token"])
    Token.objects.filter(key=issued["token"]).update(created=timezone.now() - timedelta(hours=12, seconds=1))
    refused = _with(issued["token"]).get("/api/v1/demands/")
    assert refused.status_code == 401 and "已过期" in refused.json()["detail"]
    assert "Token" in refused.headers["WWW-Authenticate"]
    renewed = _obtain()
    assert renewed["token"] != issued["token"] and _works(renewed["token"])


def test_an_unexpired_token_is_given_again(staff):
    first = _obtain()
    assert _obtain()["token"] == first["token"]


def test_api_logout_revokes_the_callers_token(staff):
    token = _obtain()["token"]
    assert _with(token).post("/api/v1/auth/logout/").status_code == 204
    assert not _works(token)
    assert APIClient().post("/api/v1/auth/logout/").status_code in (401, 403)


def test_api_logout_is_in_the_schema(db):
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/auth/logout/" in schema and "expires" in schema


def test_logging_out_of_the_site_revokes_the_token(staff):
    token = _obtain()["token"]
    browser = Client()
    browser.login(username="wang", password=PASSWORD)
    browser.post("/accounts/logout/")
    assert not _works(token)


def test_disabling_the_account_revokes_the_token(staff):
    token = _obtain()["token"]
    staff.is_active = False
    staff.save()
    assert not Token.objects.filter(key=token).exists()
    staff.is_active = True
    staff.save()
    assert not _works(token)


def test_a_password_change_in_the_user_admin_revokes_the_token(staff):
    token = _obtain()["token"]
    admin = logged_in(User.objects.create_superuser("root", password=PASSWORD))
    new = "another-Long-pass-42"
    response = admin.post(
        f"/admin/auth/user/{staff.pk}/password/", {"password1": new, "password2": new, "usable_password": "true"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not _works(token)


def test_a_login_does_not_revoke_the_token(staff):
    token = _obtain()["token"]
    assert Client().login(username="wang", password=PASSWORD)
    assert _works(token)
