"""SQL aggregates insights needs that Django does not ship."""

from django.db.models import Aggregate


class Median(Aggregate):
    """PostgreSQL's percentile_cont(0.5): the median, interpolated, computed in the database.

    SQLite has no percentile function: callers compute medians in Python there.
    """

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
