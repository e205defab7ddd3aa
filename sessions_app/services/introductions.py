"""Introductions: someone puts a colleague in touch with a mentor; both hear about it through the outbox."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from marketplace.errors import InvalidInput
from marketplace.models import User
from matching.models import MentorRequest
from sessions_app.models import INTRODUCTION_NOTE_MAX_LENGTH, Introduction, OutboundMessage
from sessions_app.outbox import start_delivery


@transaction.atomic
def introduce(
    *,
    introducer: User,
    colleague: User,
    mentor: User,
    note: str,
    request_id: int | None = None,
    now: datetime | None = None,
) -> Introduction:
    """Introduces `colleague` to `mentor` with a short note; both get a message (outbox, in this transaction).

    `request_id` (optional) is the introducer's own mentor request: its topic and context go into the messages
    and pre-fill the booking the colleague is offered. Only its asker may send it along: a colleague's request
    (topic, private context) is refused like a stranger's, so nobody can mail it to a mentor the asker did not
    choose.
    """
    now = now or timezone.now()
    note = (note or "").strip()
    if not note:
        raise InvalidInput("note", gettext("Say in a line why they should talk."))
    if len(note) > INTRODUCTION_NOTE_MAX_LENGTH:
        raise InvalidInput(
            "note",
            gettext("Keep the note under %(count)s characters.") % {"count": INTRODUCTION_NOTE_MAX_LENGTH},
        )
    if not (mentor.is_mentor and mentor.is_active):
        raise InvalidInput("mentor", gettext("This person does not offer mentoring sessions."))
    if not colleague.is_active:
        raise InvalidInput("colleague", gettext("No active colleague with this address."))
    if colleague.pk == mentor.pk:
        raise InvalidInput("colleague", gettext("Introduce the mentor to someone else."))
    if (
        request_id is not None
        and not MentorRequest.objects.filter(pk=request_id, asker_id=introducer.pk).exists()
    ):
        raise InvalidInput("request", gettext("No such request of yours."))
    introduction = Introduction.objects.create(
        introducer=introducer,
        colleague=colleague,
        mentor=mentor,
        request_id=request_id,
        note=note,
        created_at=now,
    )
    OutboundMessage.objects.bulk_create(
        OutboundMessage(
            introduction=introduction,
            kind=OutboundMessage.Kind.INTRODUCTION,
            recipient_id=recipient_id,
            due_at=now,
            created_at=now,
        )
        for recipient_id in (colleague.pk, mentor.pk)
    )
    transaction.on_commit(start_delivery, robust=True)
    return introduction
