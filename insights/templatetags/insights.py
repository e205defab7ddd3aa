"""Formatting of insights figures: rates as percentages, hours, and a dash for "nothing to show"."""

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

register = template.Library()
NOTHING = "–"


@register.filter
def percent(value: float | None, digits: int = 0) -> str:
    """0.2345 → "23%" (or "23.5%" with digits=1); None → a dash."""
    if value is None:
        return NOTHING
    return f"{value * 100:.{int(digits)}f}%"


@register.filter
def hours(value: float | None) -> str:
    """Hours with one decimal below 10, whole hours above; a day or more also in days."""
    if value is None:
        return NOTHING
    if value >= 48:
        return f"{value / 24:.1f} days"
    if value >= 10:
        return f"{value:.0f} h"
    return f"{value:.1f} h"


@register.filter
def number(value: int | float | None) -> str:
    if value is None:
        return NOTHING
    return intcomma(round(value))


@register.filter
def rating(value: float | None) -> str:
    return NOTHING if value is None else f"{value:.1f} / 5"


@register.filter
def get_item(mapping: dict, key: str):
    return mapping.get(key)
