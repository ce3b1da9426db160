"""The link tables (phone-person, phone-company, phone-workspace) lose the indexes no query
uses: the one on ``phone_id``, which the unique (phone, record) index already serves, and on
PostgreSQL the text-pattern (``_like``) twin of the one on the record's id. A link row is then
written to three indexes instead of four (SQLite) or five (PostgreSQL).

The index on the record's id stays, under a name of its own: PostgreSQL renames it in place;
SQLite, which cannot rename an index, builds it anew. Nothing here rebuilds a table (Django's
own AlterField would copy each link table on SQLite).
"""

import django.db.models.deletion
from django.db import migrations, models

# (table, record column, the record index's new name, Django's name for the phone_id index,
# Django's name for the record index)
LINKS = (
    (
        "phones_phoneperson",
        "person_id",
        "phone_person_person",
        "phones_phoneperson_phone_id_191f1f8c",
        "phones_phoneperson_person_id_866f4e99",
    ),
    (
        "phones_phonecompany",
        "company_id",
        "phone_company_company",
        "phones_phonecompany_phone_id_95694ef1",
        "phones_phonecompany_company_id_a51c1659",
    ),
    (
        "phones_phoneworkspace",
        "workspace_id",
        "phone_workspace_workspace",
        "phones_phoneworkspace_phone_id_5cbfbeaf",
        "phones_phoneworkspace_workspace_id_f6d3f7f4",
    ),
)


def forward(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for table, column, name, by_phone, by_record in LINKS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{by_phone}"')
        if postgres:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{by_record}_like"')
            schema_editor.execute(f'ALTER INDEX "{by_record}" RENAME TO "{name}"')
        else:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{by_record}"')
            schema_editor.execute(f'CREATE INDEX "{name}" ON "{table}" ("{column}")')


def backward(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for table, column, name, by_phone, by_record in LINKS:
        schema_editor.execute(f'CREATE INDEX "{by_phone}" ON "{table}" ("phone_id")')
        if postgres:
            schema_editor.execute(f'ALTER INDEX "{name}" RENAME TO "{by_record}"')
            schema_editor.execute(
                f'CREATE INDEX "{by_record}_like" ON "{table}" ("{column}" varchar_pattern_ops)'
            )
        else:
            schema_editor.execute(f'DROP INDEX "{name}"')
            schema_editor.execute(f'CREATE INDEX "{by_record}" ON "{table}" ("{column}")')


def _link(model: str, record: str) -> list:
    return [
        migrations.AlterField(
            model_name=model,
            name="phone",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                to="phones.phone",
            ),
        ),
        migrations.AlterField(
            model_name=model,
            name=record,
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                to=f"phones.{record}",
            ),
        ),
        migrations.AddIndex(
            model_name=model,
            index=models.Index(fields=[record], name=f"phone_{record}_{record}"),
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [("phones", "0017_listing_walk_index")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forward, backward)],
            state_operations=[
                *_link("phoneperson", "person"),
                *_link("phonecompany", "company"),
                *_link("phoneworkspace", "workspace"),
            ],
        )
    ]
