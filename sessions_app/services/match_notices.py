"""Match-found notices: matching says a mentor is now free for a request, we write the asker's outbox row."""

from django.db import transaction
from django.utils import timezone

from matching.notifications import MatchFound
from sessions_app.models import OutboundMessage
from sessions_app.outbox import start_delivery


def queue_match_found(event: MatchFound) -> None:
    """matching's notifier (registered in apps.py): runs inside matching's transaction, which holds the
    request's row, so counting earlier notices gives each new one its own sequence."""
    now = timezone.now()
    earlier = OutboundMessage.objects.filter(
        request_id=event.request_id, kind=OutboundMessage.Kind.MATCH_FOUND
    ).count()
    OutboundMessage.objects.create(
        request_id=event.request_id,
        kind=OutboundMessage.Kind.MATCH_FOUND,
        recipient_id=event.asker_id,
        sequence=earlier,
        due_at=now,
        created_at=now,
    )
    transaction.on_commit(start_delivery, robust=True)
