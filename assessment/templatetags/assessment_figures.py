from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    """A share (0–1) as a percentage with one decimal, in the reader's number format; a dash when
    there was nothing to count."""
    if value is None:
        return "—"
    return f"{number_format(value * 100, 1)}%"


@register.filter
def hours(value: float | None) -> str:
    return "—" if value is None else number_format(value, 1)


@register.filter
def signed(value: float | None) -> str:
    """A change with its sign (+2.5, −1.0)."""
    if value is None:
        return "—"
    return f"+{number_format(value, 1)}" if value > 0 else f"−{number_format(-value, 1)}" if value < 0 else "0"


@register.filter
def points(value: float | None) -> str:
    """A change of a share (0–1) in percentage points, with its sign."""
    return signed(None if value is None else value * 100)
