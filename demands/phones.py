"""One reading of a phone number for every comparison: the repeat-caller look-up, duplicate
suggestions, the desk's phone search, the citizen's one-time-code look-up and the text messages
all go through `phone_key`, so a number typed two ways is one caller everywhere."""

from __future__ import annotations

import hashlib
import hmac
import re

from django.conf import settings

_NATIONAL_MOBILE = re.compile(r"^(0086|86)(?=1\d{10}$)")
_MOBILE = re.compile(r"1[3-9]\d{9}")  # landlines cannot take a text message


def phone_key(phone: str) -> str:
    """A phone number's digits, however it was typed: 138-1234 5678, +86 13812345678,
    (0086)138.1234.5678 and 13812345678 are one caller."""
    return _NATIONAL_MOBILE.sub("", re.sub(r"\D", "", phone))


def mobile_number(phone: str) -> str | None:
    """The 11-digit mobile number a text message can reach; None for a landline or a typo."""
    key = phone_key(phone)
    return key if _MOBILE.fullmatch(key) else None


def phone_hash(phone: str) -> str:
    """The phone's keyed hash (HMAC-SHA256 with PHONE_HASH_KEY over `phone_key`): the column the
    demands are found by, now that the number itself is encrypted. Without the key, a copy of
    the database cannot be searched for a number. "" for a value with no digits, which matches
    nothing worth finding."""
    key = phone_key(phone)
    if not key:
        return ""
    return hmac.new(settings.PHONE_HASH_KEY.encode(), key.encode(), hashlib.sha256).hexdigest()
