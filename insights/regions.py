"""Time-zone regions for the equity breakdown: a person's region follows from their IANA zone."""

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

REGIONS = {
    "americas": "Americas",
    "emea": "Europe, Middle East and Africa",
    "apac": "Asia-Pacific",
    "utc": "UTC (no zone chosen)",
}


@lru_cache(maxsize=4096)
def region_of(zone_name: str) -> str:
    """A zone's region from its standard UTC offset: Americas up to UTC−2, EMEA up to UTC+4, then APAC.

    UTC itself (the default of a person who never chose a zone) and the Etc/ zones have a region of their own.
    """
    if zone_name in {"UTC", "GMT", "Universal", "Zulu"} or zone_name.startswith("Etc/"):
        return "utc"
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        return "utc"
    offsets = [zone.utcoffset(datetime(2025, month, 15)) for month in (1, 7)]
    hours = min(offset.total_seconds() for offset in offsets if offset is not None) / 3600
    if hours <= -2:
        return "americas"
    if hours <= 4:
        return "emea"
    return "apac"
