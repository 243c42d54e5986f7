"""Staff passwords cannot be guessed: failed logins lock the username (and, at a higher count,
the client address) for a while, on the login page, the admin's and the API token endpoint alike,
counted in the database so it holds while the cache is away."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings
from rest_framework.test import APIClient

from departments.models import LoginFailure
from tests.factories import make_user
from tests.staff import logged_in

PASSWORD = "pw-for-tests-only"


@pytest.fixture
def limits(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    settings.LOGIN_FAILURE_WINDOW_MINUTES = 15
    return settings


@pytest.fixture
def staff(db):
    return make_user("wang")


def _page_login(client: Client, username: str, password: str, url: str = "/accounts/login/"):
    return client.post(url, {"username": username, "password": password})


def _token(client: APIClient, username: str, password: str):
    return client.post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _age_failures(minutes: int) -> None:
    for failure in LoginFailure.objects.all():
        failure.at -= timedelta(minutes=minutes)
        failure.save()


def test_the_login_page_locks_a_username_and_says_until_when(limits, staff):
    guesser = Client()
    for _ in range(3):
        assert "登录失败次数过多" not in _page_login(guesser, "wang", "guess").content.decode()
    refused = _page_login(Client(REMOTE_ADDR="10.0.0.9"), "wang", PASSWORD)  # right password, elsewhere
    text = refused.content.decode()
    assert "登录失败次数过多" in text and "之后再试" in text
    assert not _logged_in(refused.client)
    # Another account at the same address is not locked by wang's failures.
    make_user("li")
    assert _page_login(guesser, "li", PASSWORD).status_code == 302


def test_a_right_password_does_not_end_a_lockout_early(limits, staff):
    client = Client()
    for _ in range(3):
        _page_login(client, "wang", "guess")
    for _ in range(3):  # retries while locked, right password included, neither count nor unlock
        assert "登录失败次数过多" in _page_login(client, "wang", PASSWORD).content.decode()
    assert LoginFailure.objects.count() == 3
    _age_failures(16)  # the window has passed
    assert _page_login(client, "wang", PASSWORD).status_code == 302


def test_one_address_trying_many_usernames_is_locked_at_its_own_higher_limit(limits, staff):
    sprayer = Client(REMOTE_ADDR="10.2.2.2")
    for i in range(6):
        _page_login(sprayer, f"user{i}", "guess")  # two failures short of any username's limit
    assert "登录失败次数过多" in _page_login(sprayer, "wang", PASSWORD).content.decode()
    assert _page_login(Client(REMOTE_ADDR="10.3.3.3"), "wang", PASSWORD).status_code == 302


def test_the_admin_login_is_guarded_too(limits, db):
    User.objects.create_superuser("root", password=PASSWORD)
    client = Client()
    for _ in range(3):
        _page_login(client, "root", "guess", "/admin/login/")
    refused = _page_login(client, "root", PASSWORD, "/admin/login/")
    assert refused.status_code == 200 and "登录失败次数过多" in refused.content.decode()
    assert not _logged_in(client)


def test_the_token_endpoint_is_guarded_and_counts_with_the_page(limits, staff):
    api = APIClient()
    assert _token(api, "wang", "guess").status_code == 400
    _page_login(Client(), "wang", "guess")
    assert _token(api, "wang", "guess").status_code == 400
    refused = _token(api, "wang", PASSWORD)
    assert refused.status_code == 429
    body = refused.json()
    assert body["code"] == "locked_out" and "登录失败次数过多" in body["detail"]
    assert 0 < body["retry_after"] <= 15 * 60
    assert "token" not in body


def test_the_lockout_holds_while_the_cache_is_unreachable(limits, staff):
    cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
    with override_settings(CACHES=cache):
        api = APIClient()
        for _ in range(3):
            assert _token(api, "wang", "guess").status_code == 400
        assert _token(api, "wang", PASSWORD).status_code == 429


def test_an_administrator_can_lift_a_lockout(limits, staff):
    for _ in range(3):
        _page_login(Client(), "wang", "guess")
    admin = logged_in(User.objects.create_superuser("root", password=PASSWORD))
    listing = admin.get("/admin/departments/loginfailure/?q=wang")
    assert listing.status_code == 200 and "wang" in listing.content.decode()
    ids = [str(pk) for pk in LoginFailure.objects.values_list("pk", flat=True)]
    admin.post(
        "/admin/departments/loginfailure/", {"action": "delete_selected", "_selected_action": ids, "post": "yes"}
    )
    assert _page_login(Client(), "wang", PASSWORD).status_code == 302
