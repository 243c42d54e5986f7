"""A select's options written in Python: the case page offers about 1,500 (every department in
several forms, every matter of the list), and the template loop over each option's attributes took
a third of the page's time. The markup is the one Django's select_option.html writes, every value
escaped as the template escapes it."""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _escaped(value: Any) -> str:
    """What django.utils.html.conditional_escape gives, without its lazy-argument wrapper, which
    was most of the time of an option."""
    if isinstance(value, Promise):
        value = str(value)
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def _attributes(attrs: dict[str, Any]) -> str:
    # As Django's attrs.html: False leaves the attribute out, True writes its name alone.
    return "".join(
        f" {_escaped(name)}" if value is True else f' {_escaped(name)}="{_escaped(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


@register.simple_tag
def select_options(optgroups: Iterable[tuple[Any, list[dict[str, Any]], int]]) -> SafeString:
    parts = []
    for group_name, group_choices, _index in optgroups:
        if group_name:
            parts.append(f'\n  <optgroup label="{_escaped(group_name)}">')
        parts.extend(
            f'\n  <option value="{_escaped(str(option["value"]))}"{_attributes(option["attrs"])}>'
            f"{_escaped(option['label'])}</option>"
            for option in group_choices
        )
        if group_name:
            parts.append("\n  </optgroup>")
    return mark_safe("".join(parts))
