"""A person's own calendars (secret iCalendar addresses) and the busy time read from them.

The address is a secret (whoever has it reads the whole calendar): it is never logged, and pages show it
masked (`masked_url`). Busy intervals are stored in UTC for the next SYNC_WINDOW and replaced whole by each
sync that read the file; `owner` is repeated on each interval so that the slot engine's loader reads the
busy time of any set of people in one query.
"""

from datetime import timedelta
from urllib.parse import urlsplit

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from marketplace.models import User

URL_MAX_LENGTH = 2000
CALENDARS_PER_PERSON = 5
# Busy time is read this far ahead: the furthest anyone books.
SYNC_WINDOW = timedelta(days=60)


class BusyCalendar(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        OK = "ok", "ok"
        ERROR = "error", "error"

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="busy_calendars")
    url = models.CharField(max_length=URL_MAX_LENGTH)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    # Why the last sync failed (calendars.errors names each code's words) and its detail (an HTTP status).
    error_code = models.CharField(max_length=32, blank=True)
    error_detail = models.CharField(max_length=32, blank=True)
    # The validators of the last file read, sent back as If-None-Match and If-Modified-Since.
    etag = models.CharField(max_length=512, blank=True)
    last_modified = models.CharField(max_length=128, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)  # the last sync that reached the file
    expanded_until = models.DateTimeField(null=True, blank=True)  # the end of the window last read
    busy_events = models.PositiveIntegerField(default=0)  # events found by the last file read
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_sync_now_at = models.DateTimeField(null=True, blank=True)  # the owner's last "sync now"
    next_sync_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "url"], name="busy_calendar_once_per_owner"),
        ]
        indexes = [models.Index(fields=["next_sync_at"], name="busy_calendar_due")]

    def __str__(self) -> str:
        return f"{self.masked_url} of {self.owner_id}"

    @property
    def masked_url(self) -> str:
        return masked_url(self.url)


def masked_url(url: str) -> str:
    """The address as a page may show it: its scheme and host, and the last four characters of its longest
    path segment (the secret part, usually), so that two calendars of one provider can be told apart."""
    parts = urlsplit(url)
    segments = [segment for segment in parts.path.split("/") if segment]
    tail = max(segments, key=len)[-4:] if segments else ""
    return f"{parts.scheme}://{parts.hostname or ''}/…{tail}"


class BusyInterval(models.Model):
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    calendar = models.ForeignKey(BusyCalendar, on_delete=models.CASCADE, related_name="intervals")
    start = models.DateTimeField()
    end = models.DateTimeField()

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="busy_interval_start_before_end")
        ]
        indexes = [
            # The slot engine's read: a set of people's busy time overlapping a range.
            models.Index(fields=["owner", "start"], include=["end"], name="busy_interval_by_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.owner_id} busy {self.start:%Y-%m-%d %H:%M}–{self.end:%H:%M}"
