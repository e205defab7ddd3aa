"""Turning an outbox row into an email (text and HTML, the time in the recipient's zone, an ICS for invites
and changes) and, when SLACK_WEBHOOK_URL or TEAMS_WEBHOOK_URL is set, a short note about the same event in
Slack (a line of text) or Microsoft Teams (an Adaptive Card)."""

import json
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from email.mime.base import MIMEBase
from email.utils import parseaddr
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.dateformat import format as date_format
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_noop as _

from marketplace.i18n import language_of
from marketplace.models import User
from marketplace.timezones import get_zone
from sessions_app import calendar, links
from sessions_app.models import FEEDBACK_RATINGS, Booking, OutboundMessage

SUBJECTS: dict[str, str] = {
    OutboundMessage.Kind.CONFIRMATION: _("Booked: {duration} min with {other}, {when}"),
    OutboundMessage.Kind.RESCHEDULE: _("Moved: your session with {other} is now {when}"),
    OutboundMessage.Kind.CANCELLATION: _("Cancelled: {duration} min with {other}, {when}"),
    OutboundMessage.Kind.REMINDER: _("Reminder: {duration} min with {other} {lead}, {when}"),
    OutboundMessage.Kind.FEEDBACK_PROMPT: _("How was your session with {other}?"),
    OutboundMessage.Kind.FOLLOW_UP: _("A week on: did your session with {other} unblock you?"),
}
OTHER_SUBJECTS: dict[str, str] = {
    OutboundMessage.Kind.MATCH_FOUND: _("A mentor is now free for your request: {topic}"),
    OutboundMessage.Kind.INTRODUCTION: _("{introducer} introduced you to {other}"),
}
# Invites and changes carry an ICS; reminders and questions afterwards do not.
WITH_INVITE = {
    OutboundMessage.Kind.CONFIRMATION,
    OutboundMessage.Kind.RESCHEDULE,
    OutboundMessage.Kind.CANCELLATION,
}
OUTBOX_HEADER = "X-Sidebar-Outbox-Id"
# Seconds a chat webhook (Slack, Teams) may take to connect and to answer: a hung one costs a send this long.
WEBHOOK_TIMEOUT_SECONDS = 5
# The setting that turns each chat channel on, by its webhook's address.
CHAT_WEBHOOK_SETTINGS: dict[str, str] = {
    OutboundMessage.Channel.SLACK: "SLACK_WEBHOOK_URL",
    OutboundMessage.Channel.TEAMS: "TEAMS_WEBHOOK_URL",
}

_Related = TypeVar("_Related")


@dataclass(frozen=True)
class BuiltElsewhere:
    """A message about something of an app above sessions_app (a seat in a group session), written by that
    app's builder: the outbox claims, sends, retries and notes it on chat like any other (docs/design.md,
    "Hooks instead of upward imports"). Built in the recipient's language (compose overrides it)."""

    subject: str
    template: str  # the email's templates, without ".txt"/".html"
    context: dict
    page_url: str  # the Sidebar page the message is about (the chat note's button)
    page_title: str
    join_url: str = ""  # the meeting link, when the message invites
    invite: bytes | None = None  # an ICS to attach
    invite_method: str = ""  # its METHOD (REQUEST, CANCEL)


MessageBuilder = Callable[[OutboundMessage], BuiltElsewhere]
_builders: dict[str, MessageBuilder] = {}
BUILT = "built_elsewhere"  # where message_context keeps a builder's result


def register_message_builder(kinds: Iterable[str], builder: MessageBuilder) -> None:
    """Called in an AppConfig.ready(): `builder` writes the outbox rows of these kinds that are about what
    another app keeps (a seat in a group session, a time held on a waiting list); a reminder or a feedback
    prompt about a booking, and a row that has lost what it was about, are written (or refused) here."""
    for kind in kinds:
        _builders[kind] = builder


def _builder_for(message: OutboundMessage) -> MessageBuilder | None:
    about_elsewhere = message.group_seat_id is not None or message.waitlist_offer_id is not None
    return _builders.get(message.kind) if about_elsewhere else None


class Withdrawn(Exception):
    """Raised by a builder when its row is not to go out any more (the seat was given up, the session moved
    or was cancelled since the row was queued): the outbox cancels the row instead of sending it."""


def local_when(start: datetime, end: datetime, zone_name: str) -> str:
    """'Tuesday 10 March 2026, 10:00–10:30 (America/New_York, EDT)': a person's own wall-clock time."""
    zone = get_zone(zone_name)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    abbreviation = local_start.strftime("%Z")
    label = zone_name if abbreviation == zone_name else f"{zone_name}, {abbreviation}"
    day = date_format(local_start, gettext("l j F Y"))
    return f"{day}, {local_start:%H:%M}–{local_end:%H:%M} ({label})"


