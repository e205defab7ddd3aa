"""Every figure of the dashboard and the summary API for a range and department, privacy rule applied.

Where the figures come from is told in insights.selectors; insights.selectors.privacy decides which groups
are hidden, and the hidden figures are dropped here.
"""

from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime

from django.db import connection, transaction
from django.db.models import Sum

from insights.models import RollupState, WeekCell
from insights.regions import region_of
from insights.selectors.definitions import DEFINITIONS
from insights.selectors.figures import rate
from insights.selectors.medians import Medians, median_hours_to_help
from insights.selectors.mentors import (
    gap_sentence,
    load_spread,
    mentor_capacity,
    mentor_loads,
    skill_demand,
    skill_gaps,
)
from insights.selectors.people import counter, people_bitmaps
from insights.selectors.population import Cell, cell_sums, employees, mask, population_cells, weekly_bitmaps
from insights.selectors.privacy import Dimension, dimensions, shown_population, withhold
from insights.selectors.scope import Scope, as_date, in_weeks
from insights.selectors.sql import on_postgres
from marketplace.models import Department

# Medians sort the range's requests several times: give them memory instead of temporary files.
POSTGRES_WORK_MEM = "64MB"

# Group sessions' figures: the same names at the top, in each week and in the CSV.
GROUP_FIGURES = (
    "group_sessions_held",
    "group_seats_offered",
    "group_seats_filled",
    "group_fill_rate",
    "group_attendees",
    "waitlist_conversions",
    "waitlist_conversion_rate",
)

FIGURES = (
    "employees",
    "participants",
    "participation_rate",
    "sessions_held",
    "minutes_held",
    "active_mentors",
    "mentor_utilization",
    "median_hours_to_help",
    "avg_rating",
    "helpful_rate",
    "no_show_rate",
    "cancellation_rate",
    "cross_department_share",
    "served_before_deadline_rate",
    "unblocked_rate",
    "partly_unblocked_rate",
    "follow_ups",
    "moments_logged",
    "requests",
    "decided_requests",
    "ratings",
    "offering_mentors",
    "offered_minutes",
    "booked_minutes",
    *GROUP_FIGURES,
)

WEEK_SUMS = (
    "scheduled",
    "held",
    "minutes",
    "no_shows",
    "cancelled",
    "requests",
    "followed_up",
    "unblocked",
    "moments",
    "group_hosted",
    "group_seats_offered",
    "group_seats_taken",
    "group_seats",
    "group_from_waitlist",
    "group_waited",
)


def _weekly_sums(scope: Scope) -> dict[date, dict]:
    """Per week: sessions booked, held, minutes, no-shows, cancellations, follow-ups, requests, moments."""
    rows = (
        in_weeks(WeekCell.objects.all(), scope)
        .values_list("week")
        .annotate(*(Sum(name) for name in WEEK_SUMS))
        .order_by()
    )
    return {
        as_date(week): dict(zip(WEEK_SUMS, (value or 0 for value in sums), strict=True))
        for week, *sums in rows
    }


def refreshed_at() -> datetime | None:
    """When the summary tables were last rebuilt (None: never)."""
    return RollupState.objects.values_list("refreshed_at", flat=True).first()


def summary(scope: Scope, *, now: datetime) -> dict:
    """Every figure of the dashboard for `scope`, with the privacy rule applied: 16 queries at most."""
    with transaction.atomic():
        if on_postgres():
            with connection.cursor() as cursor:
                # JIT compilation costs more than it saves on these short queries (measured: bench_insights).
                cursor.execute(f"SET LOCAL work_mem = '{POSTGRES_WORK_MEM}'; SET LOCAL jit = off")
        return _summary(scope, now=now)


