"""People and their groups: who is an employee, who took part, and the figures of each cell of people.

A cell is the people sharing one (department, job level, time-zone region). Its figures are its headcounts
(employees, participants) and one sum per count column of the summary table WeekCell, the one list of which is
insights.models.CellCounts. A cell is never shown on its own: insights.selectors.privacy decides which groups
of cells may be.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date

from django.db.models import BooleanField, Count, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL

from insights.models import CELL_COUNTS, CellCounts, WeekCell, WeekParticipants
from insights.selectors.scope import Scope, as_date, in_weeks
from insights.selectors.sql import fetch, on_postgres
from marketplace.models import User


@dataclass
class Cell(CellCounts):
    """Figures of the people sharing one (department, job level, region): never shown on their own."""

    employees: int = 0
    participants: int = 0

    def add(self, other: "Cell") -> None:
        for item in fields(self):
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))


def to_bytes(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8, "little")


def mask(people: Iterable[int]) -> int:
    bits = bytearray()
    for person in people:
        index = person >> 3
        if index >= len(bits):
            bits.extend(bytes(index + 1 - len(bits)))
        bits[index] |= 1 << (person & 7)
    return int.from_bytes(bits, "little")


def weekly_bitmaps(scope: Scope) -> tuple[int, dict[date, int]]:
    """Who took part in each week of the range (bitmaps of user ids), and in any of them: one query."""
    union, weeks = 0, {}
    for week, people in WeekParticipants.objects.filter(
        week__gte=scope.start, week__lte=scope.last_week
    ).values_list("week", "people"):
        weeks[as_date(week)] = value = int.from_bytes(bytes(people), "little")
        union |= value
    return union, weeks


def employees(scope: Scope) -> QuerySet:
    """The people who were here during the range: joined before its end, and active now or deactivated by
    provisioning after it began (a person who left still counts in the weeks they were there)."""
    return User.objects.filter(
        Q(is_active=True) | Q(provisioning__deactivated_at__gte=scope.since), date_joined__lt=scope.until
    ).order_by()


def population_cells(scope: Scope, took_part: int) -> dict[tuple, list[int]]:
    """[employees, participants] per (department, job level, time zone) of the whole company: one query.

    The whole company even with a department filter: whether a department may be shown depends on the sizes
    of the others (complementary suppression).
    """
    cells: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    if on_postgres():
        # PostgreSQL reads the bitmap itself: get_bit(bytea, n) counts from the lowest bit of the first byte,
        # as insights.rollups writes it. CASE keeps get_bit within the bitmap's length.
        bits = to_bytes(took_part)
        user_id = f'"{User._meta.db_table}"."id"'
        participated = RawSQL(
            f"CASE WHEN {user_id} < %s THEN get_bit(%s::bytea, {user_id}::int) = 1 ELSE false END",
            (len(bits) * 8, bits),
            output_field=BooleanField(),
        )
        for dept, level, zone, headcount, participants in (
            employees(scope)
            .values_list("department_id", "job_level", "timezone")
            .annotate(employees=Count("pk"), participants=Count("pk", filter=participated))
        ):
            cells[dept, level, zone] = [headcount, participants]
        return cells
    bits = to_bytes(took_part)
    for person, dept, level, zone in fetch(
        employees(scope).values_list("pk", "department_id", "job_level", "timezone")
    ):
        cell = cells[dept, level, zone]
        cell[0] += 1
        cell[1] += person >> 3 < len(bits) and bits[person >> 3] >> (person & 7) & 1
    return cells


def cell_sums(scope: Scope, cells: dict[tuple, Cell]) -> None:
    """Sessions received and requests made per cell over the range, from the summary tables: one query."""
    rows = (
        in_weeks(WeekCell.objects.all(), scope)
        .values_list("department_id", "job_level", "region")
        .annotate(*(Sum(name) for name in CELL_COUNTS))
        .order_by()
    )
    for dept, level, region, *sums in rows:
        cell = cells.setdefault((dept, level, region), Cell())
        cell.add(Cell(**dict(zip(CELL_COUNTS, (value or 0 for value in sums), strict=True))))
