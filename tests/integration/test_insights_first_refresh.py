"""A new deployment: the dashboard says its figures are being computed until a real worker has filled them."""

from datetime import timedelta

from django.utils import timezone

from insights.models import RollupState
from tests.factories import PASSWORD, BookingFactory, UserFactory
from tests.waiting import wait_until

COMPUTING = "The figures are being computed"


def test_the_dashboard_says_figures_are_being_computed_until_a_worker_has_filled_the_tables(
    client, hr, start_worker
):
    mentor = UserFactory(is_mentor=True)
    for days_ago in (3, 10, 17):
        BookingFactory(mentor=mentor, start=timezone.now() - timedelta(days=days_ago), status="completed")
    assert not RollupState.objects.exists()
    assert client.login(email=hr.email, password=PASSWORD)

    waiting = client.get("/insights/").content.decode()  # queues the first refresh; no worker runs yet
    assert COMPUTING in waiting
    assert "Headline figures" not in waiting
    assert 'id="insights-charts"' not in waiting

    start_worker()
    wait_until(
        RollupState.objects.exists, timeout=60, message=lambda: "the worker to fill the summary tables"
    )

    ready = client.get("/insights/").content.decode()
    assert COMPUTING not in ready
    assert "Headline figures" in ready
    assert 'id="insights-charts"' in ready
