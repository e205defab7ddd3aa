"""The database connection lost between sending an email and recording it (a PostgreSQL restart, a failover):
the outcome is recorded once the database answers again, so the row is never claimed again and re-sent."""

from datetime import timedelta

import psycopg2
import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from sessions_app.models import OutboundMessage
from sessions_app.outbox import claim_due_messages, send_messages
from tests.factories import OutboundMessageFactory
from tests.sessions_app.test_outbox_claims import hooked_mail  # noqa: F401  (the fixture)


def cut_this_connection() -> None:
    """Terminates this process's database session from another one, as a restart does."""
    backend = connection.connection.get_backend_pid()
    settings = connection.settings_dict
    other = psycopg2.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"],
        port=settings["PORT"],
    )
    try:
        other.autocommit = True
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [backend])
    finally:
        other.close()


@pytest.mark.django_db(transaction=True)
def test_a_send_whose_database_connection_is_cut_is_recorded_and_never_sent_again(hooked_mail, settings):  # noqa: F811
    if connection.vendor != "postgresql":
        pytest.fail("this test needs PostgreSQL: run it with `make test`")
    first, second = OutboundMessageFactory.create_batch(2)
    claim = timezone.now()
    assert sorted(claim_due_messages(now=claim, batch_size=10)) == sorted([first.pk, second.pk])
    connection.ensure_connection()
    hooked_mail.append(cut_this_connection)  # while the first email goes out

    assert send_messages(message_ids=[first.pk, second.pk], now=claim, claimed_at=claim) == 2

    assert sorted(OutboundMessage.objects.values_list("status", flat=True)) == ["sent", "sent"]
    later = timezone.now() + timedelta(seconds=settings.OUTBOX_RECLAIM_AFTER_SECONDS + 1)
    assert claim_due_messages(now=later, batch_size=10) == []  # nothing left "sending" to claim again
    assert len(mail.outbox) == 2
