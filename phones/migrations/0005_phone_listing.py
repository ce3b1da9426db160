"""The search rows become the list's narrow listing rows: sort keys and filter columns beside
the search text, one row per live phone."""

import django.db.models.deletion
from django.db import migrations, models

from phones.phone_numbers import describe_e164

LINKS = (
    ("PhonePerson", "person_id", "people"),
    ("PhoneCompany", "company_id", "companies"),
    ("PhoneWorkspace", "workspace_id", "workspaces"),
)

COLUMNS = (
    ("created_at", "upstream_created_at"),
    ("updated_at", "upstream_updated_at"),
    ("e164_number", "e164_number"),
    ("label", "label"),
    ("country_code", "country_code"),
    ("is_primary", "is_primary"),
    ("is_verified", "is_verified"),
)
FILL = (
    "UPDATE phones_phonesearch SET "
    + ", ".join(
        f"{listing} = (SELECT p.{phone} FROM phones_phone p WHERE p.id = phones_phonesearch.phone_id)"
        for listing, phone in COLUMNS
    )
)
DROP_DELETED = (
    "DELETE FROM phones_phonesearch WHERE phone_id IN "
    "(SELECT id FROM phones_phone WHERE deleted_at IS NOT NULL)"
)
# Adding a column rebuilds the table on SQLite, which drops its triggers: they are made again,
# and now only a change of the text re-indexes it (the other columns are not in the index).
SQLITE_TRIGGERS = [
    "DROP TRIGGER IF EXISTS phones_phonesearch_ai",
    "DROP TRIGGER IF EXISTS phones_phonesearch_ad",
    "DROP TRIGGER IF EXISTS phones_phonesearch_au",
    "CREATE TRIGGER phones_phonesearch_ai AFTER INSERT ON phones_phonesearch BEGIN "
    "INSERT INTO phones_phonesearch_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER phones_phonesearch_ad AFTER DELETE ON phones_phonesearch BEGIN "
    "INSERT INTO phones_phonesearch_fts(phones_phonesearch_fts, rowid, text) "
    "VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER phones_phonesearch_au AFTER UPDATE OF text ON phones_phonesearch BEGIN "
    "INSERT INTO phones_phonesearch_fts(phones_phonesearch_fts, rowid, text) "
    "VALUES ('delete', old.id, old.text); "
    "INSERT INTO phones_phonesearch_fts(rowid, text) VALUES (new.id, new.text); END",
]


def links_text(links):
    """A listing row's links, as phones.services.listing writes them (frozen here)."""
    return "".join(f"\x1f{kind[0]}:{record_id}\x1f" for kind, record_id in links)


def fill(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement)
    schema_editor.execute(FILL)
    schema_editor.execute(DROP_DELETED)
    # The number as staff read it is made by phonenumbers, and the links gathered, in Python.
    listing = apps.get_model("phones", "PhoneListing")
    tables = [
        (apps.get_model("phones", model), column, kind)
        for model, column, kind in LINKS
    ]
    rows = listing.objects.only("id", "phone_id", "e164_number").order_by("id")
    for start in range(0, rows.count(), 2000):
        batch = list(rows[start : start + 2000])
        ids = [row.phone_id for row in batch]
        linked = {}
        for table, column, kind in tables:
            for phone_id, record_id in table.objects.filter(phone_id__in=ids).values_list(
                "phone_id", column
            ):
                linked.setdefault(phone_id, []).append((kind, record_id))
        for row in batch:
            row.international, _, row.region = describe_e164(row.e164_number)
            row.links = links_text(linked.get(row.phone_id, []))
        listing.objects.bulk_update(batch, ["international", "region", "links"])


class Migration(migrations.Migration):
    dependencies = [("phones", "0004_outbox")]

    operations = [
        migrations.AlterModelTable(name="phonesearch", table="phones_phonesearch"),
        migrations.RenameModel(old_name="PhoneSearch", new_name="PhoneListing"),
        migrations.AlterField(
            model_name="phonelisting",
            name="phone",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="listing",
                to="phones.phone",
            ),
        ),
        migrations.AddField(
            model_name="phonelisting",
            name="links",
            field=models.TextField(
                blank=True, default="", help_text="The linked records' ids, for the list's filters."
            ),
        ),
        migrations.AddField(
            model_name="phonelisting",
            name="created_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="phonelisting",
            name="updated_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="phonelisting",
            name="e164_number",
            field=models.CharField(default="", max_length=20),
        ),
        migrations.AddField(
            model_name="phonelisting",
            name="international",
            field=models.CharField(blank=True, default="", max_length=40),
        ),
        migrations.AddField(
            model_name="phonelisting",
            name="region",
            field=models.CharField(blank=True, default="", max_length=3),
        ),
        migrations.AddField(
            model_name="phonelisting",
            name="label",
            field=models.CharField(blank=True, default="", max_length=50),
        ),
        migrations.AddField(
            model_name="phonelisting",
            name="country_code",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="phonelisting",
            name="is_primary",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="phonelisting",
            name="is_verified",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="phonelisting",
            index=models.Index(fields=["-created_at", "-phone"], name="listing_created"),
        ),
        migrations.AddIndex(
            model_name="phonelisting",
            index=models.Index(fields=["updated_at", "phone"], name="listing_updated"),
        ),
        migrations.AddIndex(
            model_name="phonelisting",
            index=models.Index(fields=["e164_number", "phone"], name="listing_number"),
        ),
    ]
