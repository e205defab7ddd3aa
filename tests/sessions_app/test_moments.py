"""Informal moments (flow 5): logging one in seconds, the weekly "three moments" progress, page and API."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from marketplace.errors import InvalidInput
from sessions_app import selectors
from sessions_app.models import Moment
from sessions_app.services.moments import log_moment
from tests.factories import MomentFactory, UserFactory

MOMENTS = "/api/v1/moments/"
WEDNESDAY = date(2027, 3, 17)


def test_a_moment_is_logged_with_a_colleague_and_one_line(mentee, mentor):
    moment = log_moment(author=mentee, kind="tip", note="  Use   one chart per slide ", with_person=mentor)

    assert (moment.kind, moment.note, moment.with_whom) == ("tip", "Use one chart per slide", "Marco Mentor")
    assert moment.happened_on is not None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "gossip"}, "kind"),
        ({"note": "   "}, "note"),
        ({"note": "x" * 201}, "note"),
        ({"happened_on": date(2099, 1, 1)}, "happened_on"),
        ({"happened_on": date(2000, 1, 1)}, "happened_on"),
    ],
)
def test_a_bad_moment_is_refused_naming_the_field(mentee, change, field):
    arguments = {"author": mentee, "kind": "tip", "note": "A tip"} | change

    with pytest.raises(InvalidInput) as error:
        log_moment(**arguments)

    assert error.value.field == field
    assert not Moment.objects.exists()


def test_a_moment_with_oneself_is_refused(mentee):
    with pytest.raises(InvalidInput) as error:
        log_moment(author=mentee, kind="advice", note="Talked to myself", with_person=mentee)

    assert error.value.field == "with_person"
    assert not Moment.objects.exists()


def test_today_is_the_authors_own_day(mentee):
    mentee.timezone = "Pacific/Auckland"  # already the 18th there
    late_evening_utc = datetime(2027, 3, 17, 20, 0, tzinfo=UTC)

    moment = log_moment(author=mentee, kind="tip", note="A tip", now=late_evening_utc)

    assert moment.happened_on == date(2027, 3, 18)


def test_progress_counts_this_weeks_moments_toward_three(mentee):
    MomentFactory.create_batch(2, author=mentee, happened_on=WEDNESDAY)
    MomentFactory(author=mentee, happened_on=WEDNESDAY - timedelta(days=3))  # last Sunday: last week
    MomentFactory(happened_on=WEDNESDAY)  # someone else's

    progress = selectors.moment_progress(mentee, today=WEDNESDAY)

    assert (progress.this_week, progress.goal, progress.reached) == (2, 3, False)
    assert progress.week_start == date(2027, 3, 15)


def test_the_streak_counts_weeks_in_a_row_that_met_the_goal(mentee):
    for weeks_ago in (1, 2, 4):  # week 3 was missed
        MomentFactory.create_batch(3, author=mentee, happened_on=WEDNESDAY - timedelta(weeks=weeks_ago))

    open_week = selectors.moment_progress(mentee, today=WEDNESDAY)
    MomentFactory.create_batch(3, author=mentee, happened_on=WEDNESDAY)
    met_week = selectors.moment_progress(mentee, today=WEDNESDAY)

    assert open_week.streak_weeks == 2
    assert (met_week.streak_weeks, met_week.reached) == (3, True)


def test_the_moments_page_logs_a_moment_and_lists_mine_only(client, mentee, mentor):
    MomentFactory(note="Not mine at all")
    client.force_login(mentee)

    response = client.post(
        "/moments/",
        {
            "kind": "encouragement",
            "with_whom": mentor.email,
            "note": "Told me to go for it",
            "happened_on": "",
        },
    )
    assert response.status_code == 400  # the day is required
    assert not Moment.objects.filter(author=mentee).exists()
    response = client.post(
        "/moments/",
        {
            "kind": "encouragement",
            "with_whom": mentor.email,
            "note": "Told me to go for it",
            "happened_on": str(date.today()),
        },
    )

    assert response.status_code == 302
    page = client.get("/moments/").content.decode()
    assert "Told me to go for it" in page
    assert "with Marco Mentor" in page
    assert "Not mine at all" not in page
    assert "1 of 3" in page
    assert Moment.objects.get(author=mentee).with_person == mentor


def test_the_day_field_starts_on_the_authors_today_in_the_format_date_inputs_read(client, mentee):
    # A date input takes only ISO dates: the site's en-gb format (23/11/2026) would leave it blank.
    mentee.timezone = "Pacific/Auckland"
    mentee.save()
    with time_machine.travel(datetime(2027, 3, 16, 20, 0, tzinfo=UTC), tick=False):  # Wednesday in Auckland
        client.force_login(mentee)
        page = client.get("/moments/").content.decode()

    assert re.search(r'<input type="date" name="happened_on" value="2027-03-17"', page)


def test_the_moments_page_needs_a_login(client):
    assert client.get("/moments/").status_code == 302


def test_the_api_logs_and_lists_my_moments_paginated(api_as, mentee, mentor):
    MomentFactory(note="Someone else's")
    client = api_as(mentee)

    created = client.post(
        MOMENTS, {"kind": "introduction", "with_person": mentor.pk, "note": "Met the CFO"}, format="json"
    )
    listed = client.get(MOMENTS)

    assert created.status_code == 201, created.json()
    assert created.json()["with_person"] == {"id": mentor.pk, "display_name": "Marco Mentor"}
    body = listed.json()
    assert body["count"] == 1
    assert [item["note"] for item in body["results"]] == ["Met the CFO"]
    stored = Moment.objects.get(pk=created.json()["id"])
    assert (stored.author, stored.kind, stored.with_person, stored.note) == (
        mentee,
        "introduction",
        mentor,
        "Met the CFO",
    )


def test_the_api_names_the_field_of_a_bad_moment(api_as, mentee):
    response = api_as(mentee).post(MOMENTS, {"kind": "tip", "note": "A tip", "happened_on": "2099-01-01"})

    assert response.status_code == 400
    assert "happened_on" in response.json()
    assert not Moment.objects.exists()


def test_the_moments_list_costs_the_same_queries_for_many_moments(
    api_as, mentee, django_assert_max_num_queries, django_assert_num_queries
):
    other = UserFactory()
    client = api_as(mentee)
    MomentFactory.create_batch(2, author=mentee, with_person=other, with_name="")
    with django_assert_max_num_queries(4) as few:
        assert client.get(MOMENTS).json()["count"] == 2
    MomentFactory.create_batch(13, author=mentee, with_person=other, with_name="")

    with django_assert_num_queries(len(few)):
        assert client.get(MOMENTS).json()["count"] == 15


def page_text(html: str) -> str:
    """The page's text, tags dropped (the sentences checked here have only inline ones)."""
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def test_past_the_goal_the_page_counts_the_moments_and_says_the_goal_is_met(client, mentee):
    MomentFactory.create_batch(4, author=mentee, happened_on=WEDNESDAY)
    with time_machine.travel(datetime(2027, 3, 17, 12, 0, tzinfo=UTC), tick=False):
        client.force_login(mentee)
        text = page_text(client.get("/moments/").content.decode())

    assert "4 moments this week: weekly goal met." in text
    assert "4 of 3" not in text


def test_short_of_the_goal_the_page_counts_toward_it(client, mentee):
    MomentFactory(author=mentee, happened_on=WEDNESDAY)
    with time_machine.travel(datetime(2027, 3, 17, 12, 0, tzinfo=UTC), tick=False):
        client.force_login(mentee)
        text = page_text(client.get("/moments/").content.decode())

    assert "1 of 3 moments this week." in text
    assert "goal met" not in text


def test_an_empty_moments_page_speaks_of_the_product_and_its_users(client, mentee):
    client.force_login(mentee)

    text = page_text(client.get("/moments/").content.decode())

    assert "Nothing logged yet. Aim for 3 moments a week" in text
    assert "article" not in text.lower()
