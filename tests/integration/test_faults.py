"""The fault suite of issue 13: bookings over HTTP while Redis is frozen, then stopped, while a worker is
SIGKILLed (a pool child first, then a whole worker), and while two beats run at once.

Gunicorn as deployed (config/gunicorn.conf.py: sync workers, DEBUG off) takes bookings all along from a
client thread; a real worker with beat sends the outbox on a private redis-server. Every request must be
answered (no 5xx, none held past a guard far above the configured timeouts) and every booking's two
confirmations must go out exactly once.
A PostgreSQL restart under load is tests/integration/test_postgres_restart.py.
"""

import json
import os
import signal
import time
from datetime import time as clock

from rest_framework.authtoken.models import Token

from marketplace.models import AvailabilityBlock
from sessions_app.models import OutboundMessage
from tests.child_processes import descendants
from tests.deploy.conftest import production_env
from tests.factories import MentorFactory, UserFactory
from tests.integration.conftest import ARTIFACTS, database_url_for_workers
from tests.integration.delivery import assert_each_delivered_once, sweep_again, with_beat, worker_env
from tests.integration.fault_load import BookingClient
from tests.waiting import wait_until

FAULT_SECONDS = 6


def open_mentors(count: int) -> list:
    mentors = MentorFactory.create_batch(count, timezone="Europe/Berlin")
    AvailabilityBlock.objects.bulk_create(
        AvailabilityBlock(mentor=mentor, weekday=weekday, start=clock(0, 0), end=clock(23, 50))
        for mentor in mentors
        for weekday in range(7)
    )
    return mentors


def pool_children(worker) -> list[int]:
    return [process.pid for process in descendants(worker.process.pid).values()]


def test_bookings_through_redis_and_worker_faults_are_answered_and_confirmed_exactly_once(
    start_worker, start_gunicorn, private_redis, broker_at, tmp_path
):
    mail_dir = tmp_path / "mail"
    broker_at(private_redis.url)
    env = worker_env(mail_dir, REDIS_URL=private_redis.url, OUTBOX_RECLAIM_AFTER_SECONDS="5")
    first = start_worker(concurrency=2, extra_args=with_beat(tmp_path / "beat-1"), extra_env=env)
    mentee = UserFactory(timezone="Europe/London")
    mentors = [mentor.pk for mentor in open_mentors(200)]
    server = start_gunicorn(
        production_env(
            DATABASE_URL=database_url_for_workers(),
            REDIS_URL=private_redis.url,
            WEB_CONCURRENCY="3",
            GUNICORN_MAX_REQUESTS="0",
        ),
        arguments=("-c", "config/gunicorn.conf.py"),
    )
    client = BookingClient(f"http://127.0.0.1:{server.port}", Token.objects.create(user=mentee).key, mentors)
    client.start()
    try:
        wait_until(lambda: len(client.answers) >= 3, timeout=60, message="the first bookings")

        private_redis.freeze()
        time.sleep(FAULT_SECONDS)  # the fault lasts this long: bookings go on meanwhile
        private_redis.thaw()

        private_redis.stop()
        time.sleep(FAULT_SECONDS)
        private_redis.start()

        [child, *_] = pool_children(first)
        os.kill(child, signal.SIGKILL)  # a pool child, in the middle of whatever it does
        time.sleep(FAULT_SECONDS / 2)
        first.kill()  # the whole worker and its beat
        second = start_worker(concurrency=2, extra_args=with_beat(tmp_path / "beat-2"), extra_env=env)
        third = start_worker(
            concurrency=1, extra_args=with_beat(tmp_path / "beat-3"), extra_env=env
        )  # 2 beats
        time.sleep(FAULT_SECONDS)
    finally:
        client.stop()

    statuses = [answer.status for answer in client.answers]
    (ARTIFACTS / "faults-summary.json").write_text(  # the figures of docs/benchmarks.md, not asserted
        json.dumps(
            {"requests": len(statuses), "max_seconds": max(answer.seconds for answer in client.answers)}
        )
    )
    assert len(statuses) >= 10
    assert [status for status in statuses if status != 201] == []  # no 5xx, no request left unanswered
    confirmations = set(
        OutboundMessage.objects.filter(booking_id__in=client.booked, kind="confirmation").values_list(
            "id", flat=True
        )
    )
    assert len(confirmations) == 2 * len(client.booked)
    wait_until(
        lambda: (
            OutboundMessage.objects.filter(pk__in=confirmations, status="sent").count() == len(confirmations)
        ),
        timeout=120,
        interval=0.5,
        message=lambda: f"every confirmation sent:\n{second.log_tail(2000)}",
    )
    sweep_again([second, third])
    assert_each_delivered_once(
        mail_dir, set(OutboundMessage.objects.filter(status="sent").values_list("id", flat=True))
    )
