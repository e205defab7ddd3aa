from datetime import UTC, datetime
from typing import Any

from django import template

from marketplace.models import SkillLevel
from marketplace.ratings import rating_for_page

register = template.Library()


@register.filter
def utc_iso(moment: datetime) -> str:
    """An instant as ISO 8601 UTC with Z, as the API and booking links carry it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@register.filter
def level_label(level: int) -> str:
    return str(dict(SkillLevel.choices).get(level, ""))


@register.filter
def times_shown(match: Any, all_times: bool) -> list:
    """The times a shortlist place offers (matching.selectors.OfferedMatch.times), for its card."""
    return match.times(all_times=bool(all_times))


@register.filter
def rating_value(average: float) -> str:
    """An average rating as every page shows it (marketplace.ratings)."""
    return rating_for_page(average)
