"""Group sessions on real services: a Celery worker and beat on a real Redis, the outbox in a real PostgreSQL.
The reminders of the host and of each seated person go out once each when they fall due, and the worker's
sweep marks an ended group session completed."""

from datetime import timedelta

from django.utils import timezone

from groups.models import GroupSession
from groups.services.seats import join_session
from groups.services.sessions import create_group_session
from sessions_app.models import OutboundMessage
from tests.factories import GroupSessionFactory, MentorFactory, UserFactory
from tests.integration.delivery import (
    assert_each_delivered_once,
    sweep_again,
    wait_until_all_sent,
    with_beat,
    worker_env,
)
from tests.waiting import wait_until


def test_group_reminders_falling_due_within_seconds_go_out_once_each_and_ended_sessions_complete(
    start_worker, settings, tmp_path
):
    mail_dir = tmp_path / "mail"
    settings.REMINDER_LEADS_MINUTES = (1,)
    now = timezone.now()
    session = create_group_session(
        host=MentorFactory(),
        title="Office hours",
        start=now + timedelta(minutes=1, seconds=5),
        duration=20,
        capacity=5,
        now=now,
    )
    for _ in range(2):
        join_session(session=session, person=UserFactory(), now=now)
    ended = GroupSessionFactory(start=now - timedelta(hours=1), duration=30)
    due = set(
        OutboundMessage.objects.filter(kind__in=["reminder", "group_seated"]).values_list("id", flat=True)
    )
    assert OutboundMessage.objects.filter(kind="reminder").count() == 3  # the host and the two seated
    worker = start_worker(concurrency=2, extra_args=with_beat(tmp_path), extra_env=worker_env(mail_dir))

    wait_until_all_sent(len(due), timeout=60)
    sweep_again([worker])

    assert_each_delivered_once(mail_dir, due)
    assert set(OutboundMessage.objects.filter(kind="feedback_prompt").values_list("status", flat=True)) == {
        "pending"
    }
    wait_until(
        lambda: GroupSession.objects.get(pk=ended.pk).status == "completed",
        timeout=30,
        message="the worker's sweep to complete the ended group session",
    )
    assert GroupSession.objects.get(pk=session.pk).status == "scheduled"
