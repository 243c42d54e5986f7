"""A reason the system writes, kept in the language of record and readable in any other.

The event's `reason` holds the Chinese sentence (the audit trail); its data holds the
untranslated wording and the values put into it, so a page can say it in the reader's language
(DemandEvent.reason_for_reader), and an export in the auditor's."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

# The fixed sentences the system writes as reasons, registered where they are defined (each also
# marked with gettext_noop there, for the catalogue). Only these, and worded reasons, are read in
# the reader's language: what a person wrote is shown as written, even when it is the same text.
SYSTEM_SENTENCES: set[str] = set()


def system_sentence(text: str) -> str:
    SYSTEM_SENTENCES.add(text)
    return text


def worded(text: str, **params: Any) -> tuple[str, dict]:
    """(the reason in Chinese, the data that lets it be read in another language). `text` is a
    gettext_noop'd Chinese message with %(name)s placeholders."""
    return text % params, {"wording": {"text": text, "params": params}}


def in_reader_language(data: dict | None, recorded: str) -> str:
    """The worded text of `data` in the active language, else the `recorded` text as it is."""
    wording = (data or {}).get("wording")
    if not wording:
        return recorded
    return gettext(wording["text"]) % wording.get("params", {})
