"""Requests for help and the shortlist each was offered.

A request stays in the database whatever happens to it: open and unmatched requests are unmet demand, expired
ones are help that came too late, and booked ones carry what insights needs for time to help (created_at,
booked_at, booked_session_start).
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from marketplace.models import SESSION_LENGTHS
from marketplace.text import refuse_control_characters

# Input limits of a request, each written once: the fields below, the page form, the API serializer and
# the service read these.
REQUEST_DURATIONS = SESSION_LENGTHS  # a request asks for one session
TOPIC_MAX_LENGTH = 200
CONTEXT_MAX_LENGTH = 2000
MAX_SKILLS = 5
MAX_AHEAD = timedelta(days=60)  # how far ahead `needed_by` may be


class MentorRequest(models.Model):
    """An employee's need: a topic, the skills it takes, and the moment the help must be over by."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("request status", "Open")
        BOOKED = "booked", pgettext_lazy("request status", "Booked")
        EXPIRED = "expired", pgettext_lazy("request status", "Expired")

    # Indexed by (asker, created_at) below.
    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentor_requests", db_index=False
    )
    topic = models.CharField(max_length=TOPIC_MAX_LENGTH, validators=[refuse_control_characters])
    context = models.TextField(max_length=CONTEXT_MAX_LENGTH, blank=True)
    skills = models.ManyToManyField("marketplace.Skill", related_name="requests")
    needed_by = models.DateTimeField(help_text="The session must be over by then.")
    duration = models.PositiveSmallIntegerField(help_text="minutes")
    prefer_other_department = models.BooleanField(default=False)
    prefer_same_timezone = models.BooleanField(default=False)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    booked_at = models.DateTimeField(null=True, blank=True)
    booked_session_start = models.DateTimeField(null=True, blank=True)
    booked_mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_matched_at = models.DateTimeField(null=True, blank=True)
    first_matched_at = models.DateTimeField(
        null=True, blank=True, help_text="When the shortlist first offered someone."
    )
    match_count = models.PositiveSmallIntegerField(default=0, help_text="Mentors on the current shortlist.")
    # The shortlist as last offered, best first: [{"mentor_id", "rank", "score", "reasons", "slot_start",
    # "slot_end", "in_working_hours", "rating", "rating_count"}, plus "earlier_start" and "earlier_end" when a
    # sooner slot lies outside someone's working hours], times in UTC ISO. A snapshot: the page shows what was
    # offered (entries stored before working hours lack those keys: their slot counts as inside them).
    shortlist = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration__in=REQUEST_DURATIONS), name="request_duration_20_or_30"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "booked", "expired"]), name="request_status_known"
            ),
            models.CheckConstraint(condition=Q(needed_by__gt=F("created_at")), name="request_deadline_ahead"),
            models.CheckConstraint(
                condition=~Q(status="booked")
                | Q(booked_at__isnull=False, booked_session_start__isnull=False),
                name="request_booked_has_times",
            ),
            models.CheckConstraint(condition=Q(match_count__lte=10), name="request_at_most_10_matches"),
        ]
        indexes = [
            models.Index(fields=["status", "needed_by"], name="request_by_status_deadline"),
            models.Index(fields=["created_at"], name="request_by_created"),
            models.Index(fields=["asker", "created_at"], name="request_by_asker_created"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} ({self.status}, by {self.asker_id})"

    def status_at(self, now) -> str:
        """The status at `now`: an open request past its deadline is expired, even before the sweep runs."""
        if self.status == self.Status.OPEN and self.needed_by <= now:
            return self.Status.EXPIRED
        return self.status