def _summary(scope: Scope, *, now: datetime) -> dict:
    departments = dict(Department.objects.values_list("pk", "name"))
    department = None
    if scope.department_id is not None:
        department = {"id": scope.department_id, "name": departments.get(scope.department_id)}
    base = {
        "start": scope.start,
        "end": scope.end,
        "department": department,
        "as_of": refreshed_at(),
        "definitions": DEFINITIONS,
    }
    took_part, weeks = weekly_bitmaps(scope)
    by_zone = population_cells(scope, took_part)
    cells, reason = shown_population(scope, by_zone)
    if reason:
        return suppressed_summary(base, reason)
    members: int | None = None
    if scope.department_id is None:
        weekly_people = {week: value.bit_count() for week, value in weeks.items()}
    else:
        members = mask(
            employees(scope).filter(department_id=scope.department_id).values_list("pk", flat=True)
        )
        weekly_people = {week: (value & members).bit_count() for week, value in weeks.items()}
    behind = people_bitmaps(scope)
    cell_sums(scope, cells)
    breakdowns = dimensions(cells, departments, scope.department_id)
    shown = {dimension.name: set(dimension.groups) - set(dimension.hidden) for dimension in breakdowns}
    medians = median_hours_to_help(scope, shown)
    weekly_sums = _weekly_sums(scope)
    loads = mentor_loads(scope)
    mentors = mentor_capacity()
    skills = skill_demand(scope, loads, mentors)

    if scope.department_id is not None:
        own = {key for key, mentor in mentors.items() if mentor.department_id == scope.department_id}
        own_loads = {key: load for key, load in loads.items() if key in own}
    else:
        own, own_loads = set(mentors), loads
    offering = {key: mentors[key].weekly_minutes for key in own if mentors[key].weekly_minutes > 0}
    offered_minutes = sum(offering.values()) * scope.weeks
    booked_minutes = sum(load.booked_minutes for key, load in own_loads.items() if key in offering)
    spread = load_spread(own_loads)

    masks = group_masks(scope)
    totals = Cell()
    for cell in cells.values():
        totals.add(cell)
    sessions: dict = defaultdict(int)
    for row in weekly_sums.values():
        for name, value in row.items():
            sessions[name] += value
    weekly = []
    for week in scope.week_starts():
        row = weekly_sums.get(week, {})
        week_people = {basis: {week: found[week]} for basis, found in behind.items() if week in found}
        weekly.append(
            {
                "week_start": week,
                "sessions": row.get("held", 0),
                "participants": weekly_people.get(week, 0),
                "minutes": row.get("minutes", 0),
                "no_shows": row.get("no_shows", 0),
                "cancellations": row.get("cancelled", 0),
                "requests": row.get("requests", 0),
                "median_hours_to_help": medians.weekly.get(week),
                "follow_ups": row.get("followed_up", 0),
                "unblocked_rate": rate(row.get("unblocked"), row.get("followed_up")),
                "moments_logged": row.get("moments", 0),
                **group_figures(row, counter(week_people, members)("group_attendees")),
            }
        )
        weekly[-1]["withheld"] = withhold(weekly[-1], counter(week_people, members))

    report = {
        **base,
        "suppressed": None,
        "employees": totals.employees,
        "participants": totals.participants,
        "participation_rate": rate(totals.participants, totals.employees),
        "sessions_held": sessions["held"],
        "minutes_held": sessions["minutes"],
        "active_mentors": spread["active_mentors"],
        "mentor_utilization": rate(booked_minutes, offered_minutes),
        "median_hours_to_help": medians.total,
        # Exact: marketplace.ratings rounds it, for the page and for the API.
        "avg_rating": totals.rating_sum / totals.rated if totals.rated else None,
        "helpful_rate": rate(totals.helpful, totals.rated),
        "no_show_rate": rate(sessions["no_shows"], sessions["held"] + sessions["no_shows"]),
        "cancellation_rate": rate(sessions["cancelled"], sessions["scheduled"]),
        "cross_department_share": rate(totals.cross, totals.held),
        "served_before_deadline_rate": rate(totals.served, totals.decided),
        "unblocked_rate": rate(totals.unblocked, totals.followed_up),
        "partly_unblocked_rate": rate(totals.partly_unblocked, totals.followed_up),
        "follow_ups": totals.followed_up,
        "moments_logged": totals.moments,
        "requests": sessions["requests"],
        "decided_requests": totals.decided,
        "ratings": totals.rated,
        "offering_mentors": len(offering),
        "offered_minutes": offered_minutes,
        "booked_minutes": booked_minutes,
        **group_figures(sessions, counter(behind, members)("group_attendees")),
        "weekly": weekly,
        "skills": skills,
        "skill_gaps": [{**gap, "sentence": gap_sentence(gap)} for gap in skill_gaps(skills)],
        "load_spread": spread,
        "equity": {
            dimension.name: _equity_rows(dimension, medians, behind, masks[dimension.name])
            for dimension in breakdowns
        },
    }
    report["withheld"] = withhold(
        report, counter(behind, members), extra={"mentor_utilization": len(offering)}
    )
    return report


