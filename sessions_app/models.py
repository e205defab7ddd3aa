"""Bookings, the notifications outbox and feedback.

Every instant is UTC. On PostgreSQL two exclusion constraints (migration 0001) forbid overlapping confirmed
sessions per mentor and per mentee, whatever code path writes them.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from marketplace.bounds import Bound
from marketplace.models import SESSION_LENGTHS

# Input limits, each written once: the fields and check constraints below, the page forms, the API
# serializers and the services read these, so a page and the API accept and refuse the same values.
TOPIC_MAX_LENGTH = 200
REASON_MAX_LENGTH = 500
FEEDBACK_RATINGS = Bound(1, 5)
FEEDBACK_COMMENT_MAX_LENGTH = 2000
FEEDBACK_NEXT_STEP_MAX_LENGTH = 500
FOLLOW_UP_NOTE_MAX_LENGTH = 500
MOMENT_NOTE_MAX_LENGTH = 200
MOMENT_WITH_NAME_MAX_LENGTH = 120
MOMENT_MAX_AGE = timedelta(days=366)  # how long ago a moment may have happened
INTRODUCTION_NOTE_MAX_LENGTH = 500
# The one-week follow-up opens this long after a session ends (the email is due then, and the answer is
# refused before it).
FOLLOW_UP_AFTER = timedelta(days=7)
# A mentor can undo a no-show for this long after marking it (a slip of the finger, a mentee who came late).
NO_SHOW_UNDO_WINDOW = timedelta(hours=24)
# A short series with one mentor: this many sessions booked at once, every week or every other week.
SERIES_COUNTS = Bound(2, 4)
SERIES_EVERY_WEEKS = (1, 2)
# What cancelling a session covers: it alone, or it and the later sessions of its series.
CANCEL_SCOPES = ("this", "later")


class BookingSeries(models.Model):
    """2–4 sessions of one mentee with one mentor, booked at once, all or none (docs/api.md "A short series
    with one mentor"): every `every_weeks` weeks at the same wall-clock time in the mentor's availability
    zone. Each session is a Booking of its own (its own UID, invites, feedback); `count` is how many were
    booked, and stays so when some are cancelled ("session 2 of 3")."""

    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    mentee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    count = models.PositiveSmallIntegerField(validators=SERIES_COUNTS.validators())
    every_weeks = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "booking series"
        constraints = [
            models.CheckConstraint(condition=SERIES_COUNTS.condition("count"), name="series_count_2_to_4"),
            models.CheckConstraint(
                condition=Q(every_weeks__in=SERIES_EVERY_WEEKS), name="series_every_1_or_2_weeks"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.count} sessions of {self.mentee_id} with {self.mentor_id} every {self.every_weeks} wk"


class Booking(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")
        COMPLETED = "completed", _("Completed")
        NO_SHOW = "no_show", _("No-show")

    # Indexed by the (mentor, start) and (mentee, start) indexes below.
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sessions_given", db_index=False
    )
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sessions_taken", db_index=False
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    duration = models.PositiveSmallIntegerField(help_text="minutes")
    topic = models.CharField(max_length=TOPIC_MAX_LENGTH)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CONFIRMED)
    meeting_url = models.URLField(max_length=300)
    cancel_reason = models.CharField(max_length=REASON_MAX_LENGTH, blank=True)
    # The mentor request this session answers, if any: its context goes into the emails.
    request = models.ForeignKey(
        "matching.MentorRequest", null=True, blank=True, on_delete=models.SET_NULL, related_name="bookings"
    )
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # When the mentor marked the session a no-show (null unless it is one; old no-shows may lack it).
    no_show_marked_at = models.DateTimeField(null=True, blank=True)
    # A session booked as part of a series: which one (1 = the first booked), of series.count.
    series = models.ForeignKey(
        BookingSeries, null=True, blank=True, on_delete=models.CASCADE, related_name="bookings"
    )
    series_position = models.PositiveSmallIntegerField(null=True, blank=True)
    # iCalendar: the UID stays the same for the life of the session, SEQUENCE rises with every change.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="booking_start_before_end"),
            models.CheckConstraint(
                condition=Q(duration__in=SESSION_LENGTHS), name="booking_duration_20_or_30"
            ),
            models.CheckConstraint(condition=~Q(mentor=F("mentee")), name="booking_not_with_oneself"),
            models.CheckConstraint(
                condition=Q(status__in=["confirmed", "cancelled", "completed", "no_show"]),
                name="booking_status_known",
            ),
            models.CheckConstraint(
                condition=Q(series__isnull=True, series_position__isnull=True)
                | Q(series__isnull=False, series_position__gte=1, series_position__lte=SERIES_COUNTS.high),
                name="booking_series_position_known",
            ),
            models.UniqueConstraint(
                fields=["series", "series_position"],
                condition=Q(series__isnull=False),
                name="booking_series_position_once",
            ),
        ]
        indexes = [
            models.Index(fields=["mentor", "start"], name="booking_by_mentor_start"),
            models.Index(fields=["mentee", "start"], name="booking_by_mentee_start"),
            models.Index(fields=["status", "end"], name="booking_by_status_end"),
            # Insights read sessions by start date (covering on PostgreSQL; a plain index elsewhere).
            models.Index(
                fields=["start"], include=["status", "mentor", "mentee", "duration"], name="booking_by_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentee} with {self.mentor} at {self.start:%Y-%m-%d %H:%M} UTC ({self.status})"

    @property
    def ical_uid(self) -> str:
        return f"{self.uid}@sidebar"

    def is_participant(self, user) -> bool:
        return user.pk in (self.mentor_id, self.mentee_id)

    def other_participant(self, user):
        return self.mentee if user.pk == self.mentor_id else self.mentor

    @property
    def no_show_undo_until(self):
        """Until when the mentor may undo the no-show; None when it is not one (or was marked before the
        time of marking was recorded)."""
        if self.status != self.Status.NO_SHOW or self.no_show_marked_at is None:
            return None
        return self.no_show_marked_at + NO_SHOW_UNDO_WINDOW

    @property
    def follow_up_opens_at(self):
        return self.end + FOLLOW_UP_AFTER

    @property
    def series_place(self) -> str:
        """Where the session stands in its series, for people ("Session 2 of 3, weekly"); "" outside one."""
        if self.series is None:
            return ""
        place = {"position": self.series_position, "count": self.series.count}
        if self.series.every_weeks == 2:
            return gettext("Session %(position)s of %(count)s, every other week") % place
        return gettext("Session %(position)s of %(count)s, weekly") % place

    def later_sessions_to_cancel(self) -> list["Booking"]:
        """The confirmed sessions of its series after this one: what "cancel this and the later ones" cancels
        with it (reads the series' sessions, which selectors.with_series prefetches)."""
        if self.series is None:
            return []
        return [
            session
            for session in self.series.bookings.all()
            if session.status == self.Status.CONFIRMED and session.start > self.start
        ]

    def later_session_of_its_series(self) -> "Booking | None":
        """The series' last session held or to come, when it is not this one: a series is followed up once,
        a week after that one (None outside a series, or when this is its last)."""
        if self.series_id is None:
            return None
        return (
            Booking.objects.filter(series_id=self.series_id, status__in=HELD_OR_TO_COME, end__gt=self.end)
            .order_by("-end")
            .first()
        )


# A session that was or will be held: what a series' follow-up waits for.
HELD_OR_TO_COME = (Booking.Status.CONFIRMED, Booking.Status.COMPLETED)


def has_later_session_in_series() -> Exists:
    """For a query of bookings: whether a later session of the same series is held or to come (so that the
    follow-up is not this one's to ask). Outside a series there is none."""
    return Exists(
        Booking.objects.filter(series=OuterRef("series"), status__in=HELD_OR_TO_COME, end__gt=OuterRef("end"))
    )


class OutboundMessage(models.Model):
    """A message to send later (docs/design.md flow 4): written in the transaction that makes it necessary.

    One row per (booking, kind, recipient, lead, sequence, channel): every message goes out once, and a
    session changed twice gets a message for each change (the booking's sequence number tells them apart).
    With SLACK_WEBHOOK_URL or TEAMS_WEBHOOK_URL set, each email sent queues a note on each of those as a row
    of its own, retried like one.
    """

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", "Confirmation"
        RESCHEDULE = "reschedule", "Reschedule"
        CANCELLATION = "cancellation", "Cancellation"
        REMINDER = "reminder", "Reminder"
        FEEDBACK_PROMPT = "feedback_prompt", "Feedback prompt"
        FOLLOW_UP = "follow_up", "Follow-up"
        MATCH_FOUND = "match_found", "Match found"
        INTRODUCTION = "introduction", "Introduction"
        # About a seat in a group session (the groups app builds these messages).
        GROUP_SEATED = "group_seated", "Group session: seated"
        GROUP_CHANGED = "group_changed", "Group session: changed"
        GROUP_CANCELLED = "group_cancelled", "Group session: cancelled"
        # A slot held for someone on a mentor's waiting list (the waitlists app builds it).
        WAITLIST_OFFER = "waitlist_offer", "Waiting list: a time is held"
        # A written answer to a request, and a reply in its thread (the answers app builds these).
        ANSWER = "answer", "Written answer"
        ANSWER_REPLY = "answer_reply", "Reply to a written answer"
        # Several requests at once (matching.Digest): open asks to a mentor, needs at risk to HR.
        OPEN_ASKS = "open_asks", "Open asks a mentor could answer"
        AT_RISK = "at_risk", "Needs about to miss the promise"

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SLACK = "slack", "Slack"
        TEAMS = "teams", "Microsoft Teams"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"  # claimed by a sweep; re-claimed if stuck (a killed worker)
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    # A message is about a booking, or (match_found) a mentor request, or an introduction, or a seat in a
    # group session: the one reference from sessions_app to the groups app above it, by model name only (no
    # code of sessions_app imports groups; groups registers how its messages are written).
    booking = models.ForeignKey(
        Booking, null=True, blank=True, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    request = models.ForeignKey(
        "matching.MentorRequest", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    introduction = models.ForeignKey(
        "sessions_app.Introduction", null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    group_seat = models.ForeignKey(
        "groups.Seat", null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    # Likewise a slot held for someone waiting (the waitlists app, above sessions_app, by model name).
    waitlist_offer = models.ForeignKey(
        "waitlists.WaitlistOffer", null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    # Likewise a written answer or a reply (the answers app), and a digest of requests (matching).
    answer = models.ForeignKey(
        "answers.Answer", null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    reply = models.ForeignKey(
        "answers.Reply", null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    digest = models.ForeignKey(
        "matching.Digest", null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # db_default too: rows written outside the ORM (benchmarks, bulk loads) are emails unless they say so.
    channel = models.CharField(
        max_length=5, choices=Channel.choices, default=Channel.EMAIL, db_default=Channel.EMAIL
    )
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    lead_minutes = models.IntegerField(default=0, help_text="for reminders: minutes before the start")
    sequence = models.PositiveIntegerField(default=0, help_text="the booking's sequence when queued")
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True, help_text="when a sweep last claimed it")
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "kind", "recipient", "lead_minutes", "sequence", "channel"],
                name="outbox_message_once",
            ),
            models.UniqueConstraint(
                fields=["request", "kind", "recipient", "sequence", "channel"],
                condition=Q(request__isnull=False),
                name="outbox_request_message_once",
            ),
            models.UniqueConstraint(
                fields=["introduction", "recipient", "channel"],
                condition=Q(introduction__isnull=False),
                name="outbox_introduction_message_once",
            ),
            # A seat's reminders go out at each lead, like a booking's (groups migration 0002 added the
            # lead: that migration is the groups app's, whose messages these are).
            models.UniqueConstraint(
                fields=["group_seat", "kind", "lead_minutes", "sequence", "channel"],
                condition=Q(group_seat__isnull=False),
                name="outbox_group_seat_message_once",
            ),
            models.UniqueConstraint(
                fields=["waitlist_offer", "kind", "channel"],
                condition=Q(waitlist_offer__isnull=False),
                name="outbox_waitlist_offer_message_once",
            ),
            models.UniqueConstraint(
                fields=["answer", "kind", "recipient", "channel"],
                condition=Q(answer__isnull=False),
                name="outbox_answer_message_once",
            ),
            models.UniqueConstraint(
                fields=["reply", "kind", "recipient", "channel"],
                condition=Q(reply__isnull=False),
                name="outbox_reply_message_once",
            ),
            models.UniqueConstraint(
                fields=["digest", "kind", "channel"],
                condition=Q(digest__isnull=False),
                name="outbox_digest_message_once",
            ),
            models.CheckConstraint(
                condition=Q(booking__isnull=False)
                | Q(request__isnull=False)
                | Q(introduction__isnull=False)
                | Q(group_seat__isnull=False)
                | Q(waitlist_offer__isnull=False)
                | Q(answer__isnull=False)
                | Q(reply__isnull=False)
                | Q(digest__isnull=False),
                name="outbox_message_about_something",
            ),
        ]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(status="pending"), name="outbox_pending_due"),
            models.Index(fields=["claimed_at"], condition=Q(status="sending"), name="outbox_sending_claimed"),
        ]

    def __str__(self) -> str:
        about = (
            f"booking {self.booking_id}"
            if self.booking_id
            else f"request {self.request_id}"
            if self.request_id
            else f"introduction {self.introduction_id}"
            if self.introduction_id
            else f"group seat {self.group_seat_id}"
            if self.group_seat_id
            else f"waitlist offer {self.waitlist_offer_id}"
            if self.waitlist_offer_id
            else f"answer {self.answer_id}"
            if self.answer_id
            else f"reply {self.reply_id}"
            if self.reply_id
            else f"digest {self.digest_id}"
        )
        return f"{self.kind} to {self.recipient_id} for {about} ({self.status})"


class Feedback(models.Model):
    """What one participant says after a session (docs/api.md: POST /api/v1/bookings/{id}/feedback/)."""

    class Role(models.TextChoices):
        MENTEE = "mentee", _("Mentee")
        MENTOR = "mentor", _("Mentor")

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="feedback", db_index=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feedback_given"
    )
    role = models.CharField(max_length=6, choices=Role.choices)
    rating = models.PositiveSmallIntegerField()
    helpful = models.BooleanField()
    comment = models.TextField(max_length=FEEDBACK_COMMENT_MAX_LENGTH, blank=True)
    next_step = models.CharField(max_length=FEEDBACK_NEXT_STEP_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["booking", "author"], name="feedback_once_per_person"),
            models.CheckConstraint(
                condition=FEEDBACK_RATINGS.condition("rating"), name="feedback_rating_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role} feedback on booking {self.booking_id}: {self.rating}/5"


class FollowUp(models.Model):
    """The mentee's answer a week after a session: did it unblock you? (docs/design.md flow 5)."""

    class Outcome(models.TextChoices):
        YES = "yes", _("Yes")
        PARTLY = "partly", _("Partly")
        NO = "no", _("No")

    booking = models.OneToOneField(Booking, on_delete=models.CASCADE, related_name="follow_up")
    outcome = models.CharField(max_length=6, choices=Outcome.choices)
    note = models.CharField(
        max_length=FOLLOW_UP_NOTE_MAX_LENGTH, blank=True, help_text="what changed, in a line"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=["yes", "partly", "no"]), name="follow_up_outcome_known"
            ),
        ]

    def __str__(self) -> str:
        return f"follow-up on booking {self.booking_id}: {self.outcome}"


class Moment(models.Model):
    """An informal mentoring moment someone logs: a corridor tip, an encouragement, an introduction."""

    class Kind(models.TextChoices):
        TIP = "tip", _("Tip")
        ENCOURAGEMENT = "encouragement", _("Encouragement")
        INTRODUCTION = "introduction", _("Introduction")
        ADVICE = "advice", _("Advice")
        OTHER = "other", _("Other")

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moments")
    kind = models.CharField(max_length=14, choices=Kind.choices)
    with_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    with_name = models.CharField(
        max_length=MOMENT_WITH_NAME_MAX_LENGTH, blank=True, help_text="who, when not (yet) on Sidebar"
    )
    note = models.CharField(max_length=MOMENT_NOTE_MAX_LENGTH)
    happened_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-happened_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["tip", "encouragement", "introduction", "advice", "other"]),
                name="moment_kind_known",
            ),
            models.CheckConstraint(condition=~Q(note=""), name="moment_has_a_note"),
        ]
        indexes = [models.Index(fields=["author", "happened_on"], name="moment_by_author_day")]

    def __str__(self) -> str:
        return f"{self.kind} by {self.author_id} on {self.happened_on}"

    @property
    def with_whom(self) -> str:
        return self.with_person.name if self.with_person is not None else self.with_name


class Introduction(models.Model):
    """Someone introduces a colleague to a mentor with a short note; both get a message (flow 5)."""

    introducer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="introductions_made"
    )
    colleague = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    request = models.ForeignKey(
        "matching.MentorRequest", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=INTRODUCTION_NOTE_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(colleague=F("mentor")), name="introduction_two_people"),
        ]

    def __str__(self) -> str:
        return f"{self.introducer_id} introduced {self.colleague_id} to {self.mentor_id}"
