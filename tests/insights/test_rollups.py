"""The weekly summary tables: rebuilt from the domain data, recent weeks often, everything on demand."""

from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import PositiveIntegerField, Q, Sum

from groups.models import GroupSession, Seat
from groups.services.sessions import create_group_session
from insights import rollups, tasks
from insights.models import (
    CELL_COUNTS,
    CELL_KEY,
    CellCounts,
    RollupState,
    WeekCell,
    WeekParticipants,
    WeekTimeToHelp,
)
from insights.selectors.export import export_rows
from insights.selectors.figures import rate
from insights.selectors.scope import Scope
from insights.selectors.summary import GROUP_FIGURES, summary
from sessions_app.models import Booking
from tests.factories import BookingFactory, MentorFactory
from tests.insights.conftest import NOW, W0, W1, W2, at


def held_in(week) -> int:
    return sum(WeekCell.objects.filter(week=week).values_list("held", flat=True))


def test_a_cell_row_is_its_key_then_counts_that_every_reader_sums():
    columns = {field.name: field for field in WeekCell._meta.local_fields if not field.primary_key}

    assert list(columns) == [*CELL_KEY, *CELL_COUNTS]
    for count in fields(CellCounts):
        column = columns[count.name]
        assert isinstance(column, PositiveIntegerField), count.name
        assert column.default == 0, count.name
        assert column.help_text == count.metadata.get("help_text", ""), count.name


def test_a_full_refresh_covers_every_week_with_data(org):
    state = RollupState.objects.get()

    assert state.first_week == W0  # b0, the earliest session
    assert state.last_week == rollups.week_start(NOW) + timedelta(weeks=rollups.REFRESH_WEEKS_AHEAD)
    assert [held_in(week) for week in (W0, W1, W2)] == [1, 2, 2]
    participants = WeekParticipants.objects.get(week=W1)
    assert participants.count == 3  # m1 e1 s1
    assert bytes(participants.people)[org.e1.pk >> 3] >> (org.e1.pk & 7) & 1
    assert WeekTimeToHelp.objects.get(week=W1, everyone=True).median_hours == 12.0


def test_refreshing_twice_changes_nothing(org):
    before = sorted(
        WeekCell.objects.values_list("week", "department_id", "job_level", "region", "held", "requests")
    )

    rollups.refresh(now=NOW)
    rollups.refresh(now=NOW, full=True)

    after = sorted(
        WeekCell.objects.values_list("week", "department_id", "job_level", "region", "held", "requests")
    )
    assert after == before


def test_a_recent_refresh_sees_new_sessions_and_keeps_older_weeks(org):
    BookingFactory(mentor=org.m1, mentee=org.e4, start=at(W2, 4, 9), status=Booking.Status.COMPLETED)
    Booking.objects.filter(pk=org.bookings["b0"].pk).update(status=Booking.Status.NO_SHOW)

    # Six weeks on, the recent weeks start the week after W0: W2 is recomputed, W0 is not.
    later = NOW + timedelta(weeks=rollups.REFRESH_WEEKS_BACK - 2)
    assert rollups.week_start(later) - timedelta(weeks=rollups.REFRESH_WEEKS_BACK) == W1
    rollups.refresh(now=later)

    assert held_in(W2) == 3  # within the recent weeks: recomputed
    assert held_in(W0) == 1  # older: kept as it was until the nightly full refresh
    rollups.refresh(now=NOW, full=True)
    assert held_in(W0) == 0


def test_a_stale_dashboard_asks_for_a_refresh_and_a_fresh_one_does_not(
    org, django_capture_on_commit_callbacks
):
    RollupState.objects.update(refreshed_at=NOW - timedelta(minutes=5))
    tasks.refresh_if_stale(now=NOW)
    assert RollupState.objects.get().refreshed_at == NOW - timedelta(minutes=5)

    RollupState.objects.update(refreshed_at=NOW - timedelta(minutes=11))
    tasks.refresh_if_stale(now=NOW)  # Celery runs in-process in tests
    assert RollupState.objects.get().refreshed_at == NOW


