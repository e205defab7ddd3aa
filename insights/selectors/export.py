"""The CSV export: the weekly figures, overall and per department, hidden where the summary hides them."""

from collections import defaultdict
from datetime import datetime

from django.db.models import Sum

from insights.models import WeekCell, WeekParticipants, WeekTimeToHelp
from insights.selectors.figures import hours, rate
from insights.selectors.people import counter, people_bitmaps
from insights.selectors.population import employees, mask
from insights.selectors.privacy import FEWER_THAN_5, withhold
from insights.selectors.scope import Scope, as_date
from insights.selectors.summary import WEEK_SUMS, group_figures, summary

EXPORT_COLUMNS = (
    "week_start",
    "department",
    "employees",
    "participants",
    "participation_rate",
    "sessions_held",
    "minutes_held",
    "no_shows",
    "cancellations",
    "requests",
    "median_hours_to_help",
    "follow_ups",
    "unblocked_rate",
    "moments_logged",
    "group_sessions_held",
    "group_seats_filled",
    "group_fill_rate",
    "group_attendees",
    "waitlist_conversions",
    "waitlist_conversion_rate",
)
# The group sessions' columns, named as in the summary (insights.selectors.summary.group_figures).
GROUP_COLUMNS = EXPORT_COLUMNS[EXPORT_COLUMNS.index("group_sessions_held") :]


# A department's CSV row takes the week's sums except sessions booked (it has no cancellation rate).
DEPARTMENT_WEEK_SUMS = tuple(name for name in WEEK_SUMS if name != "scheduled")


def _weekly_by_department(scope: Scope, departments: dict[int, list[int]]) -> dict[tuple, dict]:
    """Per (week, shown department): its people's sessions, participants, requests and median: 3 queries."""
    found: dict[tuple, dict] = defaultdict(dict)
    rows = (
        WeekCell.objects.filter(
            week__gte=scope.start, week__lte=scope.last_week, department_id__in=list(departments)
        )
        .values_list("week", "department_id")
        .annotate(*(Sum(name) for name in DEPARTMENT_WEEK_SUMS))
        .order_by()
    )
    for week, dept, *values in rows:
        sums = dict(zip(DEPARTMENT_WEEK_SUMS, (value or 0 for value in values), strict=True))
        found[as_date(week), dept].update(
            sessions_held=sums["held"],
            minutes_held=sums["minutes"],
            no_shows=sums["no_shows"],
            cancellations=sums["cancelled"],
            requests=sums["requests"],
            follow_ups=sums["followed_up"],
            unblocked_rate=rate(sums["unblocked"], sums["followed_up"]),
            moments_logged=sums["moments"],
            **{column: value for column, value in group_figures(sums, 0).items() if column in GROUP_COLUMNS},
        )
    masks = {dept: mask(members) for dept, members in departments.items()}
    for week, people in WeekParticipants.objects.filter(
        week__gte=scope.start, week__lte=scope.last_week
    ).values_list("week", "people"):
        value = int.from_bytes(bytes(people), "little")
        for dept, members in masks.items():
            found[as_date(week), dept]["participants"] = (value & members).bit_count()
    for week, dept, median in WeekTimeToHelp.objects.filter(
        week__gte=scope.start, week__lte=scope.last_week, everyone=False, department_id__in=list(departments)
    ).values_list("week", "department_id", "median_hours"):
        found[as_date(week), dept]["median_hours_to_help"] = hours(median)
    behind = people_bitmaps(scope)
    for (week, dept), figures in found.items():
        week_people = {basis: {week: by_week[week]} for basis, by_week in behind.items() if week in by_week}
        figures["group_attendees"] = counter(week_people, masks[dept])("group_attendees")
        figures.update(dict.fromkeys(withhold(figures, counter(week_people, masks[dept])), FEWER_THAN_5))
    return found


def export_rows(scope: Scope, *, now: datetime) -> list[dict]:
    """The weekly figures as CSV rows: one per week for the scope, then one per week per department.

    A department hidden by the privacy rule gets rows whose figures all read "fewer than 5" (or why else it
    is hidden); a department filter that leaves fewer than 5 people makes every figure read so.
    """
    report = summary(scope, now=now)
    overall = report["department"]["name"] if report["department"] else "All departments"
    if report["suppressed"]:
        hidden = dict.fromkeys(EXPORT_COLUMNS[2:], report["suppressed"])
        return [{"week_start": week, "department": overall, **hidden} for week in scope.week_starts()]
    rows = [
        {
            "week_start": week["week_start"],
            "department": overall,
            "employees": report["employees"],
            "participants": week["participants"],
            "participation_rate": rate(week["participants"], report["employees"]),
            "sessions_held": week["sessions"],
            "minutes_held": week["minutes"],
            "no_shows": week["no_shows"],
            "cancellations": week["cancellations"],
            "requests": week["requests"],
            "median_hours_to_help": week["median_hours_to_help"],
            "follow_ups": week["follow_ups"],
            "unblocked_rate": week["unblocked_rate"],
            "moments_logged": week["moments_logged"],
            **{column: week[column] for column in GROUP_COLUMNS},
            **dict.fromkeys(week["withheld"], FEWER_THAN_5),
        }
        for week in report["weekly"]
    ]
    if scope.department_id is not None:
        return rows
    groups = [group for group in report["equity"]["department"] if group["key"] is not None]
    shown = [group["key"] for group in groups if not group["suppressed"]]
    members: dict[int, list[int]] = {dept: [] for dept in shown}
    if shown:
        for person, dept in (
            employees(scope).filter(department_id__in=shown).values_list("pk", "department_id")
        ):
            members[dept].append(person)
    by_department = _weekly_by_department(scope, members) if shown else {}
    for group in groups:
        for week in scope.week_starts():
            if group["suppressed"]:
                hidden = dict.fromkeys(EXPORT_COLUMNS[2:], group["suppressed"])
                rows.append({"week_start": week, "department": group["label"], **hidden})
                continue
            figures = by_department.get((week, group["key"]), {})
            participants = figures.get("participants", 0)
            rows.append(
                {
                    "week_start": week,
                    "department": group["label"],
                    "employees": group["employees"],
                    "participants": participants,
                    "participation_rate": rate(participants, group["employees"]),
                    "sessions_held": figures.get("sessions_held", 0),
                    "minutes_held": figures.get("minutes_held", 0),
                    "no_shows": figures.get("no_shows", 0),
                    "cancellations": figures.get("cancellations", 0),
                    "requests": figures.get("requests", 0),
                    "median_hours_to_help": figures.get("median_hours_to_help"),
                    "follow_ups": figures.get("follow_ups", 0),
                    "unblocked_rate": figures.get("unblocked_rate"),
                    "moments_logged": figures.get("moments_logged", 0),
                    **{
                        column: figures.get(column, None if column.endswith("_rate") else 0)
                        for column in GROUP_COLUMNS
                    },
                }
            )
    return rows
