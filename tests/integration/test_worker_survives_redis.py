"""Item 13 of issue 13: a worker survives losing its broker, also while it holds a task, and carries on.

A real `celery worker` on a private redis-server, which is stopped and started again, then frozen (SIGSTOP)
and thawed, each time in the middle of sending a batch (each email is slow on purpose). After each outage the
same worker process is still there and every message has gone out once.
"""

import time

from sessions_app.tasks import send_due_messages
from tests.factories import OutboundMessageFactory
from tests.integration.delivery import assert_each_delivered_once, deliveries, wait_until_all_sent, worker_env
from tests.waiting import wait_until

OUTAGE_SECONDS = 15  # longer than the workers' 10 s socket timeout and their 10 s health checks


def test_a_worker_holding_a_task_survives_redis_stopped_and_frozen_and_delivers_everything_once(
    start_worker, private_redis, broker_at, tmp_path
):
    mail_dir = tmp_path / "mail"
    env = worker_env(
        mail_dir, REDIS_URL=private_redis.url, SIDEBAR_TEST_SEND_DELAY="0.5", OUTBOX_RECLAIM_AFTER_SECONDS="5"
    )
    worker = start_worker(concurrency=2, extra_env=env)
    broker_at(private_redis.url)
    sent_ids: set[int] = set()

    for outage in (private_redis.stop, private_redis.freeze):
        messages = OutboundMessageFactory.create_batch(8)
        sent_ids |= {message.pk for message in messages}
        already = len(deliveries(mail_dir))
        send_due_messages.delay()

        def sending(already: int = already) -> bool:
            return len(deliveries(mail_dir)) > already

        wait_until(
            sending,
            timeout=60,
            message=lambda: f"the worker to start sending:\n{worker.log_tail(2000)}",
        )

        outage()  # while the worker holds the batch's task
        time.sleep(OUTAGE_SECONDS)  # the outage itself: nothing to wait for
        if private_redis.frozen:
            private_redis.thaw()
        else:
            private_redis.start()

        assert worker.process.poll() is None, f"the worker died:\n{worker.log_tail(3000)}"

        def all_out(expected: int = len(sent_ids)) -> bool:
            send_due_messages.delay()  # beat is not running: sweeps are queued here until every row is out
            return len(deliveries(mail_dir)) >= expected

        wait_until(
            all_out,
            timeout=120,
            interval=2,
            message=lambda: f"every message sent after the outage:\n{worker.log_tail(3000)}",
        )

    wait_until_all_sent(len(sent_ids), timeout=60)
    assert worker.process.poll() is None
    assert "Unrecoverable error" not in worker.log_path.read_text()
    assert_each_delivered_once(mail_dir, sent_ids)
