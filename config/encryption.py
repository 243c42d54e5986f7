"""Personal data at rest: Fernet with a ring of keys from the environment (PERSONAL_DATA_KEYS),
the first of which encrypts and all of which decrypt, so a key can be replaced without a window in
which some rows cannot be read (README.md, "Rotating the personal-data key").

A copy of the database, a backup or a replica then gives up no citizen's name, phone or address
without the keys, which live only in the servers' environment."""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class PersonalDataUnreadable(Exception):
    """A stored value no key of PERSONAL_DATA_KEYS opens: a key was removed before the rows it
    wrote were rotated, or the environment holds the wrong keys."""


def derived_key(secret: str, purpose: str) -> str:
    """A key for one purpose derived from SECRET_KEY, in Fernet's format: the embedded and test
    runs need no configuration, and no two purposes share a key."""
    digest = hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()


def checked_fernet_keys(keys: list[str], name: str = "PERSONAL_DATA_KEYS") -> list[str]:
    """The keys, if each is a Fernet key; otherwise the process refuses to start, rather than
    fail on the first demand it writes."""
    if not keys:
        raise ImproperlyConfigured(f"Set {name} to one or more Fernet keys, comma-separated (README.md).")
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError) as error:
            raise ImproperlyConfigured(
                f"{name}: key {position} is not a Fernet key (32 url-safe base64-encoded bytes; "
                "make one with `python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`)."
            ) from error
    return keys


@cache
def _ring(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in checked_fernet_keys(list(keys))])


@cache
def _first(key: str) -> Fernet:
    return Fernet(key)


def _keys() -> tuple[str, ...]:
    # Read on each call, not once: tests and a key rotation swap the setting in a live process.
    return tuple(settings.PERSONAL_DATA_KEYS)


def encrypt(text: str) -> str:
    return _ring(_keys()).encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _ring(_keys()).decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise PersonalDataUnreadable(
            "A stored personal-data value opens with none of PERSONAL_DATA_KEYS: was a key removed "
            "before `manage.py rotate_personal_data_key` re-encrypted the rows it wrote?"
        ) from error


def under_first_key(token: str) -> bool:
    """Whether the value is already encrypted with the first key (what a rotation leaves)."""
    try:
        _first(_keys()[0]).decrypt(token.encode())
    except InvalidToken:
        return False
    return True
