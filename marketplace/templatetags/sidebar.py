from datetime import UTC, datetime

from django import template

from marketplace.models import SkillLevel

register = template.Library()


@register.filter
def utc_iso(moment: datetime) -> str:
    """An instant as ISO 8601 UTC with Z, as the API and booking links carry it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@register.filter
def level_label(level: int) -> str:
    return str(dict(SkillLevel.choices).get(level, ""))
