"""Pages of insights: the HR dashboard (/insights/) and a mentor's own impact (/me/impact/)."""

from datetime import date
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from insights import charts, rollups, tasks
from insights.forms import InsightsFilterForm
from insights.selectors.definitions import DEFINITIONS
from insights.selectors.impact import mentor_impact
from insights.selectors.summary import refreshed_at, summary
from insights.templatetags.insights import hours, insights_label, number, percent, rating
from marketplace.models import VIEW_INSIGHTS_PERMISSION


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(VIEW_INSIGHTS_PERMISSION):
        raise PermissionDenied(gettext("Only HR admins can see insights."))
    form = InsightsFilterForm(request.GET)
    context: dict = {"form": form}
    status = 200
    if form.is_valid():
        scope = form.scope()
        now = timezone.now()
        tasks.refresh_if_stale(now=now)
        if refreshed_at() is None:
            # A new deployment: the first refresh is queued, and figures read now would all be zeros.
            context["computing"] = True
            return render(request, "insights/dashboard.html", context)
        report = summary(scope, now=now)
        current_week = rollups.week_start(now)
        figures = [] if report["suppressed"] else headline_figures(report)
        query: dict[str, date | int] = {"start": scope.start, "end": scope.end}
        if scope.department_id:
            query["department"] = scope.department_id
        context.update(
            {
                # Shown with the dates actually used, which the defaults may have filled in.
                "form": InsightsFilterForm(
                    initial={"start": scope.start, "end": scope.end, "department": scope.department_id}
                ),
                "report": report,
                "charts": charts.chart_data(report, current_week=current_week),
                "current_week": current_week,
                "figures": figures,
                # Below the charts: the definitions the headline cards do not already show.
                "definitions": [
                    (DEFINITION_LABELS[key], text)
                    for key, text in DEFINITIONS.items()
                    if key not in {figure["key"] for figure in figures}
                ],
                "export_url": _export_url(query),
            }
        )
    else:
        status = 400
    return render(request, "insights/dashboard.html", context, status=status)


