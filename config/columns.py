"""What a column holds, for checks made before the database sees a value: SQLite stores any
length, PostgreSQL refuses what does not fit, and a refusal there is a failed write, not a reason."""

from __future__ import annotations

from django.db import models


def max_length(model: type[models.Model], field_name: str) -> int:
    field = model._meta.get_field(field_name)
    length = field.max_length if isinstance(field, models.Field) else None
    if length is None:
        raise TypeError(f"{model.__name__}.{field_name} has no max_length")
    return length
