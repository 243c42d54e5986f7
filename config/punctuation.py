"""Punctuation between the words a template puts together. Chinese uses full-width marks (张三：
已签收（主办）、协办), English its own (Zhang San: signed (lead), assisting); each mark is a
message of the catalogue in the context "punctuation", so a locale says how it writes it.

    {% load punctuation %}{% translate "受理编号" %}{% colon %}{{ number }}
    {{ names|join_words }}
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import pgettext

register = template.Library()


@register.simple_tag
def colon() -> str:
    return pgettext("punctuation", "：")


@register.simple_tag
def open_paren() -> str:
    return pgettext("punctuation", "（")


@register.simple_tag
def close_paren() -> str:
    return pgettext("punctuation", "）")


@register.simple_tag
def list_comma() -> str:
    """Between the items of a list (顿号)."""
    return pgettext("punctuation", "、")


@register.simple_tag
def comma() -> str:
    return pgettext("punctuation", "，")


@register.simple_tag
def full_stop() -> str:
    return pgettext("punctuation", "。")


@register.simple_tag
def dash() -> str:
    return pgettext("punctuation", "——")


@register.filter(is_safe=True)
def join_words(items: Iterable[object]) -> SafeString:
    """Like join, with the locale's list comma between the (escaped) items."""
    # conditional_escape takes any object (it escapes str(item)), as escape's stub says; its own stub
    # asks for text.
    words = (conditional_escape(item) for item in items)  # type: ignore[arg-type]
    return mark_safe(conditional_escape(list_comma()).join(words))
