"""Group sessions (office hours, AMAs, skill-shares), their seats and waiting lists, and AMA questions.

Every instant is UTC. The seat rules hold in the database, whatever code path writes (docs/design.md "The
database is the last guard"):

- a seated row holds a seat number from 1 to its session's capacity, unique per session, so no session can
  ever have more seated people than seats;
- the seat's copy of the capacity (`session_capacity`) is the session's own: on PostgreSQL a foreign key on
  (session, capacity) ON UPDATE CASCADE keeps it (migration 0001), so raising the capacity carries over to
  the seats and lowering it below a seat number taken is refused;
- a waiting row holds a position, unique per session (on PostgreSQL a deferred constraint, so that a whole
  queue can move up by one in one UPDATE); the services keep positions gap-free, 1..n;
- one live seat (seated or waiting) per person and session.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from marketplace.bounds import Bound
from marketplace.models import MEETING_URL_MAX_LENGTH
from marketplace.text import refuse_control_characters
from sessions_app.models import FEEDBACK_COMMENT_MAX_LENGTH, FEEDBACK_NEXT_STEP_MAX_LENGTH, FEEDBACK_RATINGS

# Input limits, each written once: the fields and check constraints below, the page forms, the API
# serializers and the services read these.
TITLE_MAX_LENGTH = 120
DESCRIPTION_MAX_LENGTH = 2000
DURATION_MINUTES = Bound(20, 90)
DURATION_STEP = 10  # a duration is a multiple of ten minutes
DURATIONS = tuple(range(DURATION_MINUTES.low, DURATION_MINUTES.high + 1, DURATION_STEP))
CAPACITY = Bound(2, 200)
REPEAT_WEEKS = Bound(0, 12)  # weekly repeats after the first session
MAX_SKILLS = 5
QUESTION_MAX_LENGTH = 500
# A session may be published at most this far ahead (its last weekly repeat included).
LONGEST_AHEAD = timedelta(days=366)


class GroupSeries(models.Model):
    """Weekly office hours: the sessions published together, same local weekday and time for the host."""

    host = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "group series"

    def __str__(self) -> str:
        return f"series {self.pk} of {self.host_id}"


class GroupSession(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")
        # Stored by the outbox sweep once the end has passed (services.sessions.complete_finished_group_
        # sessions), as a 1:1 session's; until then a scheduled session that has ended reads as completed.
        COMPLETED = "completed", _("Completed")

    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="group_sessions_hosted",
        db_index=False,
    )
    series = models.ForeignKey(
        GroupSeries, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    title = models.CharField(max_length=TITLE_MAX_LENGTH, validators=[refuse_control_characters])
    description = models.TextField(max_length=DESCRIPTION_MAX_LENGTH, blank=True)
    skills = models.ManyToManyField("marketplace.Skill", blank=True, related_name="group_sessions")
    start = models.DateTimeField()
    end = models.DateTimeField()
    duration = models.PositiveSmallIntegerField(help_text="minutes")
    capacity = models.PositiveSmallIntegerField(validators=CAPACITY.validators())
    # Kept by the services in the transaction that holds the session's lock; the seats are the truth.
    seats_taken = models.PositiveSmallIntegerField(default=0)
    waitlist_length = models.PositiveIntegerField(default=0)
    meeting_url = models.URLField(max_length=MEETING_URL_MAX_LENGTH)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # iCalendar: the UID stays the same for the life of the session, SEQUENCE rises with every change.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="group_session_start_before_end"),
            models.CheckConstraint(condition=Q(duration__in=DURATIONS), name="group_session_duration_known"),
            models.CheckConstraint(condition=CAPACITY.condition("capacity"), name="group_session_capacity"),
            models.CheckConstraint(
                condition=Q(seats_taken__lte=F("capacity")), name="group_session_seats_within_capacity"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["scheduled", "cancelled", "completed"]),
                name="group_session_status_known",
            ),
            # What the seats' foreign key on (session, capacity) points at (PostgreSQL, migration 0001).
            models.UniqueConstraint(fields=["id", "capacity"], name="group_session_id_capacity"),
        ]
        indexes = [
            models.Index(fields=["host", "start"], name="group_session_by_host_start"),
            # The list of upcoming sessions: scheduled ones by start.
            models.Index(
                fields=["start", "id"], condition=Q(status="scheduled"), name="group_session_upcoming"
            ),
            # The sweep's completion: scheduled sessions by their end.
            models.Index(fields=["end"], condition=Q(status="scheduled"), name="group_session_to_complete"),
        ]

    def __str__(self) -> str:
        return f"{self.title} by {self.host_id} at {self.start:%Y-%m-%d %H:%M} UTC ({self.status})"

    @property
    def ical_uid(self) -> str:
        return f"{self.uid}@sidebar-group"

    @property
    def held(self) -> bool:
        """Not cancelled: scheduled (still to come, or ended and not yet marked) or completed."""
        return self.status != self.Status.CANCELLED

    def state(self, now) -> str:
        """scheduled, cancelled, or completed once a scheduled session has ended (stored or not yet)."""
        if self.status == self.Status.SCHEDULED and self.end <= now:
            return self.Status.COMPLETED
        return self.status

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)


class Seat(models.Model):
    """A person's place in a group session: seated (with a seat number) or waiting (with a position), and
    kept, as left, when they leave (HR counts seats filled and waiting-list conversions).

    The host has a place of their own (status host, no number, one per session): what their reminders are
    about in the outbox. It is no seat: it takes no capacity and counts nowhere as an attendee."""

    class Status(models.TextChoices):
        SEATED = "seated", _("Seated")
        WAITLISTED = "waitlisted", _("On the waiting list")
        LEFT = "left", pgettext_lazy("seat", "Left")
        HOST = "host", pgettext_lazy("seat", "Host")

    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="seats", db_index=False)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_seats", db_index=False
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    seat_number = models.PositiveSmallIntegerField(null=True, blank=True)
    # The session's capacity while seated (see the module docstring): what the seat number is held under.
    session_capacity = models.PositiveSmallIntegerField(null=True, blank=True)
    position = models.PositiveIntegerField(null=True, blank=True, help_text="place on the waiting list")
    joined_at = models.DateTimeField(default=timezone.now)
    seated_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)
    from_waitlist = models.BooleanField(default=False, help_text="seated after waiting")

    class Meta:
        ordering = ["session", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person"],
                condition=Q(status__in=["seated", "waitlisted"]),
                name="group_seat_one_per_person",
            ),
            # NULLs are distinct: only seated rows carry a number.
            models.UniqueConstraint(fields=["session", "seat_number"], name="group_seat_number_once"),
            models.CheckConstraint(
                condition=Q(seat_number__isnull=True)
                | Q(seat_number__gte=1, seat_number__lte=F("session_capacity")),
                name="group_seat_number_within_capacity",
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        status="seated",
                        seat_number__isnull=False,
                        session_capacity__isnull=False,
                        position__isnull=True,
                    )
                    | Q(
                        status="waitlisted",
                        seat_number__isnull=True,
                        session_capacity__isnull=True,
                        position__gte=1,
                    )
                    | Q(
                        status__in=["left", "host"],
                        seat_number__isnull=True,
                        session_capacity__isnull=True,
                        position__isnull=True,
                    )
                ),
                name="group_seat_state_consistent",
            ),
            models.UniqueConstraint(
                fields=["session"], condition=Q(status="host"), name="group_seat_host_once"
            ),
        ]
        indexes = [
            models.Index(fields=["session", "status", "position"], name="group_seat_by_session"),
            models.Index(fields=["person", "status"], name="group_seat_by_person"),
        ]

    def __str__(self) -> str:
        place = f"seat {self.seat_number}" if self.seat_number else f"position {self.position}"
        return f"{self.person_id} in {self.session_id}: {self.status} ({place})"


class Question(models.Model):
    """An AMA question asked before (or during) a session, shown without its author's name if asked so."""

    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="questions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(max_length=QUESTION_MAX_LENGTH)
    anonymous = models.BooleanField(default=False)
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="group_question_has_text")]

    def __str__(self) -> str:
        return f"question {self.pk} on {self.session_id}"


class Vote(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="votes", db_index=False)
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["question", "voter"], name="group_vote_once")]

    def __str__(self) -> str:
        return f"vote of {self.voter_id} on {self.question_id}"


class GroupFeedback(models.Model):
    """What a seated attendee says after a group session: the questions a 1:1 session's feedback asks, once
    per person (docs/api.md: POST /api/v1/group-sessions/{id}/feedback/). The host reads the summary."""

    session = models.ForeignKey(
        GroupSession, on_delete=models.CASCADE, related_name="feedback", db_index=False
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    rating = models.PositiveSmallIntegerField(validators=FEEDBACK_RATINGS.validators())
    helpful = models.BooleanField()
    comment = models.TextField(max_length=FEEDBACK_COMMENT_MAX_LENGTH, blank=True)
    next_step = models.CharField(max_length=FEEDBACK_NEXT_STEP_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "author"], name="group_feedback_once_per_person"),
            models.CheckConstraint(
                condition=FEEDBACK_RATINGS.condition("rating"), name="group_feedback_rating_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"feedback of {self.author_id} on group session {self.session_id}: {self.rating}/5"