def short_when(start: datetime, zone_name: str) -> str:
    local = start.astimezone(get_zone(zone_name))
    return f"{date_format(local, gettext('D j M H:i'))} ({zone_name})"


def lead_text(minutes: int) -> str:
    """'in 24 hours', 'in 1 hour', 'in 15 minutes'."""
    if minutes and minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("in %(count)s hour", "in %(count)s hours", hours) % {"count": hours}
    return ngettext("in %(count)s minute", "in %(count)s minutes", minutes) % {"count": minutes}


def _about(message: OutboundMessage, related: _Related | None, name: str) -> _Related:
    """What a message of this kind is about: a booking, or (match_found) a request, or an introduction; the
    other two are empty, and a row of the kind without its own is a bug to name, not to write an email of."""
    if related is None:
        raise ValueError(f"Outbox message {message.pk} ({message.kind}) has no {name}.")
    return related


def message_context(message: OutboundMessage) -> dict:
    if (builder := _builder_for(message)) is not None:
        built = builder(message)
        return {"recipient": message.recipient, **built.context, BUILT: built}
    if message.kind == OutboundMessage.Kind.MATCH_FOUND:
        return _match_found_context(message)
    if message.kind == OutboundMessage.Kind.INTRODUCTION:
        return _introduction_context(message)
    booking = _about(message, message.booking, "booking")
    recipient: User = message.recipient
    zone_name = calendar.user_zone_name(recipient)
    other = booking.mentee if recipient.pk == booking.mentor_id else booking.mentor
    request = booking.request if booking.request_id else None
    context = {
        "booking": booking,
        "recipient": recipient,
        "other": other,
        "is_mentor": recipient.pk == booking.mentor_id,
        "when": local_when(booking.start, booking.end, zone_name),
        "zone_name": zone_name,
        "session_url": calendar.session_url(booking),
        "sessions_url": settings.SITE_URL + reverse("session-list"),
        "cancelled_by_other": booking.cancelled_by_id == other.pk,
        "lead": lead_text(message.lead_minutes),
        "request_context": request.context if request else "",
    }
    if message.kind == OutboundMessage.Kind.FEEDBACK_PROMPT:
        context["feedback_url"] = links.feedback_url(booking_id=booking.pk, user_id=recipient.pk)
        context["rating_urls"] = [
            (rating, links.feedback_url(booking_id=booking.pk, user_id=recipient.pk, rating=rating))
            for rating in FEEDBACK_RATINGS.values()
        ]
    if message.kind == OutboundMessage.Kind.FOLLOW_UP:
        context["follow_up_url"] = links.follow_up_url(booking_id=booking.pk, user_id=recipient.pk)
    return context


def _match_found_context(message: OutboundMessage) -> dict:
    request = _about(message, message.request, "request")
    recipient = message.recipient
    zone_name = calendar.user_zone_name(recipient)
    first: dict[str, Any] = (request.shortlist or [{}])[0] if isinstance(request.shortlist, list) else {}
    mentor_id = first.get("mentor_id")
    mentor = User.objects.filter(pk=mentor_id).first() if mentor_id else None
    first_slot = _parse_instant(first.get("slot_start"))
    return {
        "recipient": recipient,
        "request": request,
        "zone_name": zone_name,
        "mentor": mentor,
        "match_count": request.match_count,
        "first_slot": short_when(first_slot, zone_name) if first_slot else "",
        "request_url": settings.SITE_URL + reverse("request-detail", args=[request.pk]),
    }


def _introduction_context(message: OutboundMessage) -> dict:
    introduction = _about(message, message.introduction, "introduction")
    recipient = message.recipient
    is_mentor = recipient.pk == introduction.mentor_id
    request = introduction.request
    topic = request.topic if request else ""
    query = urlencode({"topic": topic} if topic else {})
    return {
        "recipient": recipient,
        "introduction": introduction,
        "is_mentor": is_mentor,
        "other": introduction.colleague if is_mentor else introduction.mentor,
        "introducer": introduction.introducer,
        "zone_name": calendar.user_zone_name(recipient),
        "request_context": request.context if request else "",
        "topic": topic,
        "slots_url": settings.SITE_URL
        + reverse("mentor-detail", args=[introduction.mentor_id])
        + (f"?{query}" if query else ""),
    }


