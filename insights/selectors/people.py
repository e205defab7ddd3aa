"""How many distinct people each rate or average comes from, from the weekly bitmaps (WeekPeople).

A rate of fewer than MIN_GROUP_SIZE people is withheld (insights.selectors.privacy.withhold): a count of
events cannot tell, as one person can give many ratings, so the people are counted, as distinct user ids.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date

from insights.models import WeekPeople
from insights.selectors.scope import Scope, as_date


def people_bitmaps(scope: Scope) -> dict[str, dict[date, int]]:
    """Per basis, per week of the range: a bitmap of the people it comes from. One query."""
    found: dict[str, dict[date, int]] = defaultdict(dict)
    for week, basis, people in WeekPeople.objects.filter(
        week__gte=scope.start, week__lte=scope.last_week
    ).values_list("week", "basis", "people"):
        found[basis][as_date(week)] = int.from_bytes(bytes(people), "little")
    return found


def union(bitmaps: Iterable[int]) -> int:
    found = 0
    for value in bitmaps:
        found |= value
    return found


def counter(bitmaps: dict[str, dict[date, int]], limit: int | None) -> Callable[[str], int]:
    """Distinct people of a basis over the range, among `limit` (a bitmap of people; None: everyone)."""

    def count(basis: str) -> int:
        value = union(bitmaps.get(basis, {}).values())
        return (value if limit is None else value & limit).bit_count()

    return count
