"""Ids typed into query strings and forms by hand. A primary key is a 64-bit integer: a longer
number is not an id of anything, and handed to the database it fails instead of matching
nothing (SQLite cannot bind it; PostgreSQL refuses it as out of range)."""

from __future__ import annotations

MAX_ID = 2**63 - 1


def id_from(raw: object) -> int | None:
    """The id the text names, or None when it cannot name a row."""
    text = str(raw).strip() if raw is not None else ""
    if not text.isascii() or not text.isdigit() or len(text) > len(str(MAX_ID)):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


def ids_from(values: list[str]) -> set[int] | None:
    """The ids the texts name, or None when any of them cannot name a row."""
    ids = set()
    for value in values:
        pk = id_from(value)
        if pk is None:
            return None
        ids.add(pk)
    return ids
