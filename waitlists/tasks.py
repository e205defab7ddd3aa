"""Celery tasks of waiting lists: one per mentor whose time may have come free, and beat's check every
minute of every mentor someone waits for (lapsed holds pass on, past deadlines expire, and whatever a lost
nudge missed is offered)."""

from celery import shared_task

from config.publishing import publish_quietly
from waitlists.services import offers

OFFER_TASK = "waitlists.tasks.offer_freed_time"


@shared_task(name=OFFER_TASK, ignore_result=True)
def offer_freed_time(mentor_id: int) -> int:
    """Brings one mentor's waiting list up to date; returns how many offers it made."""
    return len(offers.offer_freed_time(mentor_id=mentor_id))


@shared_task(name="waitlists.tasks.check_waitlists", ignore_result=True)
def check_waitlists() -> int:
    """Queues `offer_freed_time` for every mentor someone is waiting for; returns how many."""
    mentor_ids = offers.mentors_to_check()
    for mentor_id in mentor_ids:
        offer_freed_time.delay(mentor_id)
    return len(mentor_ids)


def queue_offer_freed_time(mentor_id: int) -> None:
    """The time-change listener (after the change committed): a task for the mentor, never raising for a
    broker that is away (beat's check catches up)."""
    publish_quietly(OFFER_TASK, args=(mentor_id,))