def group_figures(sums: Mapping[str, int], attendees: int) -> dict:
    """The group sessions' figures from a range's (or a week's) sums of WeekCell and its distinct attendees:
    sessions held by the scope's hosts and how full they were; seats its people held, and how many of them
    came from a waiting list."""
    return {
        "group_sessions_held": sums.get("group_hosted", 0),
        "group_seats_offered": sums.get("group_seats_offered", 0),
        "group_seats_filled": sums.get("group_seats", 0),
        "group_fill_rate": rate(sums.get("group_seats_taken"), sums.get("group_seats_offered")),
        "group_attendees": attendees,
        "waitlist_conversions": sums.get("group_from_waitlist", 0),
        "waitlist_conversion_rate": rate(sums.get("group_from_waitlist"), sums.get("group_waited")),
    }


def group_masks(scope: Scope) -> dict[str, dict]:
    """A bitmap of the employees of each department, job level and region: one query."""
    found: dict[str, dict] = {name: defaultdict(list) for name in ("department", "job_level", "region")}
    for person, dept, level, zone in employees(scope).values_list(
        "pk", "department_id", "job_level", "timezone"
    ):
        found["department"][dept].append(person)
        found["job_level"][level or ""].append(person)
        found["region"][region_of(zone)].append(person)
    return {name: {key: mask(people) for key, people in groups.items()} for name, groups in found.items()}


def _equity_rows(dimension: Dimension, medians: Medians, behind: dict, masks: dict) -> list[dict]:
    order = list(dimension.labels)
    rows: list[dict] = []
    for key in sorted(
        dimension.groups, key=lambda key: (order.index(key) if key in order else len(order), str(key))
    ):
        cell = dimension.groups[key]
        label = dimension.labels.get(key, str(key))
        reason = dimension.hidden.get(key)
        if reason:
            rows.append({"key": key, "label": label, "suppressed": reason})
            continue
        rows.append(
            {
                "key": key,
                "label": label,
                "suppressed": None,
                "employees": cell.employees,
                "participants": cell.participants,
                "participation_rate": rate(cell.participants, cell.employees),
                "requests": cell.requests,
                "median_hours_to_help": medians.groups.get((dimension.name, key)),
                "served_before_deadline_rate": rate(cell.served, cell.decided),
                "helpful_rate": rate(cell.helpful, cell.rated),
                "unblocked_rate": rate(cell.unblocked, cell.followed_up),
                "group_attendees": counter(behind, masks.get(key, 0))("group_attendees"),
                "group_seats_filled": cell.group_seats,
                "waitlist_conversions": cell.group_from_waitlist,
            }
        )
        rows[-1]["withheld"] = withhold(rows[-1], counter(behind, masks.get(key, 0)))
    return rows


def suppressed_summary(base: dict, reason: str) -> dict:
    """The shape of a summary whose population is too small to show: every figure withheld."""
    return {
        **base,
        "suppressed": reason,
        **dict.fromkeys(FIGURES),
        "withheld": [],
        "weekly": [],
        "skills": [],
        "skill_gaps": [],
        "load_spread": {
            "active_mentors": None,
            "mentors_carrying_half": None,
            "share_of_mentors_carrying_half": None,
            "slices": [],
            "suppressed": reason,
        },
        "equity": {},
    }