@login_required
def impact(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:  # login_required lets no one else in
        raise PermissionDenied
    record = mentor_impact(user.pk, now=timezone.now())
    return render(request, "insights/impact.html", {"record": record})


DEFINITION_LABELS = {
    "employees": _("Employees"),
    "participants": _("Participants"),
    "participation_rate": _("Participation rate"),
    "sessions_held": _("Sessions held"),
    "minutes_held": _("Minutes held"),
    "active_mentors": _("Active mentors"),
    "mentor_utilization": _("Mentor utilisation"),
    "median_hours_to_help": _("Median time to help"),
    "served_before_deadline_rate": _("Served before the deadline"),
    "requests": _("Requests"),
    "avg_rating": _("Average rating"),
    "helpful_rate": _("Helped"),
    "no_show_rate": _("No-shows"),
    "cancellation_rate": _("Cancellations"),
    "cross_department_share": _("Across departments"),
    "unblocked_rate": _("Unblocked after a week"),
    "partly_unblocked_rate": _("Partly unblocked"),
    "follow_ups": _("One-week follow-ups"),
    "moments_logged": _("Moments logged"),
    "group_sessions_held": _("Group sessions held"),
    "group_seats_filled": _("Group-session seats filled"),
    "group_fill_rate": _("Group-session fill rate"),
    "group_attendees": _("Group-session attendees"),
    "waitlist_conversions": _("Seated from a waiting list"),
    "waitlist_conversion_rate": _("Waiting-list conversion"),
    "mentors_carrying_half": _("Mentors carrying half"),
    "weekly": _("Per week"),
    "skills": _("Skill demand and supply"),
    "equity": _("Access equity"),
}


def headline_figures(report: dict) -> list[dict]:
    """The headline cards: label, formatted value, a note with the counts behind it, and the definition."""
    spread = report["load_spread"]

    def figure(key: str, value: str, note: str = "", *, suppressed: bool = False) -> dict:
        if key in report.get("withheld", ()):
            value, suppressed = gettext("fewer than 5"), True
        return {
            "key": key,
            "label": DEFINITION_LABELS[key],
            "value": value,
            "note": note,
            "definition": DEFINITIONS[key],
            "suppressed": suppressed,
        }

    if spread.get("suppressed"):
        carrying = figure(
            "mentors_carrying_half",
            insights_label(spread["suppressed"]),
            gettext("too few active mentors to show"),
            suppressed=True,
        )
    else:
        carrying = figure(
            "mentors_carrying_half",
            number(spread["mentors_carrying_half"]),
            gettext("%(share)s of active mentors")
            % {"share": percent(spread["share_of_mentors_carrying_half"])},
        )
    return [
        figure(
            "participation_rate",
            percent(report["participation_rate"]),
            gettext("%(participants)s of %(employees)s employees took part")
            % {"participants": number(report["participants"]), "employees": number(report["employees"])},
        ),
        figure(
            "sessions_held",
            number(report["sessions_held"]),
            gettext("%(minutes)s minutes") % {"minutes": number(report["minutes_held"])},
        ),
        figure(
            "median_hours_to_help",
            hours(report["median_hours_to_help"]),
            gettext("%(requests)s requests made") % {"requests": number(report["requests"])},
        ),
        figure(
            "served_before_deadline_rate",
            percent(report["served_before_deadline_rate"]),
            gettext("of %(requests)s requests booked or past their deadline")
            % {"requests": number(report["decided_requests"])},
        ),
        figure(
            "active_mentors",
            number(report["active_mentors"]),
            gettext("%(mentors)s offer time now") % {"mentors": number(report["offering_mentors"])},
        ),
        figure(
            "mentor_utilization",
            percent(report["mentor_utilization"]),
            gettext("%(booked)s of %(offered)s minutes offered")
            % {"booked": number(report["booked_minutes"]), "offered": number(report["offered_minutes"])},
        ),
        figure(
            "avg_rating",
            rating(report["avg_rating"]),
            gettext("from %(ratings)s mentees' ratings") % {"ratings": number(report["ratings"])},
        ),
        figure(
            "helpful_rate",
            percent(report["helpful_rate"]),
            gettext("of %(ratings)s mentees said so") % {"ratings": number(report["ratings"])},
        ),
        figure(
            "unblocked_rate",
            percent(report["unblocked_rate"]),
            gettext("%(partly)s partly, of %(answers)s mentees who answered")
            % {"partly": percent(report["partly_unblocked_rate"]), "answers": number(report["follow_ups"])}
            if report["follow_ups"]
            else gettext("no one-week answers yet"),
        ),
        figure("no_show_rate", percent(report["no_show_rate"], 1)),
        figure("cancellation_rate", percent(report["cancellation_rate"], 1)),
        figure(
            "cross_department_share", percent(report["cross_department_share"]), gettext("of sessions held")
        ),
        figure(
            "moments_logged",
            number(report["moments_logged"]),
            gettext("tips, encouragement and introductions"),
        ),
        carrying,
        figure(
            "group_sessions_held",
            number(report["group_sessions_held"]),
            gettext("%(seats)s seats offered") % {"seats": number(report["group_seats_offered"])},
        ),
        figure(
            "group_fill_rate",
            percent(report["group_fill_rate"]),
            gettext("%(seats)s seats filled") % {"seats": number(report["group_seats_filled"])},
        ),
        figure(
            "group_attendees",
            number(report["group_attendees"]),
            gettext("people who took a seat in a group session"),
        ),
        figure("waitlist_conversions", number(report["waitlist_conversions"]), _conversion_note(report)),
    ]


def _conversion_note(report: dict) -> str:
    if "waitlist_conversion_rate" in report["withheld"]:
        return gettext("share not shown: fewer than 5 people waited")
    if report["waitlist_conversion_rate"] is None:
        return gettext("nobody waited for a seat")
    return gettext("%(rate)s of places on waiting lists") % {
        "rate": percent(report["waitlist_conversion_rate"])
    }


def _export_url(query: dict[str, date | int]) -> str | None:
    try:
        return f"{reverse('api-insights-export')}?{urlencode(query)}"
    except NoReverseMatch:  # the API is not wired in this deployment's URLs
        return None