def test_the_first_dashboard_builds_the_tables(db, frozen_now):
    assert RollupState.objects.count() == 0

    tasks.refresh_if_stale(now=NOW)

    assert RollupState.objects.get().full_refresh_at == NOW


def test_a_broker_outage_does_not_break_the_dashboard(db, frozen_now, monkeypatch):
    def unreachable(**kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.refresh_insights, "delay", unreachable)

    tasks.refresh_if_stale(now=NOW)  # logs, does not raise

    assert RollupState.objects.count() == 0


@pytest.mark.parametrize("full", [False, True])
def test_the_task_refreshes(org, full):
    assert tasks.refresh_insights.delay(full=full) is not None
    assert RollupState.objects.get().refreshed_at == NOW


GROUP_NOW = datetime(2026, 12, 3, 13, 10, tzinfo=UTC)  # a Thursday afternoon, some sessions just held


def live_group_figures(scope: Scope, now: datetime, department_id: int | None) -> dict:
    """The group sessions' figures computed from the seats themselves, without the summary tables."""
    held = GroupSession.objects.filter(
        status__in=["scheduled", "completed"], end__lte=now, start__gte=scope.since, start__lt=scope.until
    )
    hosted = held if department_id is None else held.filter(host__department_id=department_id)
    seats = Seat.objects.filter(session__in=held).exclude(status="host")  # the host's place is no seat
    if department_id is not None:
        seats = seats.filter(person__department_id=department_id)
    seated = seats.filter(status="seated")
    offered = hosted.aggregate(total=Sum("capacity"))["total"] or 0
    waited = seats.filter(Q(from_waitlist=True) | Q(seated_at__isnull=True)).count()
    conversions = seated.filter(from_waitlist=True).count()
    return {
        "group_sessions_held": hosted.count(),
        "group_seats_offered": offered,
        "group_seats_filled": seated.count(),
        "group_fill_rate": rate(Seat.objects.filter(session__in=hosted, status="seated").count(), offered),
        "group_attendees": seated.values("person").distinct().count(),
        "waitlist_conversions": conversions,
        "waitlist_conversion_rate": rate(conversions, waited),
    }


@pytest.mark.django_db
def test_the_group_session_figures_of_the_tables_agree_with_the_seats(settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setattr("insights.selectors.privacy.MIN_PEOPLE_BEHIND_A_RATE", 1)  # every rate compared
    with time_machine.travel(GROUP_NOW, tick=False):
        call_command("seed_demo", mentors=24, employees=60, weeks_of_history=6, stdout=StringIO())
        scope = Scope(GROUP_NOW.date() - timedelta(weeks=7), GROUP_NOW.date())
        report = summary(scope, now=GROUP_NOW)
        assert report["group_sessions_held"] > 0
        assert report["waitlist_conversions"] > 0
        assert {name: report[name] for name in GROUP_FIGURES} == live_group_figures(scope, GROUP_NOW, None)
        exported = export_rows(scope, now=GROUP_NOW)
        for row in report["equity"]["department"]:
            if row["suppressed"] or row["key"] is None:
                continue
            department = summary(replace(scope, department_id=row["key"]), now=GROUP_NOW)
            live = live_group_figures(scope, GROUP_NOW, row["key"])
            assert {name: department[name] for name in GROUP_FIGURES} == live, row["label"]
            assert (row["group_attendees"], row["group_seats_filled"]) == (
                live["group_attendees"],
                live["group_seats_filled"],
            )
            weeks = [line for line in exported if line["department"] == row["label"]]
            for name in ("group_sessions_held", "group_seats_filled", "waitlist_conversions"):
                assert sum(line[name] for line in weeks) == live[name], (row["label"], name)


@pytest.mark.django_db
def test_the_hosts_own_place_in_a_group_session_is_nobodys_seat_or_wait():
    now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    create_group_session(
        host=MentorFactory(), title="AMA", start=now + timedelta(days=2), duration=60, capacity=3, now=now
    )

    rollups.refresh(now=now + timedelta(days=5), full=True)

    totals = WeekCell.objects.aggregate(
        waited=Sum("group_waited"), hosted=Sum("group_hosted"), seats=Sum("group_seats")
    )
    assert totals == {"waited": 0, "hosted": 1, "seats": 0}
