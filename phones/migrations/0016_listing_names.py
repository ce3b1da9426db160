import json

from django.db import migrations, models

BATCH = 2000


def _person(full_name: str, first_name: str, last_name: str, pk: str) -> str:
    return full_name or f"{first_name} {last_name}".strip() or pk


def fill_names(apps, schema_editor):
    """Each listing row's names, as ``phones.services.listing.names_text`` makes them: the
    people's, the companies' and the workspaces' names, each kind in its own order."""
    listing = apps.get_model("phones", "PhoneListing")
    kinds = (
        (
            apps.get_model("phones", "PhonePerson"),
            ("person__full_name", "person__first_name", "person__last_name", "person_id"),
            lambda full, first, last, pk: ((full, pk), _person(full, first, last, pk)),
        ),
        (
            apps.get_model("phones", "PhoneCompany"),
            ("company__name", "company_id"),
            lambda name, pk: ((name, pk), name or pk),
        ),
        (
            apps.get_model("phones", "PhoneWorkspace"),
            ("workspace__name", "workspace__external_workspace_id", "workspace_id"),
            lambda name, external, pk: ((name, pk), name or external or pk),
        ),
    )
    last = 0
    while True:
        rows = list(
            listing.objects.filter(id__gt=last).order_by("id").only("id", "phone_id")[:BATCH]
        )
        if not rows:
            return
        last = rows[-1].id
        phone_ids = [row.phone_id for row in rows]
        found = {phone_id: ([], [], []) for phone_id in phone_ids}
        for n, (link, fields, shown) in enumerate(kinds):
            for phone_id, *values in link.objects.filter(phone_id__in=phone_ids).values_list(
                "phone_id", *fields
            ):
                found[phone_id][n].append(shown(*values))
        for row in rows:
            row.names = json.dumps(
                [[name for _, name in sorted(kind)] for kind in found[row.phone_id]],
                ensure_ascii=False,
                separators=(",", ":"),
            )
        listing.objects.bulk_update(rows, ["names"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [("phones", "0015_picker_indexes")]

    # The column is added in place (SQLite and PostgreSQL both add a column with a constant
    # default without rewriting the table): Django's own AddField rebuilds the table on
    # SQLite, which takes minutes at a million rows and drops the search index's triggers.
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE phones_phonesearch ADD COLUMN names text NOT NULL "
                    "DEFAULT '[[],[],[]]'",
                    "ALTER TABLE phones_phonesearch DROP COLUMN names",
                )
            ],
            state_operations=[
                migrations.AddField(
                    model_name="phonelisting",
                    name="names",
                    field=models.TextField(
                        blank=True,
                        default="[[],[],[]]",
                        help_text="What the table shows of the linked records: a JSON array of "
                        "the people's, the companies' and the workspaces' names, each in its "
                        "kind's order.",
                    ),
                )
            ],
        ),
        migrations.RunPython(fill_names, migrations.RunPython.noop, elidable=True),
    ]
