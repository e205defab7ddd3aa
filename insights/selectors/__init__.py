"""Every figure of the HR insights (issue 8), read-only: one module per subject; import from the module.

    scope        the range (whole ISO weeks, UTC) and the department asked for
    definitions  the one-line definition of each figure
    privacy      which groups of people may be shown: fewer than 5 never, complementary suppression
    population   people and their groups (cells): headcounts, participants, the cells' sums
    medians      median hours to help (live: a median cannot be added up from weeks)
    mentors      mentors' load, the minutes they offer, and skills in demand and on offer
    summary      every figure of the dashboard and the summary API for a range and department
    export       the CSV export: the weekly figures, overall and per department
    impact       a mentor's own record (/me/impact/)
    figures, sql how rates and hours are rounded; which database, and rows without Django's per-row work

Where the figures come from: the weekly summary tables (insights.models, rebuilt by insights.rollups every few
minutes) hold the additive counts per ISO week and group of people, and a bitmap per week of who took part;
the medians of time to help and the load per mentor are aggregated live, in SQL, over indexed columns. The
cost of a summary is thus a dozen queries over a few hundred rows per week of the range, plus two scans of
the range's requests and sessions, whatever the number of sessions in the database.

Conventions: a range is whole ISO weeks, Monday to Sunday in UTC (dates given are widened to whole weeks);
rates are fractions from 0 to 1; a figure with nothing to divide by is None. With a department filter,
session figures are the help its people received (as mentees), mentor figures are about its mentors, and
participants are its people in either role.
"""
