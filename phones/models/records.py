"""The cached WellApp records: workspaces, companies, people, phones and the phones' links to
the other three. Upstream ids are their primary keys."""

from django.db import models
from django.db.models.functions import Lower


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


# The link tables: each link row carries two indexes besides its key, the unique (phone,
# record) one, which also serves every lookup by phone, and one on the record. Neither foreign
# key gets Django's own index: one by phone would repeat the unique one, and on PostgreSQL a
# text key's index comes with a second, text-pattern one that no query uses.
class PhonePerson(models.Model):
    phone = models.ForeignKey(Phone, on_delete=models.CASCADE, db_index=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, db_index=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["phone", "person"], name="phone_person_unique")
        ]
        indexes = [models.Index(fields=["person"], name="phone_person_person")]

    def __str__(self) -> str:
        return f"{self.phone_id} - {self.person_id}"


class PhoneCompany(models.Model):
    phone = models.ForeignKey(Phone, on_delete=models.CASCADE, db_index=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, db_index=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["phone", "company"], name="phone_company_unique")
        ]
        indexes = [models.Index(fields=["company"], name="phone_company_company")]

    def __str__(self) -> str:
        return f"{self.phone_id} - {self.company_id}"


class PhoneWorkspace(models.Model):
    phone = models.ForeignKey(Phone, on_delete=models.CASCADE, db_index=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, db_index=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["phone", "workspace"], name="phone_workspace_unique")
        ]
        indexes = [models.Index(fields=["workspace"], name="phone_workspace_workspace")]

    def __str__(self) -> str:
        return f"{self.phone_id} - {self.workspace_id}"
