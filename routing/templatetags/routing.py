"""Template filters for the router's suggestions."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import ROUND_FLOOR, Decimal

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from routing.reasons import describe

register = template.Library()


@register.filter
def reason_text(candidate: dict | None) -> str:
    """A stored suggestion's reasons in the reader's language; suggestions stored before the
    reasons were kept as data have only their Chinese text."""
    if not candidate:
        return ""
    reasons = candidate.get("reasons")
    return describe(reasons) if reasons else candidate.get("reason", "")


@register.filter
def reasons_text(reasons: list[dict]) -> str:
    """Reasons kept as data, in the reader's language."""
    return describe(reasons)


@register.filter
def confidence(value: object) -> str:
    """A confidence to two decimals, rounded down: 0.795 under a threshold of 0.80 must not read
    as 0.80 in a queue of demands below it."""
    if not isinstance(value, (int, float, Decimal)):
        return ""  # a missing value reaches a filter as ""
    return str(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_FLOOR))


@register.filter(needs_autoescape=True)
def marked(text: str, words: Iterable[str], autoescape: bool = True) -> SafeString:
    """The text with every occurrence of the router's matched words in <mark>, so an officer sees
    at a glance what the suggestion rests on; line breaks become <br> as with linebreaksbr."""
    escape = conditional_escape if autoescape else str
    found = sorted({w for w in words if w}, key=len, reverse=True)  # the longest phrase wins
    pieces = re.split(f"({'|'.join(map(re.escape, found))})", text) if found else [text]
    html = "".join(
        f'<mark class="matched">{escape(piece)}</mark>' if index % 2 else str(escape(piece))
        for index, piece in enumerate(pieces)
    )
    return mark_safe(html.replace("\r\n", "\n").replace("\n", "<br>"))


@register.filter
def matched_words(candidates: list[dict]) -> list[str]:
    """The keywords and matter names the suggestions found in the demand."""
    return [word for candidate in candidates for word in candidate.get("matched", [])]
