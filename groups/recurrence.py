"""Weekly office hours: the same local weekday and wall-clock time in the host's zone, across DST changes.

Pure: no Django, no clock; the zone is an argument.
"""

from datetime import datetime

from marketplace.timezones import every_few_weeks, get_zone


def weekly_starts(first: datetime, zone_name: str, repeats: int) -> list[datetime]:
    """`first` and the `repeats` weeks after it, each at the wall-clock time `first` shows in `zone_name`
    (UTC instants). On a day the clock skips that time (spring forward), the session starts at the instant
    the clock skips to; on a day it shows it twice (fall back), at its first occurrence."""
    return every_few_weeks(first, get_zone(zone_name), count=repeats + 1)
