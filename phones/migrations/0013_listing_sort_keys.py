from datetime import UTC, datetime

from django.db import migrations

# phones.models.UNDATED, frozen here: the sort key of a phone without a creation or update
# time.
UNDATED = datetime(1970, 1, 1, tzinfo=UTC)


def fill_undated(apps, schema_editor):
    listing = apps.get_model("phones", "PhoneListing")
    listing.objects.filter(created_at__isnull=True).update(created_at=UNDATED)
    listing.objects.filter(updated_at__isnull=True).update(updated_at=UNDATED)


class Migration(migrations.Migration):
    dependencies = [("phones", "0012_upstream_status")]

    operations = [migrations.RunPython(fill_undated, migrations.RunPython.noop, elidable=True)]
