"""Form pieces for choosing departments, shared by the apps that ask for one."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.punctuation import colon, list_comma
from departments.selectors import departments_for_choice


def department_choices() -> list[tuple[Any, str]]:
    """Every department one may pick, after an empty first choice."""
    return [("", "—")] + [(d.pk, d.name) for d in departments_for_choice()]


def filterable(field: forms.Field) -> None:
    """Seventy departments are too many to scroll: static/js/pickers.js puts a box above the
    list that narrows it as one types (without JavaScript it is a plain list)."""
    field.widget.attrs["data-filter"] = gettext_lazy("输入名称筛选")


class ChosenSelectMultiple(forms.SelectMultiple):
    """A list of many departments with the current choice written under it: in a list six rows
    high, a chosen department scrolled out of sight looks unchosen. static/js/pickers.js keeps the
    line up to date as the choice changes."""

    def render(self, name: str, value: Any, attrs: dict | None = None, renderer: Any = None) -> SafeString:
        select = super().render(name, value, attrs, renderer)
        values = value if isinstance(value, Iterable) and not isinstance(value, str) else [value]
        chosen = {str(v) for v in values if v is not None}
        names = [str(label) for key, label in self.choices if str(key) in chosen]
        element_id = (attrs or {}).get("id") or self.attrs.get("id") or f"id_{name}"
        # The words of the line are data attributes too: the script writes the line again in them.
        prefix = f"{_('已选')}{colon()}"
        return format_html(
            '{}<p class="picker-chosen help" id="{}_chosen" aria-live="polite" data-prefix="{}" data-separator="{}"'
            ' data-none="{}">{}{}</p>',
            select,
            element_id,
            prefix,
            list_comma(),
            _("未选"),
            prefix,
            format_html_join(list_comma(), "{}", ((n,) for n in names)) if names else _("未选"),
        )
