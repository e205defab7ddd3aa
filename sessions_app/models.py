"""Bookings, the notifications outbox and feedback.

Every instant is UTC. On PostgreSQL two exclusion constraints (migration 0001) forbid overlapping confirmed
sessions per mentor and per mentee, whatever code path writes them.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

SESSION_LENGTHS = (20, 30)


class Booking(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        CANCELLED = "cancelled", "Cancelled"
        COMPLETED = "completed", "Completed"
        NO_SHOW = "no_show", "No-show"

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
    topic = models.CharField(max_length=200)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CONFIRMED)
    meeting_url = models.URLField(max_length=300)
    cancel_reason = models.CharField(max_length=500, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
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
        ]
        indexes = [
            models.Index(fields=["mentor", "start"], name="booking_by_mentor_start"),
            models.Index(fields=["mentee", "start"], name="booking_by_mentee_start"),
            models.Index(fields=["status", "end"], name="booking_by_status_end"),
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


class OutboundMessage(models.Model):
    """A message to send later (DESIGN.md flow 4): written in the transaction that makes it necessary.

    One row per (booking, kind, recipient, lead, sequence): every message goes out once, and a session changed
    twice gets a message for each change (the booking's sequence number tells them apart).
    """

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", "Confirmation"
        RESCHEDULE = "reschedule", "Reschedule"
        CANCELLATION = "cancellation", "Cancellation"
        REMINDER = "reminder", "Reminder"
        FEEDBACK_PROMPT = "feedback_prompt", "Feedback prompt"
        FOLLOW_UP = "follow_up", "Follow-up"
        MATCH_FOUND = "match_found", "Match found"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="messages", db_index=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    lead_minutes = models.IntegerField(default=0, help_text="for reminders: minutes before the start")
    sequence = models.PositiveIntegerField(default=0, help_text="the booking's sequence when queued")
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "kind", "recipient", "lead_minutes", "sequence"],
                name="outbox_message_once",
            ),
        ]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(status="pending"), name="outbox_pending_due"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_id} for booking {self.booking_id} ({self.status})"


class Feedback(models.Model):
    """What one participant says after a session (API.md: POST /api/v1/bookings/{id}/feedback/)."""

    class Role(models.TextChoices):
        MENTEE = "mentee", "Mentee"
        MENTOR = "mentor", "Mentor"

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="feedback", db_index=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feedback_given"
    )
    role = models.CharField(max_length=6, choices=Role.choices)
    rating = models.PositiveSmallIntegerField()
    helpful = models.BooleanField()
    comment = models.TextField(max_length=2000, blank=True)
    next_step = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["booking", "author"], name="feedback_once_per_person"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.role} feedback on booking {self.booking_id}: {self.rating}/5"
