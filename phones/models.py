"""The local cache of WellApp records, and the bookkeeping around it.

Upstream ids are kept as primary keys (strings for the directory, a UUID for phones), so an
upsert is a write by key and a link never needs a lookup. Listing and search read only these
tables; nothing here talks HTTP.
"""

import uuid
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property

# A run no worker has started after this long is given up (no worker was running).
SYNC_STALE_AFTER = timedelta(minutes=30)
# The lease a running sync holds (``phones.services.leases``): one sync at a time.
SYNC_LEASE = "sync"


class Workspace(models.Model):
    """A WellApp workspace as last read from upstream."""

    id = models.CharField(primary_key=True, max_length=200)
    external_workspace_id = models.CharField(max_length=200, blank=True, default="")
    name = models.CharField(max_length=300, blank=True, default="")
    description = models.TextField(blank=True, default="")
    avatar_color = models.CharField(max_length=20, blank=True, default="")
    auto_extract_enabled = models.BooleanField(default=False)
    upstream_created_at = models.DateTimeField(null=True, blank=True)
    upstream_updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(Lower("name"), name="workspace_name_lower"),
            models.Index(fields=["external_workspace_id"], name="workspace_external_id"),
            # The picker's order with what it matches on: a walk that reads no table row.
            models.Index(fields=["name", "id", "external_workspace_id"], name="workspace_picker"),
        ]

    def __str__(self) -> str:
        return self.name or self.external_workspace_id or self.id


class Company(models.Model):
    """A WellApp company as last read from upstream."""

    id = models.CharField(primary_key=True, max_length=200)
    name = models.CharField(max_length=300, blank=True, default="")
    description = models.TextField(blank=True, default="")
    domain = models.CharField(max_length=300, blank=True, default="")
    website = models.CharField(max_length=500, blank=True, default="")
    locale = models.CharField(max_length=20, blank=True, default="")
    upstream_created_at = models.DateTimeField(null=True, blank=True)
    upstream_updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "companies"
        indexes = [
            models.Index(Lower("name"), name="company_name_lower"),
            models.Index(Lower("domain"), name="company_domain_lower"),
            # The picker's order with what it matches on: a walk that reads no table row.
            models.Index(fields=["name", "id", "domain"], name="company_picker"),
        ]

    def __str__(self) -> str:
        return self.name or self.id


class Person(models.Model):
    """A WellApp person ("people" record) as last read from upstream."""

    id = models.CharField(primary_key=True, max_length=200)
    first_name = models.CharField(max_length=200, blank=True, default="")
    last_name = models.CharField(max_length=200, blank=True, default="")
    full_name = models.CharField(max_length=400, blank=True, default="")
    email = models.CharField(max_length=320, blank=True, default="")
    job_title = models.CharField(max_length=300, blank=True, default="")
    upstream_created_at = models.DateTimeField(null=True, blank=True)
    upstream_updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["full_name", "id"]
        verbose_name_plural = "people"
        indexes = [
            models.Index(Lower("full_name"), name="person_full_name_lower"),
            models.Index(Lower("email"), name="person_email_lower"),
            # The picker's order with what it matches on: a walk that reads no table row.
            models.Index(fields=["full_name", "id", "email"], name="person_picker"),
        ]

    def __str__(self) -> str:
        return self.full_name or f"{self.first_name} {self.last_name}".strip() or self.id


class Phone(models.Model):
    """A WellApp phone record; ``raw`` keeps the document it was last written from."""

    class Label(models.TextChoices):
        WORK = "work", "Work"
        MOBILE = "mobile", "Mobile"
        HOME = "home", "Home"
        OTHER = "other", "Other"

    id = models.UUIDField(primary_key=True)
    country_code = models.PositiveSmallIntegerField()
    national_number = models.CharField(max_length=20)
    e164_number = models.CharField(max_length=20)
    label = models.CharField(max_length=50, blank=True, default="", choices=Label.choices)
    is_primary = models.BooleanField(default=False)
    is_verified = models.BooleanField(default=False)
    upstream_created_at = models.DateTimeField(null=True, blank=True)
    upstream_updated_at = models.DateTimeField(null=True, blank=True)
    fetched_at = models.DateTimeField(help_text="When this copy was last written from WellApp.")
    raw = models.JSONField(default=dict, blank=True)
    deleted_at = models.DateTimeField(
        null=True, blank=True, help_text="When a full sync found it gone from WellApp."
    )
    people = models.ManyToManyField(Person, through="PhonePerson", related_name="phones")
    companies = models.ManyToManyField(Company, through="PhoneCompany", related_name="phones")
    workspaces = models.ManyToManyField(Workspace, through="PhoneWorkspace", related_name="phones")

    # The links as plain lists, set on the phones of a list page or an export by their
    # prefetch (``phones.selectors.listing.LINKS``); not columns.
    people_list: list[Person]
    company_list: list[Company]
    workspace_list: list[Workspace]

    class Meta:
        ordering = ["-upstream_created_at", "-id"]
        indexes = [
            models.Index(fields=["-upstream_created_at", "-id"], name="phone_created_desc"),
            models.Index(fields=["upstream_updated_at", "id"], name="phone_updated"),
            models.Index(fields=["e164_number", "id"], name="phone_e164"),
            models.Index(fields=["country_code", "national_number"], name="phone_national"),
        ]
        permissions = [
            # What Support editors may do beyond reading (view_phone): create phones in
            # WellApp, start syncs of the local copy, and retry or discard queued creates.
            # Every editor-only view and button checks this one permission.
            ("edit_directory", "Can create phones, run syncs and manage the queue"),
        ]

    def __str__(self) -> str:
        return self.e164_number


