"""What HR asked for (whole ISO weeks, perhaps one department), and the weeks of the tables it covers."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import QuerySet

from insights.rollups import monday


@dataclass(frozen=True)
class Scope:
    """What HR asked for, widened to whole ISO weeks: Monday of `start` to Sunday of `end`, in UTC."""

    start: date
    end: date
    department_id: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", monday(self.start))
        object.__setattr__(self, "end", monday(self.end) + timedelta(days=6))

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=UTC)

    @property
    def until(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UTC)

    @property
    def last_week(self) -> date:
        return self.end - timedelta(days=6)

    @property
    def weeks(self) -> int:
        return (self.end - self.start).days // 7 + 1

    def week_starts(self) -> list[date]:
        return [self.start + timedelta(weeks=n) for n in range(self.weeks)]


def in_weeks(queryset: QuerySet, scope: Scope) -> QuerySet:
    """The rows of a summary table for the weeks of the scope (and its department, if chosen)."""
    rows = queryset.filter(week__gte=scope.start, week__lte=scope.last_week)
    if scope.department_id is not None:
        rows = rows.filter(department_id=scope.department_id)
    return rows


def as_date(value) -> date:
    """A week bucket as a date, whatever the backend returned (aware or naive datetime, date, or text)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
