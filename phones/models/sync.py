"""The sync's bookkeeping, the leases that keep one holder per job, and WellApp as last seen."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property

# A run no worker has started after this long is given up (no worker was running).
SYNC_STALE_AFTER = timedelta(minutes=30)
# The lease a running sync holds (``phones.services.leases``): one sync at a time.
SYNC_LEASE = "sync"


class SyncState(models.Model):
    """How far the incremental sync of one resource has read (its ``updated_at`` high-water)."""

    resource = models.CharField(primary_key=True, max_length=30)
    high_water = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.resource} up to {self.high_water}"


class SyncRun(models.Model):
    """One run of the sync, with its progress and outcome."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    full = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RUNNING)
    pages = models.PositiveIntegerField(default=0)
    records = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0)
    phase = models.CharField(max_length=30, blank=True, default="")
    # The current phase's records read so far, and how many WellApp says it has (meta.total
    # of its list answers; None when WellApp does not say).
    phase_records = models.PositiveIntegerField(default=0)
    phase_total = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    trace_id = models.CharField(max_length=100, blank=True, default="")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    worker = models.CharField(
        max_length=200,
        blank=True,
        default="",
        help_text="The process running it (its lease holder); empty until a worker starts it.",
    )

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"sync #{self.pk} {self.status}"

    @cached_property
    def in_progress(self) -> bool:
        """Running: waiting (not for over SYNC_STALE_AFTER) for a worker to start it, or run
        by a worker that still holds the sync lease (it renews it every page)."""
        if self.status != self.Status.RUNNING:
            return False
        now = timezone.now()
        if not self.worker:
            return self.started_at >= now - SYNC_STALE_AFTER
        return Lease.objects.filter(
            name=SYNC_LEASE, holder=self.worker, expires_at__gt=now
        ).exists()

    @property
    def phase_max(self) -> int | None:
        """The current phase's known size, when WellApp told it and it is not yet overrun."""
        total = self.phase_total
        return total if total and total >= self.phase_records else None


class Lease(models.Model):
    """A named lock that expires with its holder: held until ``expires_at`` by ``holder``
    (``host:pid:random``), which renews it while it works. See ``phones.services.leases``."""

    name = models.CharField(primary_key=True, max_length=100)
    holder = models.CharField(max_length=200)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} held by {self.holder} until {self.expires_at}"


class UpstreamStatus(models.Model):
    """WellApp as last seen: the latest probe or delivery outcome (one row, ``name="wellapp"``).

    Health reports and metrics read it; nothing reading it calls WellApp.
    """

    class Source(models.TextChoices):
        PROBE = "probe", "Probe"
        DELIVERY = "delivery", "Outbox delivery"

    WELLAPP = "wellapp"  # the name of the one row

    name = models.CharField(primary_key=True, max_length=30)
    ok = models.BooleanField()
    checked_at = models.DateTimeField(help_text="When WellApp was last tried.")
    last_ok_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=20, choices=Source.choices)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    error_kind = models.CharField(max_length=50, blank=True, default="")
    error = models.TextField(blank=True, default="")
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    trace_id = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        verbose_name_plural = "upstream status"

    def __str__(self) -> str:
        return f"{self.name} {'ok' if self.ok else 'unreachable'} at {self.checked_at}"
