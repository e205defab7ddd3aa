"""Weekly summary tables behind the HR insights: derived figures, never domain data.

Measured need (bench/bench_insights.py): with 1,000,000 past sessions, computing participation (distinct
people per week and per range) and the per-group sums live takes seconds for a year. These tables hold, per
ISO week (Monday, UTC), the additive counts per group of people and a bitmap of who took part, so a dashboard
reads a few hundred rows whatever the number of sessions. insights.rollups rebuilds them from bookings,
feedback, requests, moments and group sessions (insights.tasks: recent weeks every few minutes, everything
nightly); nothing else writes them, and deleting them loses nothing.

Groups are "cells": (department, job level, time-zone region) of the person, as at the last refresh.
Department ids are plain numbers, not foreign keys: a snapshot, not a relation.
"""

from dataclasses import dataclass, field, fields

from django.db import models


@dataclass
class CellCounts:
    """The additive figures of one cell of people: the one list of them.

    WeekCell has a count column per field, in this order (help texts included); the rollup counter
    (insights.rollups) and the selectors' Cell (insights.selectors.population) are these counts. A count added
    here needs only the rollup query that counts it, and a migration.
    """

    # Sessions whose mentee is in the cell, by the week of their start.
    scheduled: int = 0
    held: int = 0
    minutes: int = 0
    no_shows: int = 0
    cancelled: int = 0
    cross: int = field(default=0, metadata={"help_text": "held, mentor from another department"})
    rated: int = field(default=0, metadata={"help_text": "held, with the mentee's feedback"})
    rating_sum: int = 0
    helpful: int = 0
    followed_up: int = field(default=0, metadata={"help_text": "held, with the mentee's one-week answer"})
    unblocked: int = field(default=0, metadata={"help_text": "one-week answer: yes, it unblocked me"})
    partly_unblocked: int = field(default=0, metadata={"help_text": "one-week answer: partly"})
    # Requests whose asker is in the cell, by the week they were made.
    requests: int = 0
    booked: int = 0
    served: int = field(default=0, metadata={"help_text": "session over by the deadline"})
    decided: int = field(default=0, metadata={"help_text": "booked, or past the deadline at refresh"})
    # Informal moments whose author is in the cell, by the week they happened.
    moments: int = 0
    # Group sessions held (scheduled, ended by the refresh) by the week of their start: those hosted by
    # someone in the cell, and the seats people of the cell held in them.
    group_hosted: int = field(default=0, metadata={"help_text": "group sessions held, host in the cell"})
    group_seats_offered: int = field(default=0, metadata={"help_text": "their capacity"})
    group_seats_taken: int = field(default=0, metadata={"help_text": "their seats filled, by anyone"})
    group_seats: int = field(default=0, metadata={"help_text": "seats held by people of the cell"})
    group_from_waitlist: int = field(
        default=0, metadata={"help_text": "of those, given from the waiting list"}
    )
    group_waited: int = field(
        default=0, metadata={"help_text": "places people of the cell took on a waiting list"}
    )


class RollupState(models.Model):
    """One row: when the summary tables were last refreshed, and which weeks they cover."""

    refreshed_at = models.DateTimeField()
    first_week = models.DateField()
    last_week = models.DateField()
    full_refresh_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Insights as of {self.refreshed_at:%Y-%m-%d %H:%M} UTC"


class WeekCell(models.Model):
    """Additive figures of one week for one cell of people (sessions they received, requests they made).

    Its key columns, then one count column per field of CellCounts (added below the class).
    """

    week = models.DateField()
    department_id = models.BigIntegerField(null=True)
    job_level = models.CharField(max_length=20, blank=True)
    region = models.CharField(max_length=12)

    class Meta:
        indexes = [models.Index(fields=["week", "department_id"], name="insights_cell_by_week")]

    def __str__(self) -> str:
        return f"{self.week} {self.department_id}/{self.job_level}/{self.region}"


# WeekCell's count columns: one per field of CellCounts, in its order. Added while this module is imported,
# before anything reads the model, so Django (and the migrations) see them as if declared in the class body.
for _count in fields(CellCounts):
    WeekCell.add_to_class(
        _count.name, models.PositiveIntegerField(default=0, help_text=_count.metadata.get("help_text", ""))
    )
del _count

CELL_KEY = ("week", "department_id", "job_level", "region")
CELL_COUNTS = tuple(count.name for count in fields(CellCounts))


class WeekParticipants(models.Model):
    """Who took part in a held session in one week (either role): bit n of `people` is user id n."""

    week = models.DateField(primary_key=True)
    people = models.BinaryField()
    count = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.week}: {self.count} people"


class WeekSkill(models.Model):
    """Requests made in one week that asked for a skill, by the asker's department."""

    week = models.DateField()
    skill_id = models.BigIntegerField()
    department_id = models.BigIntegerField(null=True)
    requested = models.PositiveIntegerField(default=0)
    unmet = models.PositiveIntegerField(default=0, help_text="not booked at refresh")

    class Meta:
        indexes = [models.Index(fields=["week", "department_id"], name="insights_skill_by_week")]

    def __str__(self) -> str:
        return f"{self.week} skill {self.skill_id}: {self.requested}"


class WeekTimeToHelp(models.Model):
    """Median time to help of the requests made in one week, for everyone or one department's askers."""

    week = models.DateField()
    department_id = models.BigIntegerField(null=True, help_text="null: everyone")
    everyone = models.BooleanField(default=False)
    median_hours = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["week", "department_id"], name="insights_help_by_week")]

    def __str__(self) -> str:
        return f"{self.week} {self.department_id if not self.everyone else 'everyone'}: {self.median_hours} h"


class RequestWait(models.Model):
    """One booked request: how long its asker waited for help, and the asker's cell (for the medians)."""

    week = models.DateField(help_text="the week the request was made")
    department_id = models.BigIntegerField(null=True)
    job_level = models.CharField(max_length=20, blank=True)
    region = models.CharField(max_length=12)
    hours = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["week", "department_id"], name="insights_wait_by_week")]

    def __str__(self) -> str:
        return f"{self.week}: {self.hours:.1f} h"


class WeekPeople(models.Model):
    """Who a kind of figure of one week comes from: bit n of `people` is user id n.

    A rate or average is shown only when at least 5 distinct people make it up (insights.selectors.privacy):
    a count of events cannot tell, as one person can give many ratings. Kinds are PEOPLE_BASES.
    """

    week = models.DateField()
    basis = models.CharField(max_length=20)
    people = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["week", "basis"], name="insights_people_once")]

    def __str__(self) -> str:
        return f"{self.week} {self.basis}"


# Who each basis is, as the rollup writes it (insights.rollups._people).
PEOPLE_BASES = {
    "booked": "mentees of the sessions booked to start in the week (any status)",
    "mentees": "mentees of the sessions held",
    "raters": "mentees who gave feedback on a session held",
    "answered": "mentees who answered the one-week follow-up of a session held",
    "deciders": "askers of the requests made in the week that are decided (booked, or past their deadline)",
    "waiters": "askers of the requests made in the week that got a session",
    "group_hosts": "hosts of the group sessions held",
    "group_attendees": "people seated in the group sessions held",
    "group_waiters": "people who took a place on the waiting list of a group session held",
}
