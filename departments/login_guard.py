"""Staff logins cannot be guessed at speed: after LOGIN_FAILURE_LIMIT failed attempts for one
username, or LOGIN_ADDRESS_FAILURE_LIMIT from one client address, within
LOGIN_FAILURE_WINDOW_MINUTES, further attempts are refused (even with the right password) until
the oldest of those failures is older than the window. The login page, the admin's and the API
token endpoint all authenticate through GuardedModelBackend, so one count covers them all.

Written here rather than with django-axes: axes has one failure limit for every parameter, and
the address limit must be far higher than the username's (a district office logs in from one
address), and its DRF lockout needs a middleware answering outside the API's error format."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from config.throttle import client_address
from departments.models import LoginFailure

# Set on the request an attempt was refused on, for the form or serializer to say why.
LOCKED_UNTIL = "login_locked_until"


def _window() -> timedelta:
    return timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)


def _address(request) -> str:
    # The API's token view hands authenticate() DRF's request, which wraps Django's.
    return client_address(getattr(request, "_request", request))[:64]


def _username(value: object) -> str:
    # Case folded: "Admin" and "admin" are one name to someone guessing.
    return str(value or "").strip().lower()[:150]


def login_locked_until(*, username: str, address: str, now: datetime | None = None) -> datetime | None:
    """Until when attempts for this username or from this address are refused, or None."""
    moment = now or timezone.now()
    window = _window()
    ends = []
    for field, value, limit in (
        ("username", _username(username), settings.LOGIN_FAILURE_LIMIT),
        ("address", address, settings.LOGIN_ADDRESS_FAILURE_LIMIT),
    ):
        recent = LoginFailure.objects.filter(**{field: value}, at__gt=moment - window).order_by("-at")
        times = list(recent.values_list("at", flat=True)[:limit])
        if len(times) >= limit:
            ends.append(times[-1] + window)  # when the oldest of the last `limit` leaves the window
    return max(ends) if ends else None


def login_failure_record(*, username: str, address: str, now: datetime | None = None) -> None:
    moment = now or timezone.now()
    LoginFailure.objects.filter(at__lte=moment - _window()).delete()
    LoginFailure.objects.create(username=_username(username), address=address, at=moment)


def locked_message(until: datetime) -> str:
    # Rounded up to the minute: "after 10:15" must not be a minute too early.
    local = timezone.localtime(until)
    if local.second or local.microsecond:
        local += timedelta(seconds=60 - local.second, microseconds=-local.microsecond)
    return _("登录失败次数过多，已暂停登录，请在 %(time)s 之后再试。") % {
        "time": formats.date_format(local, "Y-m-d H:i")
    }


def seconds_until(until: datetime) -> int:
    return max(1, math.ceil((until - timezone.now()).total_seconds()))


class GuardedModelBackend(ModelBackend):
    """Django's backend, refusing an attempt while its username or address is locked out. The
    check comes before the password's: a right password does not end a lockout early."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        # Without a request (a shell, a management command) nobody is guessing over the network.
        if request is not None and username is not None:
            until = login_locked_until(username=username, address=_address(request))
            if until is not None:
                setattr(request, LOCKED_UNTIL, until)
                raise PermissionDenied  # authenticate() stops here and reports a failure
        return super().authenticate(request, username=username, password=password, **kwargs)


def count_failed_login(sender, credentials: dict, request: HttpRequest | None = None, **kwargs) -> None:
    """user_login_failed: count the attempt, unless it was refused for a lockout (a locked-out
    citizen of the platform retrying must not push the end of the lockout further away)."""
    if request is None or getattr(request, LOCKED_UNTIL, None) is not None:
        return
    username = credentials.get(get_user_model().USERNAME_FIELD)
    if username:
        login_failure_record(username=username, address=_address(request))


class _SaysWhenLockedOut:
    """A login form that, for an attempt refused by a lockout, says so and until when, instead
    of "wrong password"."""

    request: HttpRequest | None

    def get_invalid_login_error(self) -> ValidationError:
        until = getattr(self.request, LOCKED_UNTIL, None)
        if until is not None:
            return ValidationError(locked_message(until), code="locked_out")
        return super().get_invalid_login_error()  # type: ignore[misc]


class StaffLoginForm(_SaysWhenLockedOut, AuthenticationForm):
    pass


class AdminLoginForm(_SaysWhenLockedOut, AdminAuthenticationForm):
    pass
