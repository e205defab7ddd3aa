"""Chat notes on real services: a Celery worker and beat on a real Redis, the outbox in a real PostgreSQL,
Slack and Teams as real HTTP servers on this machine (tests/webhook_server.py)."""

from django.utils import timezone

from sessions_app.models import OutboundMessage
from tests.factories import OutboundMessageFactory
from tests.integration.delivery import assert_each_delivered_once, sweep_again, with_beat, worker_env
from tests.waiting import wait_until
from tests.webhook_server import webhook_server


def notes() -> list[tuple[str, str, int]]:
    return sorted(
        OutboundMessage.objects.exclude(channel="email").values_list("channel", "status", "attempts")
    )


def test_a_worker_posts_the_slack_and_teams_notes_retrying_teams_error_and_each_goes_out_once(
    start_worker, tmp_path
):
    mail_dir = tmp_path / "mail"
    with webhook_server(then=(200, b"ok")) as slack, webhook_server(answers=[(500, b"")]) as teams:
        message = OutboundMessageFactory()
        env = worker_env(mail_dir, SLACK_WEBHOOK_URL=slack.url, TEAMS_WEBHOOK_URL=teams.url)
        worker = start_worker(extra_args=with_beat(tmp_path), extra_env=env)

        wait_until(
            lambda: notes() == [("slack", "sent", 1), ("teams", "pending", 1)],
            timeout=60,
            interval=0.1,
            message=lambda: (
                f"Slack's note sent and Teams' waiting to be retried: {notes()}\n{worker.log_tail()}"
            ),
        )
        # Its back-off (two minutes) has run out: beat's next sweep sends it again.
        OutboundMessage.objects.filter(channel="teams").update(due_at=timezone.now())
        wait_until(
            lambda: notes() == [("slack", "sent", 1), ("teams", "sent", 2)],
            timeout=60,
            interval=0.1,
            message=lambda: f"Teams' note sent on its second attempt: {notes()}\n{worker.log_tail()}",
        )
        sweep_again([worker])  # nothing may go out again

    assert len(slack.posts) == 1
    assert [post.answered for post in teams.posts] == [500, 200]
    card = teams.posts[1].body["attachments"][0]["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["body"][1]["inlines"][0]["text"] == f"For {message.recipient.name}"
    assert_each_delivered_once(mail_dir, {message.pk})
