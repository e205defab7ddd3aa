"""The dashboard's charts as plain data for Chart.js (static/js/insights.js); the tables show the same."""

from datetime import date

from django.utils.dateformat import format as date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _

from insights.selectors.mentors import skill_gaps

TOP_SKILLS = 12
# static/js/insights.js shows these in the reader's language: chart_data sends each English text with its
# translation ("words").
CHART_WORDS = (
    _("Sessions held"),
    _("Participants"),
    _("Median hours to help"),
    _("Requests made"),
    _("hours"),
    _("requests"),
    _("Requests"),
    _("Without a session"),
    _("Mentors offering"),
    _("Share of sessions held (%)"),
)


def _week_label(week: date, current_week: date | None) -> str:
    label = date_format(week, gettext("j M"))
    return gettext("%(week)s (so far)") % {"week": label} if week == current_week else label


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
        "words": {word: gettext(word) for word in CHART_WORDS},
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
        return gettext("Busiest %(percent)s%%") % {"percent": row["to_percent"]}
    return f"{row['from_percent']}–{row['to_percent']}%"
