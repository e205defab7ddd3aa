"""The dashboard's charts as plain data for Chart.js (static/js/insights.js); the tables show the same."""

from datetime import date

from insights.selectors.mentors import skill_gaps

TOP_SKILLS = 12


def _week_label(week: date, current_week: date | None) -> str:
    label = f"{week.day} {week:%b}"
    return f"{label} (so far)" if week == current_week else label


def chart_data(report: dict, *, current_week: date | None = None) -> dict:
    """Labels and series of the four charts, or an empty dict when the population is not shown.

    `current_week` (its Monday) is labelled "so far": its dip is a week still under way, not a fall.
    """
    if report.get("suppressed"):
        return {}
    weeks = report["weekly"]
    skills = report["skills"][:TOP_SKILLS]
    spread = report["load_spread"]
    return {
        "weekly": {
            "labels": [_week_label(week["week_start"], current_week) for week in weeks],
            "sessions": [week["sessions"] for week in weeks],
            "participants": [week["participants"] for week in weeks],
        },
        "time_to_help": {
            "labels": [_week_label(week["week_start"], current_week) for week in weeks],
            "median_hours": [week["median_hours_to_help"] for week in weeks],
            "requests": [week["requests"] for week in weeks],
        },
        "skills": {
            "labels": [skill["name"] for skill in skills],
            "requested": [skill["requested"] for skill in skills],
            "unmet": [skill["unmet"] for skill in skills],
            "offered": [skill["offered"] for skill in skills],
            "gaps": [skill["name"] for skill in skill_gaps(report["skills"])],
        },
        "load": {
            "labels": [slice_label(row) for row in spread.get("slices", [])],
            "share": [round((row["share"] or 0) * 100, 1) for row in spread.get("slices", [])],
        },
    }


def slice_label(row: dict) -> str:
    if row["from_percent"] == 0:
        return f"Busiest {row['to_percent']}%"
    return f"{row['from_percent']}–{row['to_percent']}%"
