"""Medians of time to help, live: a median cannot be added up from weeks."""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection

from insights.models import RequestWait, WeekTimeToHelp
from insights.selectors.figures import hours
from insights.selectors.scope import Scope, as_date, in_weeks
from insights.selectors.sql import fetch, on_postgres

# GROUPING(department, level, region) of each grouping set: 1 marks a column not grouped by.
_SETS = {0b111: "total", 0b011: "department", 0b101: "job_level", 0b110: "region"}


@dataclass
class Medians:
    total: float | None = None
    weekly: dict = field(default_factory=dict)  # week -> hours
    groups: dict = field(default_factory=dict)  # (dimension, key) -> hours


def median_hours_to_help(scope: Scope, shown: dict[str, set]) -> Medians:
    """Median hours to help over the range, overall and per shown group, and per week: two queries.

    From the summary tables, which keep every booked request's wait with its asker's cell (a median cannot be
    added up from weekly figures). PostgreSQL takes the medians in one GROUPING SETS query; SQLite has no
    percentile, so there the waits come back as one narrow list and Python takes them.
    """
    medians = Medians()
    weekly = WeekTimeToHelp.objects.filter(week__gte=scope.start, week__lte=scope.last_week)
    if scope.department_id is None:
        weekly = weekly.filter(everyone=True)
    else:
        weekly = weekly.filter(everyone=False, department_id=scope.department_id)
    medians.weekly = {
        as_date(week): hours(median) for week, median in weekly.values_list("week", "median_hours")
    }
    waits = in_weeks(RequestWait.objects.all(), scope).values("department_id", "job_level", "region", "hours")
    if on_postgres():
        sql, params = waits.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT GROUPING(department_id, job_level, region), department_id, job_level, region, "
                "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY hours) "
                f"FROM ({sql}) AS waits GROUP BY GROUPING SETS ((), (department_id), (job_level), (region))",
                params,
            )
            rows = cursor.fetchall()
        for grouping, dept, level, region, median in rows:
            kind = _SETS[grouping]
            if kind == "total":
                medians.total = hours(median)
                continue
            key = {"department": dept, "job_level": level, "region": region}[kind]
            if key in shown.get(kind, ()):
                medians.groups[kind, key] = hours(median)
        return medians
    found: dict = defaultdict(list)
    for dept, level, region, wait in fetch(
        waits.values_list("department_id", "job_level", "region", "hours")
    ):
        found["total"].append(wait)
        for kind, key in (("department", dept), ("job_level", level), ("region", region)):
            if key in shown.get(kind, ()):
                found[kind, key].append(wait)
    medians.total = hours(statistics.median(found.pop("total"))) if found.get("total") else None
    medians.groups = {key: hours(statistics.median(values)) for key, values in found.items()}
    return medians