# The sort key of a phone WellApp sent without a creation or update time: such a phone sorts
# as older than every dated one. A listing row's sort keys are never NULL, so a page can
# always name the row it ends on (a cursor) and the next page starts just beyond it.
UNDATED = datetime(1970, 1, 1, tzinfo=UTC)


class PhoneListing(models.Model):
    """A live phone as the list reads it: its sort keys, the columns it is filtered on, its
    number formatted for reading (international format, region) and the text it is found by
    (its number's digits and its people's, companies' and workspaces' names, lower-cased).
    A narrow row, so that walking the list in any order or testing a search term against
    thousands of phones never reads the wide phone rows. A trigram index over ``text``
    (SQLite FTS5, PostgreSQL pg_trgm) finds the phones that hold a rare term; see migrations
    0003 and 0005. A phone marked deleted has no listing row."""

    phone = models.OneToOneField(Phone, on_delete=models.CASCADE, related_name="listing")
    text = models.TextField(blank=True, default="")
    links = models.TextField(
        blank=True, default="", help_text="The linked records' ids, for the list's filters."
    )
    created_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    e164_number = models.CharField(max_length=20, default="")
    international = models.CharField(max_length=40, blank=True, default="")
    region = models.CharField(max_length=3, blank=True, default="")
    label = models.CharField(max_length=50, blank=True, default="")
    country_code = models.PositiveSmallIntegerField(default=0)
    is_primary = models.BooleanField(default=False)
    is_verified = models.BooleanField(default=False)

    class Meta:
        db_table = "phones_phonesearch"
        indexes = [
            models.Index(fields=["-created_at", "-phone"], name="listing_created"),
            models.Index(fields=["updated_at", "phone"], name="listing_updated"),
            models.Index(fields=["e164_number", "phone"], name="listing_number"),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @staticmethod
    def link_mark(kind: str, record_id: str) -> str:
        """How a link to one record stands in ``links`` (``kind``: people, companies or
        workspaces): between two unit separators, a control character no id holds, so one
        link's mark is never part of another's."""
        return f"\x1f{kind[0]}:{record_id}\x1f"


class PhoneListingLink(models.Model):
    """One link of a listed phone, in the list's default order: a record's phones newest
    first are a range of this table's index, so a page of one workspace's (company's,
    person's) phones walks just that record's links and reads each listing row by its
    integer id, instead of testing every listing row in the list's order. Kept in step
    with the listing row by ``phones.services.listing.listing_refresh``."""

    listing = models.ForeignKey(PhoneListing, on_delete=models.CASCADE, related_name="+")
    phone_id = models.UUIDField()
    kind = models.CharField(max_length=1, help_text="p, c or w: people, companies, workspaces")
    record_id = models.CharField(max_length=200)
    created_at = models.DateTimeField()

    class Meta:
        db_table = "phones_listinglink"
        indexes = [
            models.Index(
                fields=["kind", "record_id", "created_at", "phone_id", "listing"],
                name="listing_link_created",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.record_id} - {self.phone_id}"


class PhonePerson(models.Model):
    phone = models.ForeignKey(Phone, on_delete=models.CASCADE)
    person = models.ForeignKey(Person, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["phone", "person"], name="phone_person_unique")
        ]

    def __str__(self) -> str:
        return f"{self.phone_id} - {self.person_id}"


class PhoneCompany(models.Model):
    phone = models.ForeignKey(Phone, on_delete=models.CASCADE)
    company = models.ForeignKey(Company, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["phone", "company"], name="phone_company_unique")
        ]

    def __str__(self) -> str:
        return f"{self.phone_id} - {self.company_id}"


class PhoneWorkspace(models.Model):
    phone = models.ForeignKey(Phone, on_delete=models.CASCADE)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["phone", "workspace"], name="phone_workspace_unique")
        ]

    def __str__(self) -> str:
        return f"{self.phone_id} - {self.workspace_id}"


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
