import django.db.models.deletion
from django.db import migrations, models

FILL = [
    "INSERT INTO phones_listinglink (listing_id, phone_id, kind, record_id, created_at) "
    f"SELECT l.id, l.phone_id, '{kind}', x.{column}, l.created_at FROM {table} x "
    "JOIN phones_phonesearch l ON l.phone_id = x.phone_id"
    for kind, table, column in (
        ("p", "phones_phoneperson", "person_id"),
        ("c", "phones_phonecompany", "company_id"),
        ("w", "phones_phoneworkspace", "workspace_id"),
    )
]


class Migration(migrations.Migration):
    dependencies = [("phones", "0013_listing_sort_keys")]

    operations = [
        migrations.CreateModel(
            name="PhoneListingLink",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("phone_id", models.UUIDField()),
                (
                    "kind",
                    models.CharField(
                        help_text="p, c or w: people, companies, workspaces", max_length=1
                    ),
                ),
                ("record_id", models.CharField(max_length=200)),
                ("created_at", models.DateTimeField()),
                (
                    "listing",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="phones.phonelisting",
                    ),
                ),
            ],
            options={
                "db_table": "phones_listinglink",
                "indexes": [
                    models.Index(
                        fields=["kind", "record_id", "created_at", "phone_id", "listing"],
                        name="listing_link_created",
                    )
                ],
            },
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop, elidable=True),
    ]
