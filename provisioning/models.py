"""What provisioning knows of a person beyond marketplace's User, and the CSV imports HR previewed.

Its own tables, so that keeping people in sync adds nothing to the people's table: the identity provider's id
for a person, the parts of their name it sent, their manager, and when they were deactivated or deleted.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

EXTERNAL_ID_MAX_LENGTH = 255
NAME_PART_MAX_LENGTH = 120


class ProvisionedPerson(models.Model):
    """A person as the identity provider (SCIM) or HR's CSV import describes them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="provisioning"
    )
    # SCIM's externalId: the identity provider's own id for the person (Entra's object id, Okta's user id).
    external_id = models.CharField(max_length=EXTERNAL_ID_MAX_LENGTH, blank=True)
    given_name = models.CharField(max_length=NAME_PART_MAX_LENGTH, blank=True)
    family_name = models.CharField(max_length=NAME_PART_MAX_LENGTH, blank=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    deactivated_at = models.DateTimeField(null=True, blank=True)
    # DELETE /scim/v2/Users/{id}: the person is deactivated (their history stays for HR's figures) and SCIM
    # answers 404 for them from then on (RFC 7644 3.6), until a POST with their userName brings them back.
    scim_deleted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"], condition=~Q(external_id=""), name="provisioned_external_id_once"
            )
        ]

    def __str__(self) -> str:
        return f"Provisioning record of {self.user}"


class PeopleImport(models.Model):
    """A CSV file HR uploaded: its rows as parsed, previewed before anything is written, imported once."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed")
        IMPORTED = "imported", _("Imported")

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="people_imports"
    )
    file_name = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField()
    # What the parser read (provisioning.people_csv): the columns the file has (each as its header writes
    # it), those it does not read, one object per person, and each problem found with its row and column.
    # A file with problems is shown, never imported.
    headers = models.JSONField(default=dict)
    ignored_columns = models.JSONField(default=list)
    rows = models.JSONField(default=list)
    errors = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    imported_at = models.DateTimeField(null=True, blank=True)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"People import {self.pk} ({self.file_name})"
