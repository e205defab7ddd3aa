"""Celery tasks of matching, run from the beat schedule (and by sessions_app when a mentor frees up time)."""

from celery import shared_task

from config.publishing import publish_quietly
from matching import services

REMATCH_FOR_MENTOR_TASK = "matching.tasks.rematch_requests_for_mentor"


@shared_task(name="matching.tasks.rematch_open_requests")
def rematch_open_requests() -> int:
    """Re-ranks open requests (unmatched first, then the stalest); returns how many newly found someone."""
    return len(services.rematch_open_requests())


@shared_task(name="matching.tasks.expire_requests")
def expire_requests() -> int:
    """Open requests past their deadline become expired; returns how many."""
    return services.expire_requests()


@shared_task(name=REMATCH_FOR_MENTOR_TASK)
def rematch_requests_for_mentor(mentor_id: int) -> int:
    """After a mentor frees up time (a cancellation, say): re-ranks the open requests for their skills."""
    return len(services.rematch_requests_for_mentor(mentor_id=mentor_id))


def queue_rematch_for_mentor(mentor_id: int) -> None:
    """The time-change listener (marketplace.time_changes, after the change committed): a re-match task for
    the mentor, never raising for a broker that is away (beat re-matches every 10 minutes anyway)."""
    publish_quietly(REMATCH_FOR_MENTOR_TASK, args=(mentor_id,))
