"""Item 11 of issue 13: a Redis that is stopped or frozen (SIGSTOP) neither fails nor holds up a booking.

The booking commits, its outbox rows are the truth, and queuing the sweep that would send them at once is a
nudge: bounded by short timeouts, swallowed and logged when the broker is away, and not tried again for a few
seconds, so a frozen Redis costs one timeout per window rather than one per request. Through HTTP, on a live
server whose Celery publishes to a private redis-server.
"""

import json
import logging
import urllib.request
from datetime import time as clock

import pytest
from rest_framework.authtoken.models import Token

from config import publishing
from config.celery import app as celery_app
from marketplace.models import AvailabilityBlock
from sessions_app.models import Booking, OutboundMessage
from tests.factories import MentorFactory, UserFactory
from tests.sessions_app.helpers import payload, slot, z

# A guard against a hang, far above the publisher's 1 s timeout: with Celery's own connection a frozen Redis
# held each booking for 45 s.
HANG_GUARD_SECONDS = 20


def call(url: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST" if body is not None else "GET",
    )
    with urllib.request.urlopen(request, timeout=HANG_GUARD_SECONDS) as response:
        return response.status, json.loads(response.read() or b"{}")


def open_mentor():
    mentor = MentorFactory(timezone="Europe/Berlin")
    AvailabilityBlock.objects.bulk_create(
        AvailabilityBlock(mentor=mentor, weekday=weekday, start=clock(0, 0), end=clock(23, 50))
        for weekday in range(7)
    )
    return mentor


@pytest.fixture
def publisher_at(private_redis, broker_at, monkeypatch):
    broker_at(private_redis.url)
    assert not celery_app.conf.task_always_eager  # REDIS_URL is set: tasks go to the broker
    monkeypatch.setattr(publishing, "_down_until", 0.0)
    return private_redis


@pytest.mark.parametrize("outage", ["stopped", "frozen"])
def test_bookings_answer_at_once_while_redis_is_away_and_only_the_first_tries_it(
    outage, live_server, publisher_at, caplog
):
    mentor = open_mentor()
    mentee = UserFactory(timezone="Europe/London")
    token = Token.objects.create(user=mentee).key
    if outage == "stopped":
        publisher_at.stop()
    else:
        publisher_at.freeze()

    with caplog.at_level(logging.INFO, logger="config.publishing"):
        answers = [
            call(
                f"{live_server.url}/api/v1/bookings/",
                token,
                payload(mentor, start=z(slot(days=3, hour=hour))),
            )
            for hour in (9, 11, 13)
        ]
        mentors_status, _ = call(f"{live_server.url}/api/v1/mentors/", token)

    assert [status for status, _ in answers] == [201, 201, 201]
    assert mentors_status == 200
    booked = Booking.objects.filter(pk__in=[body["id"] for _, body in answers])
    assert booked.count() == 3
    assert (
        OutboundMessage.objects.filter(booking__in=booked, kind="confirmation", status="pending").count() == 6
    )
    tried = [record for record in caplog.records if record.getMessage().startswith("broker unreachable (")]
    skipped = [record for record in caplog.records if "unreachable a moment ago" in record.getMessage()]
    assert (len(tried), len(skipped)) == (1, 2)


def test_with_redis_up_a_booking_queues_its_sweep(live_server, publisher_at):
    mentor = open_mentor()
    token = Token.objects.create(user=UserFactory(timezone="Europe/London")).key

    status, _ = call(f"{live_server.url}/api/v1/bookings/", token, payload(mentor, start=z(slot(days=3))))

    assert status == 201
    queued = [json.loads(raw)["headers"]["task"] for raw in publisher_at.client().lrange("celery", 0, -1)]
    assert queued == ["sessions_app.tasks.send_due_messages"]
