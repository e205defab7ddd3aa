"""Issue 13's fault suite, the PostgreSQL part: bookings and reads over HTTP through gunicorn (production
settings, DEBUG off) while a private PostgreSQL cluster is stopped (`pg_ctl stop -m fast`: every session is
cut) and started again, with a real Celery worker and beat sending the outbox on a private redis-server.

What must hold:
- while the database is down, requests fail fast (503 with Retry-After, config/errors.py, within the 5 s
  connect timeout; never a 500) and /healthz says 503;
- once PostgreSQL accepts connections again, no request that begins fails: each gunicorn worker's persistent
  connection is stale, and CONN_HEALTH_CHECKS makes the first request on it reconnect instead of erroring
  (without it, the first request of every worker fails). The bound is the moment `pg_ctl start -w`
  returns, measured in this process, so it is never early; no time margin is needed. A request under way
  when a fault begins may fail as well;
- every request is answered (none held past ANSWER_WITHIN_SECONDS, far above the timeouts);
- every booking answered 201 gets its two confirmations, each delivered exactly once (the worker reconnects
  too; a sweep the outage cut leaves rows "sending", claimed again after OUTBOX_RECLAIM_AFTER_SECONDS).
"""

import json
import time
import urllib.request
import uuid

import psycopg2
import pytest

from config.celery import app as celery_app
from sessions_app.models import OutboundMessage
from tests.deploy.conftest import production_env
from tests.integration.conftest import ARTIFACTS, WorkerProcess
from tests.integration.delivery import assert_each_delivered_once, sweep_again, with_beat, worker_env
from tests.integration.fault_load import Answer, BookingClient, ReadingClient, call, migrate, seed
from tests.postgres_server import PostgresServer
from tests.waiting import wait_until

DOWN_SECONDS = 3  # the second outage lasts this long, the load going on
AFTER_SECONDS = 5  # load after each restart: every gunicorn worker meets its stale connection
OUTBOX = OutboundMessage._meta.db_table


@pytest.fixture
def private_postgres():
    server = PostgresServer()
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.destroy()


def healthz(base_url: str) -> Answer:
    return call(urllib.request.Request(f"{base_url}/healthz"))


def outbox_rows(database_url: str, where: str = "TRUE", arguments: tuple = ()) -> list[tuple]:
    connection = psycopg2.connect(database_url, connect_timeout=5)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id, booking_id, kind, status FROM {OUTBOX} WHERE {where}", arguments)
            return cursor.fetchall()
    finally:
        connection.close()


def test_postgres_restart_under_load_fails_only_while_it_is_down_and_confirms_each_booking_once(
    private_postgres, private_redis, broker_at, start_gunicorn, tmp_path
):
    database_url = private_postgres.create_database("sidebar")
    env = production_env(DATABASE_URL=database_url, REDIS_URL=private_redis.url)
    migrate(env)
    seeded = seed(env, clients=2, mentors_each=60)

    mail_dir = tmp_path / "mail"
    ARTIFACTS.mkdir(exist_ok=True)
    worker = WorkerProcess(
        {**env, **worker_env(mail_dir, OUTBOX_RECLAIM_AFTER_SECONDS="5"), "LOG_LEVEL": "INFO"},
        f"pg-{uuid.uuid4().hex[:8]}",
        ARTIFACTS / "worker-postgres-restart.log",
        ["--concurrency=2", *with_beat(tmp_path / "beat")],
    )
    try:
        worker.wait_ready()
        server = start_gunicorn(
            {**env, "WEB_CONCURRENCY": "3", "GUNICORN_MAX_REQUESTS": "0"},
            arguments=("-c", "config/gunicorn.conf.py"),
        )
        base_url = f"http://127.0.0.1:{server.port}"
        bookers = [
            BookingClient(base_url, client["token"], client["mentors"], name=f"booker-{number}")
            for number, client in enumerate(seeded.clients)
        ]
        clients = [*bookers, ReadingClient(base_url, seeded.clients[0]["token"])]
        for client in clients:
            client.start()
        try:
            wait_until(
                lambda: all(len(client.answers) >= 3 for client in clients),
                timeout=60,
                message="the first answers",
            )
            assert healthz(base_url).status == 200
            windows = []  # (fault began, database answering again): failures must overlap one of these

            # A quick restart: most gunicorn workers see nothing of it but the stale connection they keep.
            began = time.monotonic()
            private_postgres.restart()
            windows.append((began, time.monotonic()))
            time.sleep(AFTER_SECONDS)

            # A longer outage: every request meanwhile fails fast, and /healthz says so.
            began = time.monotonic()
            private_postgres.stop("fast")
            down = wait_until(
                lambda: answer if (answer := healthz(base_url)).status == 503 else None,
                timeout=DOWN_SECONDS + 10,
                interval=0.1,
                message="/healthz to answer 503 while the database is down",
            )
            assert json.loads(down.body)["database"] == "down"
            time.sleep(max(0.0, DOWN_SECONDS - (time.monotonic() - began)))
            private_postgres.start()
            windows.append((began, time.monotonic()))
            assert healthz(base_url).status == 200
            time.sleep(AFTER_SECONDS)
        finally:
            for client in clients:
                client.stop()

        answers = [(answer, client.ok) for client in clients for answer in client.answers]
        (ARTIFACTS / "faults-postgres-summary.json").write_text(
            json.dumps(
                {
                    "requests": len(answers),
                    "5xx": sum(answer.status >= 500 for answer, _ in answers),
                    "max_seconds": max(answer.seconds for answer, _ in answers),
                }
            )
        )
        assert [answer for answer, _ in answers if answer.status == 0] == []  # every request answered
        assert [answer for answer, ok in answers if answer.status not in (ok, 503)] == []
        for (_, up_at), (next_fault, _) in zip(windows, [*windows[1:], (float("inf"), 0.0)], strict=True):
            after = [answer for answer, _ in answers if up_at <= answer.began < next_fault]
            assert (
                len(after) >= 3 * 3
            )  # every gunicorn worker met its stale connection (likely several times)
        # A request may fail if it was under way at any moment from a fault until the database answered again:
        # one that began just before the fault can lose its connection at COMMIT.
        in_a_window = [
            any(answer.began < up and answer.began + answer.seconds >= began for began, up in windows)
            for answer, _ in answers
        ]
        failed_outside = [
            answer
            for (answer, ok), inside in zip(answers, in_a_window, strict=True)
            if answer.status != ok and not inside
        ]
        assert failed_outside == [], (
            [(answer.status, round(answer.began, 2), answer.body[:300]) for answer in failed_outside],
            [(round(began, 2), round(up, 2)) for began, up in windows],
            server.log()[-4000:],
        )

        booked = [booking for booker in bookers for booking in booker.booked]
        confirmations = {
            row[0]
            for row in outbox_rows(database_url, "booking_id = ANY(%s) AND kind = 'confirmation'", (booked,))
        }
        assert len(confirmations) == 2 * len(booked)
        wait_until(
            lambda: {row[0] for row in outbox_rows(database_url, "status = 'sent'")} >= confirmations,
            timeout=120,
            interval=0.5,
            message=lambda: f"every confirmation sent:\n{worker.log_tail(2000)}",
        )
        broker_at(private_redis.url)
        eager, celery_app.conf.task_always_eager = celery_app.conf.task_always_eager, False
        try:
            sweep_again([worker])
        finally:
            celery_app.conf.task_always_eager = eager
        assert_each_delivered_once(mail_dir, {row[0] for row in outbox_rows(database_url, "status = 'sent'")})
    finally:
        worker.stop()
