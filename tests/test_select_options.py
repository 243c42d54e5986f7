"""The project writes a select's options in Python (config/select_options.py); the markup must be
what Django's own templates write, escaping included, whatever the labels and attributes hold."""

from __future__ import annotations

import re
from pathlib import Path

import django.forms
from django import forms
from django.template import Context, engines
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

STOCK = Path(django.forms.__file__).parent / "templates/django/forms/widgets/select.html"


class Marked(forms.Select):
    """Options with the attributes the project's widgets add (data-*, disabled, hidden=False)."""

    def create_option(self, *args, **kwargs):
        option = super().create_option(*args, **kwargs)
        extra = {2: {"data-leads": "1 2 <&\">'"}, 3: {"disabled": True}, 4: {"hidden": False}}
        option["attrs"].update(extra.get(option["value"], {}))
        return option


def _rendered(widget: forms.Widget, value) -> tuple[str, str]:
    context = widget.get_context("field", value, {"id": "id_field", "data-filter": "筛选"})
    ours = engines["django"].get_template("django/forms/widgets/select.html").template.render
    stock = engines["django"].from_string(STOCK.read_text()).template.render

    def squeezed(html: str) -> str:
        return re.sub(r">\s+<", "><", html).strip()

    return squeezed(ours(Context(context))), squeezed(stock(Context(context)))


def test_options_are_written_as_djangos_templates_write_them():
    widgets = [
        (
            Marked(
                choices=[
                    ("", "—"),
                    (1, "甲 <b>'"),
                    (2, 'B & "q"'),
                    (3, gettext_lazy("办理中")),
                    (4, "d"),
                    (5, mark_safe("<i>safe</i>")),
                ]
            ),
            2,
        ),
        (forms.SelectMultiple(choices=[("Group <1>", [(1, "x"), (2, "y")]), (3, "z")]), [1, 3]),
        (forms.Select(choices=[(n, f"部门{n}") for n in range(300)]), 299),
    ]
    for widget, value in widgets:
        ours, stock = _rendered(widget, value)
        assert ours == stock
    assert 'data-leads="1 2 &lt;&amp;&quot;&gt;&#x27;"' in _rendered(widgets[0][0], 2)[0]
    assert "<i>safe</i>" in _rendered(widgets[0][0], 2)[0] and "甲 &lt;b&gt;&#x27;" in _rendered(widgets[0][0], 2)[0]
