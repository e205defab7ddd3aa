"""Written answers: a mentor answers a request in writing, in a short thread with its asker.

An answer starts a thread between one mentor and the asker; either can reply. The asker marks an answer
helpful (or not); a helpful answer makes the request `answered` (matching). Plain text only: pages show it
escaped, with links made clickable.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

TEXT_MAX_LENGTH = 4000


class Answer(models.Model):
    request = models.ForeignKey("matching.MentorRequest", on_delete=models.CASCADE, related_name="answers")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="answers_given"
    )
    text = models.TextField(max_length=TEXT_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    # None until the asker says; True makes the request answered.
    helpful = models.BooleanField(null=True, blank=True)
    marked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["request", "created_at"], name="answer_by_request"),
            models.Index(fields=["author", "created_at"], name="answer_by_author"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(helpful__isnull=True) | Q(marked_at__isnull=False), name="answer_marked_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"answer {self.pk} by {self.author_id} to request {self.request_id}"


class Reply(models.Model):
    """A message after the answer, by the asker or the answer's author."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(max_length=TEXT_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["answer", "created_at"], name="reply_by_answer")]
        verbose_name_plural = "replies"

    def __str__(self) -> str:
        return f"reply {self.pk} by {self.author_id} in answer {self.answer_id}"
