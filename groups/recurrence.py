"""Weekly office hours: the same local weekday and wall-clock time in the host's zone, across DST changes.

Pure: no Django, no clock; the zone is an argument.
"""

from datetime import datetime, timedelta

from marketplace.timezones import get_zone, require_aware, resolve_local_end


def weekly_starts(first: datetime, zone_name: str, repeats: int) -> list[datetime]:
    """`first` and the `repeats` weeks after it, each at the wall-clock time `first` shows in `zone_name`
    (UTC instants). On a day the clock skips that time (spring forward), the session starts at the instant
    the clock skips to; on a day it shows it twice (fall back), at its first occurrence."""
    require_aware(first, "first")
    zone = get_zone(zone_name)
    local = first.astimezone(zone).replace(tzinfo=None)
    return [first] + [
        resolve_local_end(local + timedelta(weeks=week), zone) for week in range(1, repeats + 1)
    ]
