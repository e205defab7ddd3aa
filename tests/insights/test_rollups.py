"""The weekly summary tables: rebuilt from the domain data, recent weeks often, everything on demand."""

from dataclasses import fields
from datetime import timedelta

import pytest
from django.db.models import PositiveIntegerField

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
from sessions_app.models import Booking
from tests.factories import BookingFactory
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
