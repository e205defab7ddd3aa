"""Formatting of insights figures: rates as percentages, hours, and a dash for "nothing to show".

Numbers follow the reader's language (a decimal comma in French and German); the API and the CSV keep their
own plain values and English labels, which programs read.
"""

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from insights.regions import REGIONS
from insights.selectors.privacy import FEWER_THAN_5, NO_DEPARTMENT, NO_LEVEL, PROTECTS_SMALLER
from marketplace.ratings import rating_for_page

register = template.Library()
NOTHING = "–"
# The insights' own words for groups and withheld figures, which the API and the CSV give as they are.
LABELS = {
    FEWER_THAN_5: _("fewer than 5"),
    PROTECTS_SMALLER: _("hidden to protect a smaller group"),
    NO_DEPARTMENT: _("No department"),
    NO_LEVEL: _("Level not set"),
    REGIONS["americas"]: _("Americas"),
    REGIONS["emea"]: _("Europe, Middle East and Africa"),
    REGIONS["apac"]: _("Asia-Pacific"),
    REGIONS["utc"]: _("UTC (no zone chosen)"),
}


def _decimal(value: float, digits: int) -> str:
    """Rounded as f"{value:.{digits}f}" rounds (number_format alone cuts the digits off), in the reader's
    notation."""
    return number_format(round(value, digits), digits)


@register.filter
def insights_label(value: object) -> str:
    """A group label or a reason a figure is withheld, in the reader's language (anything else as it is)."""
    return str(LABELS.get(value, value)) if isinstance(value, str) else str(value)


@register.filter
def percent(value: float | None, digits: int = 0) -> str:
    """0.2345 → "23%" (or "23.5%" with digits=1, "23,5 %" in French); None → a dash."""
    if value is None:
        return NOTHING
    return gettext("%(value)s%%") % {"value": _decimal(value * 100, int(digits))}


@register.filter
def hours(value: float | None) -> str:
    """Hours with one decimal below 10, whole hours above; a day or more also in days."""
    if value is None:
        return NOTHING
    if value >= 48:
        return gettext("%(days)s days") % {"days": _decimal(value / 24, 1)}
    if value >= 10:
        return gettext("%(hours)s h") % {"hours": _decimal(value, 0)}
    return gettext("%(hours)s h") % {"hours": _decimal(value, 1)}


@register.filter
def number(value: int | float | None) -> str:
    if value is None:
        return NOTHING
    return intcomma(round(value))


@register.filter
def rating(value: float | None) -> str:
    return NOTHING if value is None else f"{rating_for_page(value)} / 5"


@register.filter
def get_item(mapping: dict, key: str):
    return mapping.get(key)
