"""Celery tasks of insights: keeping the weekly summary tables fresh (insights.rollups).

Beat runs `refresh_insights` every few minutes (recent weeks) and `refresh_insights(full=True)` nightly; a
dashboard that finds the tables older than STALE_AFTER asks for a refresh itself (in-process without Redis).
"""

import logging
from datetime import datetime, timedelta

from celery import shared_task
from django.utils import timezone

from insights import rollups
from insights.selectors.summary import refreshed_at

STALE_AFTER = timedelta(minutes=10)
logger = logging.getLogger(__name__)


@shared_task(name="insights.tasks.refresh_insights", ignore_result=True)
def refresh_insights(full: bool = False) -> str:
    """Rebuilds the recent weeks of the summary tables (every week with data when `full` or on first use)."""
    state = rollups.refresh(now=timezone.now(), full=full)
    return f"insights refreshed: weeks {state.first_week} to {state.last_week}"


def refresh_if_stale(*, now: datetime) -> None:
    """Asks for a refresh when the tables are missing or older than STALE_AFTER; never fails the page."""
    refreshed = refreshed_at()
    if refreshed is not None and now - refreshed < STALE_AFTER:
        return
    try:
        refresh_insights.delay(full=refreshed is None)
    except Exception:  # a broker outage must not take the dashboard down: it shows the last figures
        logger.exception("Could not queue an insights refresh")
