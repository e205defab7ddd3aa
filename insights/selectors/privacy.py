"""The privacy rule of the insights, in one place so that the page, the API and the CSV cannot differ.

A group of fewer than MIN_GROUP_SIZE people (a department, a job level, a region, or the population a
department filter leaves) is never broken down. When the hidden groups of a breakdown add up to fewer than 5
people, they could still be worked out by subtracting the shown groups from the totals, so the next smallest
group is hidden as well (complementary suppression).

This module decides what is hidden and why; insights.selectors.summary then drops the hidden figures, which
never leave insights.selectors (the CSV export writes only what the summary shows). The load spread over 1–4
mentors is withheld too, as it would tell each one's load (insights.selectors.mentors).
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from insights.regions import REGIONS, region_of
from insights.selectors.population import Cell
from insights.selectors.scope import Scope
from marketplace.models import JobLevel

MIN_GROUP_SIZE = 5
MIN_PEOPLE_BEHIND_A_RATE = 5  # a rate or average shown comes from at least this many distinct people
FEWER_THAN_5 = "fewer than 5"
PROTECTS_SMALLER = "hidden to protect a smaller group"
NO_DEPARTMENT = "No department"
NO_LEVEL = "Level not set"

# A cell of people is keyed (department id, job level, region); a group of cells by one of the three.
CellKey = tuple[int | None, str, str]
GroupKey = TypeVar("GroupKey")


def protect(sizes: dict[GroupKey, int]) -> dict[GroupKey, str]:
    """Which groups to hide and why: under 5 people, or the smallest others until the hidden add up to 5."""
    hidden = {key: FEWER_THAN_5 for key, size in sizes.items() if 0 < size < MIN_GROUP_SIZE}
    if hidden:
        hidden_people = sum(sizes[key] for key in hidden)
        for key in sorted(
            (key for key in sizes if key not in hidden), key=lambda key: (sizes[key], str(key))
        ):
            if hidden_people >= MIN_GROUP_SIZE:
                break
            hidden[key] = PROTECTS_SMALLER
            hidden_people += sizes[key]
    return hidden


def shown_population(scope: Scope, by_zone: dict[tuple, list[int]]) -> tuple[dict, str | None]:
    """Cells (department, job level, region) of the population, or why it (a department) may not be shown."""
    if scope.department_id is not None:
        sizes: dict = defaultdict(int)
        for (dept, _level, _zone), (employees, _participants) in by_zone.items():
            sizes[dept] += employees
        if not sizes.get(scope.department_id):
            return {}, FEWER_THAN_5
        reason = protect(dict(sizes)).get(scope.department_id)
        if reason:
            return {}, reason
        by_zone = {key: value for key, value in by_zone.items() if key[0] == scope.department_id}
    cells: dict[tuple, Cell] = defaultdict(Cell)
    for (dept, level, zone), (employees, participants) in by_zone.items():
        cell = cells[dept, level or "", region_of(zone)]
        cell.employees += employees
        cell.participants += participants
    if sum(cell.employees for cell in cells.values()) < MIN_GROUP_SIZE:
        return {}, FEWER_THAN_5
    return cells, None


@dataclass
class Dimension(Generic[GroupKey]):
    name: str
    key_of: Callable[[CellKey], GroupKey]
    labels: dict[GroupKey, str]
    groups: dict[GroupKey, Cell] = field(default_factory=dict)
    hidden: dict[GroupKey, str] = field(default_factory=dict)  # key -> why it is hidden


def dimensions(
    cells: dict[tuple, Cell], departments: dict[int, str], department_id: int | None
) -> list[Dimension[Any]]:
    """Sums the cells into departments, job levels and regions, and decides which groups to hide."""
    found: list[Dimension[Any]] = []
    if department_id is None:
        found.append(Dimension("department", lambda key: key[0], {**departments, None: NO_DEPARTMENT}))
    found += [
        Dimension(
            "job_level",
            lambda key: key[1],
            {**{value: str(label) for value, label in JobLevel.choices}, "": NO_LEVEL},
        ),
        Dimension("region", lambda key: key[2], REGIONS),
    ]
    for dimension in found:
        for key, cell in cells.items():
            dimension.groups.setdefault(dimension.key_of(key), Cell()).add(cell)
        # Only people make a group (the requests of people who have left make none).
        dimension.groups = {key: cell for key, cell in dimension.groups.items() if cell.employees}
        dimension.hidden = protect({key: cell.employees for key, cell in dimension.groups.items()})
    return found


# Who each rate or average comes from (insights.models.PEOPLE_BASES): fewer than 5 of them, it is withheld.
FIGURE_BASIS = {
    "avg_rating": "raters",
    "helpful_rate": "raters",
    "unblocked_rate": "answered",
    "partly_unblocked_rate": "answered",
    "cross_department_share": "mentees",
    "no_show_rate": "booked",
    "cancellation_rate": "booked",
    "served_before_deadline_rate": "deciders",
    "median_hours_to_help": "waiters",
    "group_fill_rate": "group_hosts",
    "waitlist_conversion_rate": "group_waiters",
}


def withhold(
    figures: dict, people: Callable[[str], int], *, extra: dict[str, int] | None = None
) -> list[str]:
    """Sets to None each rate of `figures` that comes from fewer than 5 people; returns their names.

    `people(basis)` counts the distinct people of a basis; `extra` gives the people of other figures
    (mentor_utilization: the mentors offering time).
    """
    withheld = []
    sizes = {name: people(basis) for name, basis in FIGURE_BASIS.items() if name in figures}
    sizes.update({name: size for name, size in (extra or {}).items() if name in figures})
    for name, size in sizes.items():
        if size < MIN_PEOPLE_BEHIND_A_RATE:
            figures[name] = None
            if size:
                withheld.append(name)
    return withheld
