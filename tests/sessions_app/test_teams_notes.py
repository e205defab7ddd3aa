"""Microsoft Teams next to Slack: with TEAMS_WEBHOOK_URL, each email sent also posts its note as an Adaptive
Card, through the outbox like Slack's (a row of its own: retried with back-off, given up visibly, never
repeating the email). Every test posts to a real HTTP server on this machine (tests/webhook_server.py)."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.db import connections, transaction
from django.utils import timezone

from sessions_app import notifications, tasks
from sessions_app.models import Introduction, OutboundMessage
from sessions_app.sweep import deliver_due_messages
from tests.factories import BookingFactory, MentorRequestFactory, OutboundMessageFactory, UserFactory
from tests.hung_server import hung_server
from tests.waiting import wait_until
from tests.webhook_server import webhook_server

START = datetime(2030, 3, 12, 9, 0, tzinfo=UTC)  # a Tuesday; London is on GMT then


@pytest.fixture
def teams(settings):
    with webhook_server() as server:
        settings.TEAMS_WEBHOOK_URL = server.url
        yield server


def channels_and_statuses() -> list[tuple[str, str]]:
    return sorted(OutboundMessage.objects.values_list("channel", "status"))


def confirmation(**booking) -> OutboundMessage:
    """The confirmation to the mentee (Maya Mentee, Europe/London) of a session with Marco Mentor."""
    booking.setdefault("mentee", UserFactory(display_name="Maya Mentee", timezone="Europe/London"))
    booking.setdefault("mentor__display_name", "Marco Mentor")
    session = BookingFactory(start=START, **booking)
    return OutboundMessageFactory(booking=session, kind="confirmation", lead_minutes=0)


def text_blocks(element: object) -> list[dict]:
    """Every TextBlock in a card: the element that reads Markdown."""
    if isinstance(element, list):
        return [block for item in element for block in text_blocks(item)]
    if not isinstance(element, dict):
        return []
    own = [element] if element.get("type") == "TextBlock" else []
    return own + [block for value in element.values() for block in text_blocks(value)]


def test_each_email_sent_also_posts_its_note_to_teams_as_an_adaptive_card(teams, db):
    message = confirmation()

    tasks.send_due_messages()
    tasks.send_due_messages()

    [post] = teams.posts
    assert post.path == "/webhook"
    assert post.content_type == "application/json"
    assert post.body["type"] == "message"
    [attachment] = post.body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert attachment["contentUrl"] is None
    card = attachment["content"]
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert card["type"] == "AdaptiveCard"
    assert card["version"] == "1.4"
    assert card["lang"] == "en"
    assert card["body"] == [
        {
            "type": "RichTextBlock",
            "inlines": [
                {
                    "type": "TextRun",
                    "text": "Booked: 30 min with Marco Mentor, Tue 12 Mar 09:00 (Europe/London)",
                    "weight": "Bolder",
                    "size": "Medium",
                }
            ],
        },
        {
            "type": "RichTextBlock",
            "inlines": [{"type": "TextRun", "text": "For Maya Mentee", "isSubtle": True}],
        },
    ]
    assert card["actions"] == [
        {
            "type": "Action.OpenUrl",
            "title": "Join the session",
            "url": "https://meet.example.com/sidebar-test",
        },
        {
            "type": "Action.OpenUrl",
            "title": "Open the session",
            "url": f"{django_settings.SITE_URL}/sessions/{message.booking_id}/",
        },
    ]
    assert [email.to for email in mail.outbox] == [[message.recipient.email]]
    assert channels_and_statuses() == [("email", "sent"), ("teams", "sent")]


def test_a_workflows_webhook_answering_202_with_no_body_has_taken_the_card(settings, db):
    with webhook_server(then=(202, b"")) as workflows:
        settings.TEAMS_WEBHOOK_URL = workflows.url
        OutboundMessageFactory()

        tasks.send_due_messages()

    assert len(workflows.delivered) == 1
    assert channels_and_statuses() == [("email", "sent"), ("teams", "sent")]


def test_the_card_is_in_its_recipients_language(teams, db):
    confirmation(mentee=UserFactory(display_name="Camille", language="fr", timezone="Europe/Paris"))

    tasks.send_due_messages()

    [card] = [post.body["attachments"][0]["content"] for post in teams.posts]
    assert card["lang"] == "fr"
    assert card["body"][0]["inlines"][0]["text"] == (
        "Réservé\u00a0: 30 min avec Marco Mentor, mar 12 mar 10:00 (Europe/Paris)"
    )
    assert mail.outbox[0].subject == card["body"][0]["inlines"][0]["text"]


def test_the_cards_buttons_are_in_its_recipients_language(db, mentor):
    colleague = UserFactory(display_name="Camille", language="fr")
    introduction = Introduction.objects.create(
        introducer=UserFactory(display_name="Oscar"),
        colleague=colleague,
        mentor=mentor,
        note="Hi",
        created_at=timezone.now(),
    )
    message = OutboundMessage.objects.create(
        introduction=introduction, kind="introduction", recipient=colleague, due_at=timezone.now()
    )

    card = notifications.teams_card(message)["attachments"][0]["content"]

    assert card["lang"] == "fr"
    assert card["body"][0]["inlines"][0]["text"] == "Oscar vous a mis en relation avec Marco Mentor"
    assert [action["title"] for action in card["actions"]] == [
        "Voir les créneaux libres de Marco Mentor et réserver"
    ]


def test_a_name_cannot_become_a_link_or_formatting_in_the_card(teams, db):
    trap = "*Bob* [x](http://evil.example) **now** _here_"
    confirmation(
        mentor__display_name=trap,
        mentee=UserFactory(display_name="[Sidebar: log in](http://evil.example)", timezone="Europe/London"),
    )

    tasks.send_due_messages()

    [post] = teams.posts
    card = post.body["attachments"][0]["content"]
    assert text_blocks(card) == []  # no Markdown anywhere: every text is a TextRun
    runs = [inline["text"] for block in card["body"] for inline in block["inlines"]]
    assert runs == [
        f"Booked: 30 min with {trap}, Tue 12 Mar 09:00 (Europe/London)",
        "For [Sidebar: log in](http://evil.example)",
    ]
    assert all("evil" not in action["url"] for action in card["actions"])


def test_each_kind_of_note_links_to_its_page_and_only_invites_to_join(teams, db, mentee, mentor):
    session = BookingFactory(mentee=mentee, mentor=mentor, start=START)
    request = MentorRequestFactory(asker=mentee, topic="Board deck")
    introduction = Introduction.objects.create(
        introducer=UserFactory(), colleague=mentee, mentor=mentor, note="Talk", created_at=timezone.now()
    )
    now = timezone.now()
    rows = {
        "reminder": OutboundMessageFactory(booking=session, kind="reminder", lead_minutes=60),
        "cancellation": OutboundMessageFactory(booking=session, kind="cancellation", lead_minutes=0),
        "match_found": OutboundMessage.objects.create(
            request=request, kind="match_found", recipient=mentee, due_at=now
        ),
        "to_colleague": OutboundMessage.objects.create(
            introduction=introduction, kind="introduction", recipient=mentee, due_at=now
        ),
        "to_mentor": OutboundMessage.objects.create(
            introduction=introduction, kind="introduction", recipient=mentor, due_at=now
        ),
    }

    actions = {
        name: notifications.teams_card(row)["attachments"][0]["content"]["actions"]
        for name, row in rows.items()
    }

    site = django_settings.SITE_URL
    assert actions == {
        "reminder": [
            {"type": "Action.OpenUrl", "title": "Open the session", "url": f"{site}/sessions/{session.pk}/"}
        ],
        "cancellation": [
            {"type": "Action.OpenUrl", "title": "Open the session", "url": f"{site}/sessions/{session.pk}/"}
        ],
        "match_found": [
            {"type": "Action.OpenUrl", "title": "Open your request", "url": f"{site}/requests/{request.pk}/"}
        ],
        "to_colleague": [
            {
                "type": "Action.OpenUrl",
                "title": "See Marco Mentor’s free times and book",
                "url": f"{site}/mentors/{mentor.pk}/",
            }
        ],
        "to_mentor": [],  # nothing for the mentor to do: the colleague books
    }


def test_a_teams_error_then_success_is_retried_and_delivered_once(settings, db):
    with webhook_server(answers=[(500, b"Internal Server Error")]) as flaky:
        settings.TEAMS_WEBHOOK_URL = flaky.url
        OutboundMessageFactory()

        tasks.send_due_messages()
        note = OutboundMessage.objects.get(channel="teams")
        assert (note.status, note.attempts, note.due_at > timezone.now()) == ("pending", 1, True)
        assert "500" in note.last_error

        deliver_due_messages(now=note.due_at)
        deliver_due_messages(now=note.due_at + timedelta(minutes=30))

    assert [post.answered for post in flaky.posts] == [500, 200]
    assert flaky.posts[0].body == flaky.posts[1].body  # the same card, sent again
    note.refresh_from_db()
    assert (note.status, note.attempts) == ("sent", 2)
    assert len(mail.outbox) == 1


def test_a_200_saying_the_delivery_failed_is_retried(settings, db):
    """Office 365 connector webhooks answer 200 with the failure in the body (a removed channel, a 429)."""
    failed = b"Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429"
    with webhook_server(answers=[(200, failed)]) as connector:
        settings.TEAMS_WEBHOOK_URL = connector.url
        OutboundMessageFactory()

        tasks.send_due_messages()

    note = OutboundMessage.objects.get(channel="teams")
    assert (note.status, note.attempts) == ("pending", 1)
    assert "HTTP error 429" in note.last_error


def test_a_teams_webhook_that_keeps_failing_is_given_up_visibly_in_the_admin(settings, client, db):
    with webhook_server(then=(500, b"")) as broken:
        settings.TEAMS_WEBHOOK_URL = broken.url
        OutboundMessageFactory()

        tasks.send_due_messages()
        # Hours, not days: the sweep completes sessions that have ended, and a reminder's note for a session
        # that is over is not sent.
        for hours in range(1, 6):
            deliver_due_messages(now=timezone.now() + timedelta(hours=hours))

    note = OutboundMessage.objects.get(channel="teams")
    assert (note.status, note.attempts) == ("failed", 5)
    assert len(broken.posts) == 5
    assert len(mail.outbox) == 1
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get("/admin/sessions_app/outboundmessage/?channel__exact=teams&status__exact=failed")
    assert "HTTPError 500" in page.content.decode()
    assert "Microsoft Teams" in page.content.decode()


def test_a_teams_note_left_when_the_webhook_is_removed_is_cancelled(teams, settings, db):
    OutboundMessageFactory(channel="teams")
    settings.TEAMS_WEBHOOK_URL = None

    tasks.send_due_messages()

    assert teams.posts == []
    assert OutboundMessage.objects.get().status == "cancelled"


def test_with_slack_and_teams_both_set_each_gets_its_note_once(settings, db):
    with webhook_server(then=(200, b"ok")) as slack, webhook_server() as teams:
        settings.SLACK_WEBHOOK_URL, settings.TEAMS_WEBHOOK_URL = slack.url, teams.url
        message = OutboundMessageFactory()

        tasks.send_due_messages()
        tasks.send_due_messages()

    assert [post.body["text"] for post in slack.posts] == [
        f"{message.recipient.name}: " + mail.outbox[0].subject
    ]
    [card] = [post.body["attachments"][0]["content"] for post in teams.posts]
    assert card["body"][0]["inlines"][0]["text"] == mail.outbox[0].subject
    assert len(mail.outbox) == 1
    assert channels_and_statuses() == [("email", "sent"), ("slack", "sent"), ("teams", "sent")]


def test_slack_being_down_does_not_hold_up_the_teams_note(settings, db):
    with webhook_server(then=(503, b"")) as slack, webhook_server() as teams:
        settings.SLACK_WEBHOOK_URL, settings.TEAMS_WEBHOOK_URL = slack.url, teams.url
        OutboundMessageFactory()

        tasks.send_due_messages()

    assert len(teams.delivered) == 1
    assert sorted(OutboundMessage.objects.values_list("channel", "status", "attempts")) == [
        ("email", "sent", 1),
        ("slack", "pending", 1),
        ("teams", "sent", 1),
    ]


@pytest.mark.django_db(transaction=True)
def test_a_hung_teams_webhook_times_out_with_no_lock_held_and_the_sweep_goes_on(settings, monkeypatch):
    monkeypatch.setattr(notifications, "WEBHOOK_TIMEOUT_SECONDS", 1)
    first = OutboundMessageFactory()
    outcome: list[int | BaseException] = []

    def sweep() -> None:
        try:
            outcome.append(deliver_due_messages())
        except BaseException as error:  # reported by the test's thread below
            outcome.append(error)
        finally:
            connections.close_all()

    with hung_server() as hung:
        settings.TEAMS_WEBHOOK_URL = f"http://127.0.0.1:{hung.port}/webhook"
        sweeper = threading.Thread(target=sweep, name="outbox-sweep", daemon=True)
        sweeper.start()
        wait_until(lambda: hung.accepted, timeout=10, message="the note to reach the hung webhook")

        # The email went out before its note, and while Teams keeps the note waiting its row is free.
        assert OutboundMessage.objects.get(channel="email", recipient=first.recipient).status == "sent"
        with transaction.atomic():
            note = OutboundMessage.objects.select_for_update(nowait=True).get(channel="teams")
        assert note.status == "sending"
        # Another sweep meanwhile sends what is due (its own note then waits on Teams too, and times out).
        second = OutboundMessageFactory()
        assert deliver_due_messages() == 1
        assert [email.to for email in mail.outbox] == [[first.recipient.email], [second.recipient.email]]

        sweeper.join(timeout=60)  # a guard against a hang, not a measurement
        assert not sweeper.is_alive(), "the post to Teams did not time out"

    assert outcome == [1]
    notes = OutboundMessage.objects.filter(channel="teams")
    assert sorted(notes.values_list("status", "attempts")) == [("pending", 1), ("pending", 1)]
    assert all("timed out" in error for error in notes.values_list("last_error", flat=True))

    with webhook_server() as teams:
        settings.TEAMS_WEBHOOK_URL = teams.url
        deliver_due_messages(now=timezone.now() + timedelta(minutes=3))
    assert len(teams.delivered) == 2
    assert sorted(notes.values_list("status", "attempts")) == [("sent", 2), ("sent", 2)]
    assert len(mail.outbox) == 2


def test_a_teams_note_that_cannot_be_written_fails_at_once_without_a_post(teams, db):
    # A reminder is about a session: a row of that kind without one cannot make a card, and never will.
    note = OutboundMessage.objects.create(
        kind="reminder",
        channel="teams",
        request=MentorRequestFactory(),
        recipient=UserFactory(),
        due_at=timezone.now(),
    )

    tasks.send_due_messages()

    note.refresh_from_db()
    assert (note.status, note.attempts) == ("failed", 1)
    assert "has no booking" in note.last_error
    assert teams.posts == []
