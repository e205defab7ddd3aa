"""Informal mentoring moments, logged by the person who gave them."""

from datetime import UTC, date, datetime

from django.utils import timezone
from django.utils.translation import gettext

from marketplace.errors import InvalidInput
from marketplace.models import User
from marketplace.timezones import get_zone
from sessions_app.models import MOMENT_MAX_AGE, MOMENT_NOTE_MAX_LENGTH, MOMENT_WITH_NAME_MAX_LENGTH, Moment


def log_moment(
    *,
    author: User,
    kind: str,
    note: str,
    happened_on: date | None = None,
    with_person: User | None = None,
    with_name: str = "",
    now: datetime | None = None,
) -> Moment:
    """Records an informal mentoring moment (docs/design.md flow 5): what kind, with whom, one line."""
    now = now or timezone.now()
    today = local_today(author, now)
    happened_on = happened_on or today
    note = " ".join((note or "").split())
    with_name = " ".join((with_name or "").split())
    if kind not in Moment.Kind.values:
        raise InvalidInput("kind", gettext("Pick a kind: tip, encouragement, introduction, advice or other."))
    if not note:
        raise InvalidInput("note", gettext("Say in one line what happened."))
    if len(note) > MOMENT_NOTE_MAX_LENGTH:
        raise InvalidInput(
            "note",
            gettext("Keep it to one line (under %(count)s characters).") % {"count": MOMENT_NOTE_MAX_LENGTH},
        )
    if len(with_name) > MOMENT_WITH_NAME_MAX_LENGTH:
        raise InvalidInput(
            "with_name",
            gettext("Keep the name under %(count)s characters.") % {"count": MOMENT_WITH_NAME_MAX_LENGTH},
        )
    if with_person is not None and with_person.pk == author.pk:
        raise InvalidInput("with_person", gettext("Log a moment with someone else."))
    if happened_on > today:
        raise InvalidInput("happened_on", gettext("That day has not come yet."))
    if happened_on < today - MOMENT_MAX_AGE:
        raise InvalidInput("happened_on", gettext("Log moments from the last year."))
    return Moment.objects.create(
        author=author,
        kind=kind,
        note=note,
        happened_on=happened_on,
        with_person=with_person,
        with_name="" if with_person is not None else with_name,
        created_at=now,
    )


def local_today(user: User, now: datetime) -> date:
    try:
        return now.astimezone(get_zone(user.timezone)).date()
    except ValueError:
        return now.astimezone(UTC).date()
