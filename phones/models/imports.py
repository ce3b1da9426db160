"""Bulk creates: an import and its rows, each row checked, corrected and then queued."""

import uuid

from django.conf import settings
from django.db import models


class PhoneImport(models.Model):
    """A bulk create: the rows staff pasted or uploaded, checked and corrected in a preview,
    then confirmed, when each ready row becomes one queued create (an outbox entry linked
    back here)."""

    class State(models.TextChoices):
        PREVIEW = "preview", "Preview"
        CONFIRMED = "confirmed", "Confirmed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(
        max_length=255, blank=True, default="", help_text="Empty for pasted text."
    )
    sha256 = models.CharField(max_length=64, help_text="Hex SHA-256 of the input as received.")
    row_count = models.PositiveIntegerField(default=0)
    default_region = models.CharField(max_length=3)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PREVIEW)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["-created_at"], name="import_created")]

    def __str__(self) -> str:
        return f"{self.file_name or 'pasted rows'} ({self.row_count} rows)"


class PhoneImportRow(models.Model):
    """One row of an import as staff last left it, with its checked status.

    ``phone_id`` is ``uuid5(import id, "line-<line>")``: the client id the row's create is
    sent with, and so the id of its outbox entry and of the phone it becomes.
    """

    class Status(models.TextChoices):
        READY = "ready", "Ready"
        ATTENTION = "attention", "Needs attention"
        DUPLICATE = "duplicate", "Duplicate"
        EXCLUDED = "excluded", "Excluded"

    phone_import = models.ForeignKey(PhoneImport, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField()
    cells = models.JSONField(default=dict, help_text="Column -> text.")
    picks = models.JSONField(
        default=dict, help_text="Link kind -> {value text -> chosen record id}."
    )
    excluded = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=Status.choices)
    problems = models.JSONField(default=list, blank=True)
    phone_id = models.UUIDField()
    e164 = models.CharField(
        max_length=20, blank=True, default="", help_text="The number, when it is valid."
    )

    class Meta:
        ordering = ["line"]
        constraints = [
            models.UniqueConstraint(fields=["phone_import", "line"], name="import_row_line")
        ]
        indexes = [
            models.Index(fields=["phone_import", "status", "line"], name="import_row_status"),
            models.Index(fields=["phone_import", "e164"], name="import_row_e164"),
        ]

    def __str__(self) -> str:
        return f"line {self.line} ({self.status})"
