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
        # A written answer the asker marked helpful (answers app): help received without a session.
        ANSWERED = "answered", pgettext_lazy("request status", "Answered")

    class Escalation(models.IntegerChoices):
        """How far the time-to-help ladder (matching.escalation) went for this request; each step once."""

        NONE = 0, "Not escalated"
        WIDENED = 1, "Candidate pool widened"  # a quarter of the promise without a booking
        OPENED = 2, "Opened to written answers, group sessions offered"  # half
        HR_TOLD = 3, "People who manage mentoring told"  # three quarters
        MISSED = 4, "Promise missed"  # the promise passed without help

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
    # The asker wants a conversation: the request is never shown to mentors for a written answer.
    sessions_only = models.BooleanField(default=False, db_default=False)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    booked_at = models.DateTimeField(null=True, blank=True)
    booked_session_start = models.DateTimeField(null=True, blank=True)
    booked_mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The time-to-help promise (HELP_PROMISE_HOURS when the request was made): help should come by then.
    help_due_at = models.DateTimeField(null=True, blank=True)
    # db_default too: rows written outside the ORM (the demo's and the benchmarks' bulk loads) start at none.
    escalation = models.PositiveSmallIntegerField(
        choices=Escalation.choices, default=Escalation.NONE, db_default=Escalation.NONE
    )
    answered_at = models.DateTimeField(null=True, blank=True, help_text="When an answer was marked helpful.")
    missed_at = models.DateTimeField(null=True, blank=True, help_text="When the promise passed without help.")
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
                condition=Q(status__in=["open", "booked", "expired", "answered"]), name="request_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(status="answered") | Q(answered_at__isnull=False),
                name="request_answered_has_time",
            ),
            models.CheckConstraint(condition=Q(escalation__lte=4), name="request_escalation_known"),
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
            # The escalation tick reads open requests by how far they went and when help is due.
            models.Index(
                fields=["escalation", "help_due_at"],
                condition=Q(status="open"),
                name="request_open_by_escalation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic} ({self.status}, by {self.asker_id})"

    def status_at(self, now) -> str:
        """The status at `now`: an open request past its deadline is expired, even before the sweep runs."""
        if self.status == self.Status.OPEN and self.needed_by <= now:
            return self.Status.EXPIRED
        return self.status


class RequestEvent(models.Model):
    """A line of a request's timeline: what happened to it and when, shown to the asker in words.

    The escalation steps are written here in the same transaction that moves `MentorRequest.escalation`,
    so each appears once (the unique constraint is the last guard).
    """

    class Kind(models.TextChoices):
        WIDENED = "widened", "Candidate pool widened"
        OPENED = "opened", "Opened to written answers"
        GROUP_SESSIONS_OFFERED = "group_sessions", "Group sessions offered"
        HR_TOLD = "hr_told", "People who manage mentoring told"
        MISSED = "missed", "Promise missed"
        ANSWERED = "answered", "A written answer was marked helpful"

    request = models.ForeignKey(MentorRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    # What the sentence needs (how many mentors were told, the group sessions offered ...).
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "kind"], name="request_event_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on request {self.request_id} at {self.at:%Y-%m-%d %H:%M}"


class Digest(models.Model):
    """One message that tells a person of several requests at once (the escalation never sends one e-mail
    per request): to a mentor, the open asks they could answer; to HR, the needs about to be missed."""

    class Kind(models.TextChoices):
        OPEN_ASKS = "open_asks", "Open asks a mentor could answer"
        AT_RISK = "at_risk", "Needs about to miss the promise"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    requests = models.ManyToManyField(MentorRequest, related_name="digests")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "kind", "created_at"], name="digest_by_recipient")]

    def __str__(self) -> str:
        return f"{self.kind} digest to {self.recipient_id} at {self.created_at:%Y-%m-%d %H:%M}"


class HelpPromise(models.Model):
    """The time-to-help promise as HR set it in the admin (one row); without it, HELP_PROMISE_HOURS."""

    hours = models.PositiveSmallIntegerField(
        help_text="Every request should get help (a session held or a helpful answer) within this many hours."
    )
    asks_per_mentor_per_day = models.PositiveSmallIntegerField(
        default=5, help_text="The escalation tells one mentor of at most this many open asks a day."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gte=1, hours__lte=24 * 30), name="help_promise_hours_range"
            ),
            models.CheckConstraint(
                condition=Q(asks_per_mentor_per_day__gte=1), name="help_promise_asks_per_day_positive"
            ),
        ]
        verbose_name = "help promise"

    def __str__(self) -> str:
        return f"help within {self.hours} hours"