def _parse_instant(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    parsed = parse_datetime(value)
    return parsed if parsed is not None and parsed.utcoffset() is not None else None


def subject_of(message: OutboundMessage, context: dict) -> str:
    if BUILT in context:
        return context[BUILT].subject
    if message.kind == OutboundMessage.Kind.MATCH_FOUND:
        return gettext(OTHER_SUBJECTS[message.kind]).format(topic=context["request"].topic)
    if message.kind == OutboundMessage.Kind.INTRODUCTION:
        introducer, other = context["introducer"], context["other"].name
        if introducer.pk == context["recipient"].pk:  # a sentence of its own: "You" takes another verb form
            return gettext("You introduced yourself to {other}").format(other=other)
        return gettext(OTHER_SUBJECTS[message.kind]).format(introducer=introducer.name, other=other)
    booking = context["booking"]
    return gettext(SUBJECTS[message.kind]).format(
        duration=booking.duration,
        other=context["other"].name,
        when=short_when(booking.start, context["zone_name"]),
        lead=context["lead"],
    )


def compose(message: OutboundMessage) -> EmailMultiAlternatives:
    """The email in the recipient's language, whoever's request queued it."""
    with translation.override(language_of(message.recipient)):
        return _compose(message)


def _compose(message: OutboundMessage) -> EmailMultiAlternatives:
    context = message_context(message)
    built: BuiltElsewhere | None = context.get(BUILT)
    template = built.template if built else f"sessions_app/email/{message.kind}"
    email = EmailMultiAlternatives(
        subject=subject_of(message, context),
        body=render_to_string(f"{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient.email],
        headers={OUTBOX_HEADER: str(message.pk), "Message-ID": message_id(message)},
    )
    email.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    if message.kind in WITH_INVITE and message.booking is not None:
        email.attach(_ics_part(message.booking, message.recipient))
    if built and built.invite:
        email.attach(_calendar_part(built.invite, built.invite_method))
    return email


def message_id(message: OutboundMessage) -> str:
    """The same for every attempt at one outbox row. Should a worker die between handing an email to the
    mail server and recording it as sent, the retry goes out with the same Message-ID, which mail systems
    treat as the same message rather than a second one."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "sidebar.invalid"
    return f"<outbox-{message.pk}.{message.created_at:%Y%m%d%H%M%S}@{domain}>"


class Unbuildable(Exception):
    """No email or note can be written of this outbox row (a name with a line break stored before names
    were checked, a row without what its kind is about): the row's fault, so retrying cannot help."""

    def __init__(self, message: OutboundMessage, error: Exception) -> None:
        super().__init__(f"Outbox message {message.pk} cannot be built: {error!r}")
        self.error = error


# What writing a message raises when its data cannot make one: BadHeaderError (a ValueError) for a line
# break in a header, ValueError from _about, UnicodeError; KeyError from a subject's placeholders.
BUILD_ERRORS = (ValueError, LookupError)


def _built_email(message: OutboundMessage) -> EmailMultiAlternatives:
    try:
        email = compose(message)
        email.message()  # writes the headers now, so a bad one is told apart from the mail server failing
    except BUILD_ERRORS as error:
        raise Unbuildable(message, error) from error
    return email


def send(message: OutboundMessage, *, connection=None) -> None:
    """Sends the email, over `connection` when given (a batch shares one: one SMTP login, not one each).
    Raises Unbuildable when the email cannot be written, anything else when it did not go out."""
    email = _built_email(message)
    email.connection = connection
    email.send(fail_silently=False)


def webhook_url(channel: str) -> str | None:
    """The webhook a chat channel posts to; None when it is off."""
    return getattr(settings, CHAT_WEBHOOK_SETTINGS[channel]) or None


def chat_channels_on() -> list[str]:
    """The chat channels whose webhook is set: each email sent gets a note on each."""
    return [channel for channel in CHAT_WEBHOOK_SETTINGS if webhook_url(channel)]


def _note_subject(message: OutboundMessage) -> tuple[dict, str]:
    """The message's context and subject in the active language; Unbuildable when its data cannot make one."""
    try:
        context = message_context(message)
        return context, subject_of(message, context)
    except BUILD_ERRORS as error:
        raise Unbuildable(message, error) from error


def _join_url(message: OutboundMessage, context: dict) -> str:
    """The meeting link, for an invite or a move (not for a cancellation, nor for what comes later)."""
    if BUILT in context:
        return context[BUILT].join_url
    if message.booking is not None and message.kind in WITH_INVITE - {OutboundMessage.Kind.CANCELLATION}:
        return message.booking.meeting_url
    return ""


def _slack_text(message: OutboundMessage) -> str:
    with translation.override(language_of(message.recipient)):
        context, subject = _note_subject(message)
        text = f"{context['recipient'].name}: {subject}"
        if join_url := _join_url(message, context):
            text += " " + gettext("Join: %(url)s") % {"url": join_url}
    return text


def slack_escaped(text: str) -> str:
    """Slack reads `<!channel>`, `<@U123>` and `<url|label>` in a note's text as pings and links: the three
    characters Slack's format gives meaning to are escaped, so a name or a topic is shown as typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _post_json(message: OutboundMessage, payload: dict) -> bytes:
    """POSTs `payload` to the message's channel's webhook with WEBHOOK_TIMEOUT_SECONDS; returns the start of
    the answer's body. Raises OSError when the webhook is not set or does not take it (errors, 4xx and 5xx,
    raise HTTPError, an OSError; a hung webhook raises TimeoutError)."""
    url = webhook_url(message.channel)
    if not url:
        raise OSError(f"{CHAT_WEBHOOK_SETTINGS[message.channel]} is not set")
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
        if not 200 <= response.status < 300:
            raise OSError(f"{message.get_channel_display()} answered {response.status}")
        return response.read(2000)


def post_to_slack(message: OutboundMessage) -> None:
    """Posts a one-line note on the event to SLACK_WEBHOOK_URL; raises Unbuildable when the note cannot be
    written, OSError when Slack does not take it."""
    _post_json(message, {"text": slack_escaped(_slack_text(message))})


ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
# Office 365 connector webhooks answer 200 to a post they then fail to deliver (a removed channel, a card
# Teams refuses, their rate limit), with this in the body; Workflows webhooks answer 202 with no body.
TEAMS_DELIVERY_FAILED = b"Webhook message delivery failed"


def _plain(text: str, **style: object) -> dict:
    """Text exactly as given. A TextBlock reads Markdown (`**bold**`, `_italic_`, `[label](url)`, lists);
    a TextRun in a RichTextBlock reads none, so a name or a topic cannot become a link or formatting."""
    return {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": text, **style}]}


def _page_action(message: OutboundMessage, context: dict) -> dict | None:
    """The page of Sidebar the note is about, as a button: never a signed link (a channel is shared)."""
    if BUILT in context:
        title, url = context[BUILT].page_title, context[BUILT].page_url
    elif message.kind == OutboundMessage.Kind.MATCH_FOUND:
        title, url = gettext("Open your request"), context["request_url"]
    elif message.kind == OutboundMessage.Kind.INTRODUCTION:
        if context["is_mentor"]:
            return None  # nothing to do: the colleague books
        title = gettext("See %(name)s’s free times and book") % {"name": context["other"].name}
        url = context["slots_url"]
    else:
        title, url = gettext("Open the session"), context["session_url"]
    return {"type": "Action.OpenUrl", "title": title, "url": url}


def teams_card(message: OutboundMessage) -> dict:
    """The note as a Teams message holding one Adaptive Card, in the recipient's language: the subject the
    email has, who it is for, and buttons to join the session and to open its page."""
    language = language_of(message.recipient)
    with translation.override(language):
        context, subject = _note_subject(message)
        body = [
            _plain(subject, weight="Bolder", size="Medium"),
            _plain(gettext("For %(name)s") % {"name": context["recipient"].name}, isSubtle=True),
        ]
        actions = []
        if join_url := _join_url(message, context):
            actions.append({"type": "Action.OpenUrl", "title": gettext("Join the session"), "url": join_url})
        if page := _page_action(message, context):
            actions.append(page)
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "lang": language.split("-")[0],
        "body": body,
        "actions": actions,
    }
    return {
        "type": "message",
        "attachments": [{"contentType": ADAPTIVE_CARD, "contentUrl": None, "content": card}],
    }


def post_to_teams(message: OutboundMessage) -> None:
    """Posts the note as an Adaptive Card to TEAMS_WEBHOOK_URL; raises Unbuildable when it cannot be written,
    OSError when Teams does not take it (also a 200 whose body says the delivery failed)."""
    answer = _post_json(message, teams_card(message))
    if answer.lstrip().startswith(TEAMS_DELIVERY_FAILED):
        raise OSError(f"Teams answered: {answer.decode('utf-8', 'replace')[:500]}")


def deliver(message: OutboundMessage, *, connection=None) -> None:
    """Sends an outbox row on its channel; raises Unbuildable when it cannot be written (the caller gives up
    at once), anything else when it did not go out (the caller retries later)."""
    if message.channel == OutboundMessage.Channel.SLACK:
        post_to_slack(message)
    elif message.channel == OutboundMessage.Channel.TEAMS:
        post_to_teams(message)
    else:
        send(message, connection=connection)


def _ics_part(booking: Booking, recipient: User) -> MIMEBase:
    """The invite as text/calendar with its METHOD, which mail clients need to offer "add to calendar"."""
    ics = calendar.booking_ics(booking, recipient=recipient)
    method = calendar.METHOD_CANCEL if booking.status == Booking.Status.CANCELLED else calendar.METHOD_REQUEST
    return _calendar_part(ics, method)


def _calendar_part(ics: bytes, method: str) -> MIMEBase:
    part = MIMEBase("text", "calendar", method=method, charset="utf-8", name="invite.ics")
    part.set_payload(ics.decode("utf-8"), charset="utf-8")
    part.add_header("Content-Disposition", "attachment", filename="invite.ics")
    return part
