"""Matching and the shortlist page prefer times inside both people's working hours; "show all times" shows the
rest. The London asker's Monday 23 November 2026 08:00 UTC (GMT: London's clock is UTC)."""

from datetime import UTC, datetime, time

import pytest

from marketplace import session_data
from marketplace.models import AvailabilityBlock, WorkingHours
from matching import candidates, services
from matching.models import MentorRequest
from matching.ranking import AskedSkill, Need
from tests.factories import PASSWORD

THURSDAY_5PM = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)


@pytest.fixture
def night_owl(make_mentor, speaking):
    """Free only on Tuesday 00:30–01:30 (London): the soonest, and outside everybody's default hours."""
    return make_mentor(
        display_name="Nora Night", skills=[(speaking, 2)], weekdays=[1], hours=(time(0, 30), time(1, 30))
    )


@pytest.fixture
def day_mentor(make_mentor, speaking):
    """Free Tuesday 10:00–11:00: later, inside both people's hours."""
    return make_mentor(
        display_name="Dana Day", skills=[(speaking, 2)], weekdays=[1], hours=(time(10), time(11))
    )


@pytest.fixture
def evening_and_wednesday(make_mentor, speaking):
    """Free Monday 20:00–21:00 (outside hours) and Wednesday 10:00–11:00 (inside)."""
    mentor = make_mentor(
        display_name="Eve Both", skills=[(speaking, 2)], weekdays=[0], hours=(time(20), time(21))
    )
    AvailabilityBlock.objects.create(mentor=mentor, weekday=2, start=time(10), end=time(11))
    return mentor


def need_of(asker, skill) -> Need:
    return Need(
        asker_id=asker.pk,
        skills=(AskedSkill(skill.pk, skill.name),),
        needed_by=THURSDAY_5PM,
        duration_minutes=30,
        asker_timezone=asker.timezone,
    )


def test_matching_ranks_a_slot_inside_both_working_hours_above_a_sooner_one_at_night(
    mentee, speaking, night_owl, day_mentor, frozen_monday
):
    found = candidates.find_matches(need_of(mentee, speaking), now=frozen_monday)

    assert [match.mentor_id for match in found.matches] == [day_mentor.pk, night_owl.pk]
    day, night = found.matches
    assert day.slot.start == datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    assert day.reasons[1] == "Free tomorrow 10:00 in both your working hours, 2 days before your deadline"
    assert night.slot.start == datetime(2026, 11, 24, 0, 30, tzinfo=UTC)
    assert night.reasons[1] == (
        "Free tomorrow 00:30, outside your working hours and theirs, 2 days before your deadline"
    )
    assert found.slots[night_owl.pk].in_working_hours is False


def test_matching_offers_the_first_slot_inside_hours_and_keeps_a_sooner_one_for_show_all(
    mentee, speaking, evening_and_wednesday, frozen_monday
):
    found = candidates.find_matches(need_of(mentee, speaking), now=frozen_monday)

    [match] = found.matches
    assert match.slot.start == datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    first = found.slots[evening_and_wednesday.pk]
    assert first.in_working_hours
    assert first.earlier is not None
    assert first.earlier.start == datetime(2026, 11, 23, 20, 0, tzinfo=UTC)


def test_each_persons_own_hours_and_zone_decide(mentee, speaking, night_owl, day_mentor, frozen_monday):
    # The asker works Tuesday 00:00–02:00 in London; the night owl lives in Kolkata (UTC+05:30) and works
    # Tuesday 05:00–07:30 there (Monday 23:30 to Tuesday 02:00 UTC).
    WorkingHours.objects.create(person=mentee, weekday=1, start=time(0), end=time(2))
    night_owl.timezone = "Asia/Kolkata"
    night_owl.save(update_fields=["timezone"])
    WorkingHours.objects.create(person=night_owl, weekday=1, start=time(5), end=time(7, 30))

    found = candidates.find_matches(need_of(mentee, speaking), now=frozen_monday)

    assert [match.mentor_id for match in found.matches] == [night_owl.pk, day_mentor.pk]
    assert found.slots[night_owl.pk].in_working_hours
    assert not found.slots[day_mentor.pk].in_asker_hours


def test_the_stored_shortlist_says_which_slots_are_inside_working_hours(
    mentee, speaking, night_owl, evening_and_wednesday, frozen_monday
):
    request = services.create_request(
        asker=mentee, topic="Board talk", skills=[speaking], needed_by=THURSDAY_5PM, duration=30
    )
    by_mentor = {entry["mentor_id"]: entry for entry in request.shortlist}

    assert by_mentor[night_owl.pk]["in_working_hours"] is False
    assert "earlier_start" not in by_mentor[night_owl.pk]
    assert by_mentor[evening_and_wednesday.pk]["in_working_hours"] is True
    assert by_mentor[evening_and_wednesday.pk]["slot_start"] == "2026-11-25T10:00:00Z"
    assert by_mentor[evening_and_wednesday.pk]["earlier_start"] == "2026-11-23T20:00:00Z"


