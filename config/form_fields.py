"""Form fields as what they are. `form.fields` holds plain `Field`s to the type checker; a form that
fills a choice field's choices from the database at `__init__` asks for it as a choice field."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms


def choice_field(fields: Mapping[str, forms.Field], name: str) -> forms.ChoiceField:
    field = fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{name} is a {type(field).__name__}, not a choice field")
    return field


class ConditionallyRequired:
    """A field required or not by another field's answer (the form's `clean` checks it): the page
    does not mark it 选填 (templates/partials/field.html)."""

    conditionally_required = True


class ConditionallyRequiredChoiceField(ConditionallyRequired, forms.TypedChoiceField):
    pass


class ConditionallyRequiredCharField(ConditionallyRequired, forms.CharField):
    pass
