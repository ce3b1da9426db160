"""What the list reads: one narrow row per live phone (``PhoneListing``) and its links in
creation order (``PhoneListingLink``), kept in step with the records they are made from."""

from datetime import UTC, datetime

from django.db import models

from phones.models.records import Phone

# The sort key of a phone WellApp sent without a creation or update time: such a phone sorts
# as older than every dated one. A listing row's sort keys are never NULL, so a page can
# always name the row it ends on (a cursor) and the next page starts just beyond it.
UNDATED = datetime(1970, 1, 1, tzinfo=UTC)
# The ``names`` of a listing row whose phone links to nothing.
EMPTY_NAMES = "[[],[],[]]"


class PhoneListing(models.Model):
    """A live phone as the list reads it: its sort keys, the columns it is filtered on, its
    number formatted for reading (international format, region) and the text it is found by
    (its number's digits and its people's, companies' and workspaces' names, lower-cased).
    A narrow row, so that walking the list in any order or testing a search term against
    thousands of phones never reads the wide phone rows. A trigram index over ``text``
    (SQLite FTS5, PostgreSQL pg_trgm) finds the phones that hold a rare term; see migrations
    0003 and 0005. The names of its links are kept here too, so a page of the table reads one
    row per phone and nothing else. A phone marked deleted has no listing row."""

    phone = models.OneToOneField(Phone, on_delete=models.CASCADE, related_name="listing")
    text = models.TextField(blank=True, default="")
    links = models.TextField(
        blank=True, default="", help_text="The linked records' ids, for the list's filters."
    )
    names = models.TextField(
        blank=True,
        default=EMPTY_NAMES,
        help_text="What the table shows of the linked records: a JSON array of the people's, "
        "the companies' and the workspaces' names, each in its kind's order.",
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