# --- The shortlist page ---


def shortlist_html(client, mentee, query: str = "") -> str:
    assert client.login(email=mentee.email, password=PASSWORD)
    request = MentorRequest.objects.get()
    return client.get(f"/requests/{request.pk}/{query}").content.decode()


def test_the_shortlist_shows_times_inside_both_working_hours_by_default(
    client, mentee, speaking, night_owl, day_mentor, evening_and_wednesday, frozen_monday
):
    services.create_request(
        asker=mentee, topic="Board talk", skills=[speaking], needed_by=THURSDAY_5PM, duration=30
    )
    html = shortlist_html(client, mentee)

    assert "Book Tue 24 Nov, 10:00" in html
    assert "Book Wed 25 Nov, 10:00" in html
    assert "Book Tue 24 Nov, 00:30" not in html
    assert "Book Mon 23 Nov, 20:00" not in html
    assert "Free before your deadline only outside your working hours or theirs." in html
    assert 'href="?all_times=1">Show all times' in html


def test_show_all_times_on_the_shortlist_adds_the_times_outside_working_hours(
    client, mentee, speaking, night_owl, day_mentor, evening_and_wednesday, frozen_monday
):
    services.create_request(
        asker=mentee, topic="Board talk", skills=[speaking], needed_by=THURSDAY_5PM, duration=30
    )
    html = shortlist_html(client, mentee, "?all_times=1")

    for label in ("Tue 24 Nov, 10:00", "Wed 25 Nov, 10:00", "Tue 24 Nov, 00:30", "Mon 23 Nov, 20:00"):
        assert f"Book {label}" in html
    assert 'href="?">Only times inside both working hours' in html
    assert f"/mentors/{night_owl.pk}/?duration=30&amp;request=" in html
    assert "&amp;all_times=1" in html  # "Show other times" keeps the choice


# --- The report: a London employee offered "free tomorrow 00:30" and 22:50 first ---


@pytest.fixture
def late_mentor(make_mentor, speaking):
    """Free only on Monday 22:50–23:50 (London): tonight, outside everybody's default hours."""
    return make_mentor(
        display_name="Lee Late", skills=[(speaking, 3)], weekdays=[0], hours=(time(22, 50), time(23, 50))
    )


@pytest.fixture
def busy_day_mentor(make_mentor, speaking):
    """Free only on Wednesday 14:00–15:00 (London), with the weakest level and a heavy, patchy record."""
    return make_mentor(
        display_name="Bea Busy", skills=[(speaking, 1)], weekdays=[2], hours=(time(14), time(15))
    )


def test_a_london_employee_never_gets_00_30_or_22_50_ranked_first_whatever_else_they_have_going(
    mentee, speaking, night_owl, late_mentor, busy_day_mentor, track_records, frozen_monday
):
    # Everything else favours the two at night: sooner, higher level, idle and reliable; the one in working
    # hours held many sessions lately and dropped some.
    track_records[busy_day_mentor.pk] = session_data.TrackRecord(
        held_recently=40, held_total=40, no_shows=6, cancelled_by_mentor=6
    )
    for idle in (night_owl, late_mentor):
        track_records[idle.pk] = session_data.TrackRecord(
            held_recently=0, held_total=20, no_shows=0, cancelled_by_mentor=0
        )

    found = candidates.find_matches(need_of(mentee, speaking), now=frozen_monday)

    first, *others = found.matches
    assert first.mentor_id == busy_day_mentor.pk
    assert first.slot.start == datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
    assert {match.mentor_id for match in others} == {night_owl.pk, late_mentor.pk}
    assert first.score > max(match.score for match in others)  # the score the API shows agrees


def test_the_api_offers_the_london_employee_a_time_in_working_hours_first(
    api_as, mentee, speaking, night_owl, late_mentor, busy_day_mentor, frozen_monday
):
    response = api_as(mentee).post(
        "/api/v1/requests/",
        {"topic": "Board talk", "skills": ["public-speaking"], "needed_by": "2026-11-26T17:00:00Z"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    matches = response.json()["matches"]
    assert matches[0]["mentor"]["id"] == busy_day_mentor.pk
    assert matches[0]["next_slot"] == "2026-11-25T14:00:00Z"
    assert {match["next_slot"] for match in matches[1:]} == {"2026-11-23T22:50:00Z", "2026-11-24T00:30:00Z"}
