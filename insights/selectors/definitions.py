"""One line per figure: shown under each figure on the page, and in the API as `definitions`."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

# Who each rate or average comes from (insights.selectors.privacy.FIGURE_BASIS): fewer than 5 of them, and it
# reads "fewer than 5" (null in the API), overall, per week and per group alike.
_FROM = {
    "avg_rating": _("the distinct mentees who rated"),
    "helpful_rate": _("the distinct mentees who rated"),
    "unblocked_rate": _("the distinct mentees who answered"),
    "partly_unblocked_rate": _("the distinct mentees who answered"),
    "cross_department_share": _("the distinct mentees of the sessions held"),
    "no_show_rate": _("the distinct mentees of the sessions booked"),
    "cancellation_rate": _("the distinct mentees of the sessions booked"),
    "served_before_deadline_rate": _("the distinct askers of the decided requests"),
    "median_hours_to_help": _("the distinct askers who got a session"),
    "mentor_utilization": _("the mentors offering time"),
    "group_fill_rate": _("the distinct hosts of the group sessions held"),
    "waitlist_conversion_rate": _("the distinct people who waited"),
}

DEFINITIONS = {
    "employees": _(
        "People who joined before the end of the range and whose account is active, or was deactivated "
        "after the range began."
    ),
    "participants": _(
        "Employees who took part in at least one held session in the range, as mentee or mentor."
    ),
    "participation_rate": _("Participants divided by employees."),
    "sessions_held": _(
        "Sessions marked completed whose start falls in the range (with a department: those its people "
        "received as mentees)."
    ),
    "minutes_held": _("Total booked length of the sessions held."),
    "active_mentors": _("Mentors (of the department, if chosen) who held at least one session in the range."),
    "mentor_utilization": _(
        "Minutes booked (confirmed, completed or no-show) with mentors accepting requests, divided by the "
        "minutes they offer: for each, the smaller of their weekly cap and their weekly blocks, times the "
        "weeks in the range (today's settings)."
    ),
    "median_hours_to_help": _(
        "For requests made in the range that got a session: the median time from the request to the "
        "session's start, in hours."
    ),
    "served_before_deadline_rate": _(
        "Requests made in the range whose session ended by their deadline, divided by those already "
        "decided (booked, or past their deadline)."
    ),
    "requests": _("Requests for help made in the range."),
    "avg_rating": _("Average rating (1 to 5) mentees gave to the sessions held."),
    "helpful_rate": _("Share of mentees' feedback on sessions held that answered “yes, this helped”."),
    "no_show_rate": _("No-shows divided by sessions that were due (held or no-show) in the range."),
    "cancellation_rate": _("Cancelled sessions divided by all sessions booked to start in the range."),
    "cross_department_share": _(
        "Share of sessions held where mentor and mentee work in different departments."
    ),
    "unblocked_rate": _(
        "Of the sessions held whose mentee answered the one-week follow-up, the share answering “yes, it "
        "unblocked me” (“partly” is counted apart; sessions by the week they started)."
    ),
    "partly_unblocked_rate": _("Of those one-week follow-up answers, the share answering “partly”."),
    "follow_ups": _("Mentees' answers to the one-week follow-up on the sessions held in the range."),
    "moments_logged": _(
        "Informal mentoring moments (a tip, an encouragement, an introduction) people logged as happening in "
        "the range (with a department: logged by its people)."
    ),
    "group_sessions_held": _(
        "Group sessions (office hours, AMAs, skill-shares) that took place, not cancelled, whose start falls "
        "in the range (with a department: those its people hosted)."
    ),
    "group_seats_filled": _(
        "Seats held in those group sessions when they took place (with a department: by its people)."
    ),
    "group_fill_rate": _(
        "Seats filled divided by seats offered (the capacity) in the group sessions held (with a department: "
        "those its people hosted)."
    ),
    "group_attendees": _("Distinct people who held a seat in a group session held in the range."),
    "waitlist_conversions": _(
        "Seats in group sessions held that went to someone from the waiting list, when a seat was given up "
        "or the capacity raised."
    ),
    "waitlist_conversion_rate": _(
        "Of the places taken on the waiting lists of the group sessions held, the share that ended in a seat."
    ),
    "mentors_carrying_half": _(
        "The fewest mentors who together held half of all sessions held, busiest first."
    ),
    "weekly": _(
        "Per ISO week (Monday, UTC): sessions held and distinct people who took part, in either role."
    ),
    "skills": _(
        "Per skill: requests made in the range that asked for it, and mentors accepting requests who offer "
        "it (whole company), with the minutes a week they have left after their bookings."
    ),
    "equity": _(
        "By department, job level and time-zone region: participation rate, median hours to help, requests "
        "served before the deadline, helpful rate and one-week unblocked rate of each group's people, and "
        "how many of them took a seat in a group session. Groups of fewer than 5 people are not shown."
    ),
}

for _figure, _people in _FROM.items():
    DEFINITIONS[_figure] = format_lazy(
        "{} {}",
        DEFINITIONS[_figure],
        format_lazy(_("Shown only when {people} are at least 5."), people=_people),
    )
del _figure, _people
