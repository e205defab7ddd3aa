"""Inclusive ranges of whole-number inputs, written once next to the model field they bound.

The model field (validators), its check constraint, the page form and the API serializer all read the same
Bound, so a page and the API cannot drift apart on what they accept.
"""

from dataclasses import dataclass
from typing import TypedDict

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q


class Limits(TypedDict):
    min_value: int
    max_value: int


@dataclass(frozen=True)
class Bound:
    low: int
    high: int

    def __contains__(self, value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and self.low <= value <= self.high

    def validators(self) -> list:
        """For a model field: what full_clean (and so the admin) checks."""
        return [MinValueValidator(self.low), MaxValueValidator(self.high)]

    def condition(self, field: str) -> Q:
        """For a CheckConstraint on `field`."""
        return Q(**{f"{field}__gte": self.low, f"{field}__lte": self.high})

    def values(self) -> range:
        return range(self.low, self.high + 1)

    def limits(self) -> Limits:
        """min_value and max_value, as both forms.IntegerField and serializers.IntegerField take them."""
        return Limits(min_value=self.low, max_value=self.high)


# Any id a client may send: the largest primary key the databases store (a bigger one overflows SQLite's
# integer before it could be looked up).
ID = Bound(1, 2**63 - 1)
