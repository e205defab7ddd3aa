"""Waiting for a full 1:1 mentor (docs/api.md "Waiting for a full mentor"): a person's place in a mentor's
waiting list, and the slots held for them.

Every instant is UTC. The rules that matter under concurrency hold in the database too:

- one live entry (waiting or offered) per person and mentor;
- at most one held offer per entry;
- on PostgreSQL, no two held offers of one mentor overlap (an exclusion constraint, migration 0001), so two
  workers can never hold the same time for two people.

An offer is held for WAITLIST_HOLD_MINUTES: while it is, the slot is busy time for everyone but its holder
(waitlists.selectors.held_slots, a busy-time provider of the slot engine).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.models import SESSION_LENGTHS


class WaitlistEntry(models.Model):
    """A person waiting for a time with a mentor: a session of `duration` minutes over by `before`."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("A time is held for you")
        BOOKED = "booked", _("Booked")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    before = models.DateTimeField(help_text="the session must be over by then")
    duration = models.PositiveSmallIntegerField(help_text="minutes")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    joined_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True, help_text="booked, expired or withdrawn")
    booking = models.ForeignKey(
        "sessions_app.Booking", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["joined_at", "id"]
        verbose_name_plural = "waitlist entries"
        constraints = [
            models.CheckConstraint(
                condition=Q(duration__in=SESSION_LENGTHS), name="waitlist_entry_duration_20_or_30"
            ),
            models.CheckConstraint(condition=~Q(person=F("mentor")), name="waitlist_entry_not_oneself"),
            models.CheckConstraint(
                condition=Q(status__in=["waiting", "offered", "booked", "expired", "withdrawn"]),
                name="waitlist_entry_status_known",
            ),
            models.UniqueConstraint(
                fields=["person", "mentor"],
                condition=Q(status__in=["waiting", "offered"]),
                name="waitlist_one_live_entry_per_mentor",
            ),
        ]
        indexes = [
            # The queue of one mentor, first come first served.
            models.Index(
                fields=["mentor", "joined_at", "id"],
                condition=Q(status__in=["waiting", "offered"]),
                name="waitlist_live_by_mentor",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.person_id} waiting for {self.mentor_id} by {self.before:%Y-%m-%d %H:%M} ({self.status})"
        )

    @property
    def is_live(self) -> bool:
        return self.status in LIVE


LIVE = (WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED)


class WaitlistOffer(models.Model):
    """A slot offered to an entry's person and held for them until `expires_at`, and what became of it."""

    class Outcome(models.TextChoices):
        HELD = "held", _("Held")
        BOOKED = "booked", _("Booked")
        LAPSED = "lapsed", _("Lapsed")  # not booked in time: passed to the next person
        RELEASED = "released", _("Released")  # withdrawn, no longer bookable, or another time was booked

    entry = models.ForeignKey(WaitlistEntry, on_delete=models.CASCADE, related_name="offers")
    # Copies of the entry's people, for the busy-time provider and the exclusion constraint.
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField()
    end = models.DateTimeField()
    offered_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.HELD)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["offered_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="waitlist_offer_start_before_end"),
            models.CheckConstraint(
                condition=Q(offered_at__lt=F("expires_at")), name="waitlist_offer_expires_after_offer"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=["held", "booked", "lapsed", "released"]),
                name="waitlist_offer_outcome_known",
            ),
            models.UniqueConstraint(
                fields=["entry"], condition=Q(outcome="held"), name="waitlist_one_held_offer_per_entry"
            ),
        ]
        indexes = [
            models.Index(
                fields=["mentor", "start"], condition=Q(outcome="held"), name="waitlist_held_by_mentor"
            ),
            models.Index(fields=["expires_at"], condition=Q(outcome="held"), name="waitlist_held_by_expiry"),
        ]

    def __str__(self) -> str:
        return f"offer of {self.start:%Y-%m-%d %H:%M} UTC to entry {self.entry_id} ({self.outcome})"
