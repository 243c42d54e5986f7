"""`get_FOO_display()` read from a dict made once per field.

Django's makes a dict of every choice, hashing each, on every call: 50 µs for an assignment's
status, 390 µs for an event's action (about a hundred steps), which a case page's timeline and a
busy inbox call hundreds of times. The labels stay lazy, so each call still speaks the reader's
language."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import models
from django.utils.encoding import force_str


@cache
def _labels(field: models.Field) -> dict[Any, Any]:
    return dict(field.flatchoices)


class QuickChoiceLabels:
    """Put first among a model's bases: Django binds each `get_FOO_display` to the class's
    `_get_FIELD_display` when the class is made."""

    def _get_FIELD_display(self, field: models.Field) -> str:
        value = getattr(self, field.attname)
        return force_str(_labels(field).get(value, value), strings_only=True)
