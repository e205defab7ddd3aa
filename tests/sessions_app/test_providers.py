"""What sessions_app tells marketplace through its hooks (sessions_app.selectors, registered in apps.py):
each person's busy time, mentors' ratings and track records."""

from datetime import timedelta

from django.utils import timezone

from marketplace.session_data import TrackRecord, commitments, ratings, track_records
from sessions_app.models import Booking
from tests.factories import BookingFactory, FeedbackFactory, MentorFactory
from tests.sessions_app.helpers import slot


def test_the_busy_provider_gives_each_person_their_confirmed_sessions_in_either_role(
    mentee, outsider, open_mentor, django_assert_num_queries
):
    taken = BookingFactory(mentor=open_mentor, mentee=mentee, start=slot(hour=10))
    BookingFactory(mentor=open_mentor, mentee=outsider, start=slot(hour=12), status=Booking.Status.CANCELLED)
    start, end = slot(hour=0), slot(days=3)

    with django_assert_num_queries(2):  # one per busy provider: sessions_app's and groups'
        found = commitments([mentee.pk, open_mentor.pk, outsider.pk], start, end)

    assert [(c.key, c.as_mentor) for c in found[mentee.pk]] == [(taken.pk, False)]
    assert [(c.key, c.as_mentor) for c in found[open_mentor.pk]] == [(taken.pk, True)]
    assert found[outsider.pk] == []


def test_the_rating_provider_averages_what_mentees_said(mentee, outsider, open_mentor):
    FeedbackFactory(booking__mentor=open_mentor, booking__mentee=mentee, rating=5)
    FeedbackFactory(booking__mentor=open_mentor, booking__mentee=outsider, rating=4)
    FeedbackFactory(booking__mentor=open_mentor, booking__mentee=outsider, rating=1, role="mentor")
    unrated = MentorFactory()

    found = ratings([open_mentor.pk, unrated.pk])

    assert (found[open_mentor.pk].average, found[open_mentor.pk].count) == (4.5, 2)
    assert unrated.pk not in found


def test_the_track_record_provider_counts_held_sessions_no_shows_and_mentor_cancellations(
    mentee, outsider, open_mentor, django_assert_num_queries
):
    now = timezone.now()
    for days_ago in (3, 40, 60):
        BookingFactory(
            mentor=open_mentor, mentee=mentee, start=now - timedelta(days=days_ago), status="completed"
        )
    BookingFactory(mentor=open_mentor, mentee=outsider, start=now - timedelta(days=5), status="no_show")
    BookingFactory(
        mentor=open_mentor,
        mentee=mentee,
        start=now - timedelta(days=7),
        status="cancelled",
        cancelled_by=open_mentor,
    )
    BookingFactory(
        mentor=open_mentor,
        mentee=mentee,
        start=now - timedelta(days=8),
        status="cancelled",
        cancelled_by=mentee,
    )
    newcomer = MentorFactory()

    with django_assert_num_queries(1):
        found = track_records([open_mentor.pk, newcomer.pk], now - timedelta(days=30))

    assert found == {
        open_mentor.pk: TrackRecord(held_recently=1, held_total=3, no_shows=1, cancelled_by_mentor=1)
    }
