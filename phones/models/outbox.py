"""Creates on their way to WellApp (``OutboxEntry``) and the audit trail of what staff did."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEntry(models.Model):
    """An append-only record of who did what against WellApp."""

    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(max_length=50)
    upstream_id = models.CharField(max_length=200, blank=True, default="")
    trace_id = models.CharField(max_length=100, blank=True, default="")
    detail = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(
        max_length=200, blank=True, default="", help_text="The portal request that did it."
    )
    client_ip = models.GenericIPAddressField(
        null=True, blank=True, help_text="The address the request came from."
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["upstream_id"], name="audit_upstream_id")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.upstream_id}"


class OutboxEntry(models.Model):
    """A phone create kept locally until WellApp confirms it.

    The id is the phone's client-generated id (``data.id``), so every delivery attempt sends
    the same document and WellApp can never create it twice.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RETRYING = "retrying", "Retrying"
        CONFIRMED = "confirmed", "Confirmed"
        FAILED = "failed", "Rejected by WellApp"
        DISCARDED = "discarded", "Discarded"

    OPEN_STATES = (State.QUEUED, State.RETRYING)

    id = models.UUIDField(primary_key=True)
    document = models.JSONField(help_text="The create request exactly as it is sent.")
    form_data = models.JSONField(default=dict, help_text="What the author entered.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True, default="")
    last_trace_id = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    phone_import = models.ForeignKey(
        "PhoneImport",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="entries",
        help_text="The import this create came from, if any.",
    )
    request_id = models.CharField(
        max_length=200,
        blank=True,
        default="",
        help_text="The portal request that queued it; its deliveries run under this id.",
    )
    # The delivery under way: who sends it, until when (an expired claim is free again).
    claimed_by = models.CharField(max_length=200, blank=True, default="")
    claim_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "outbox entries"
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        number = self.document.get("data", {}).get("attributes", {}).get("e164_number", "")
        return f"{number} ({self.get_state_display()})"

    @property
    def e164_number(self) -> str:
        return self.document.get("data", {}).get("attributes", {}).get("e164_number", "")

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES
