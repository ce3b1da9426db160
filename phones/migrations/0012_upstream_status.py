from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("phones", "0011_leases")]

    operations = [
        migrations.CreateModel(
            name="UpstreamStatus",
            fields=[
                ("name", models.CharField(max_length=30, primary_key=True, serialize=False)),
                ("ok", models.BooleanField()),
                (
                    "checked_at",
                    models.DateTimeField(help_text="When WellApp was last tried."),
                ),
                ("last_ok_at", models.DateTimeField(blank=True, null=True)),
                (
                    "source",
                    models.CharField(
                        choices=[("probe", "Probe"), ("delivery", "Outbox delivery")],
                        max_length=20,
                    ),
                ),
                ("latency_ms", models.PositiveIntegerField(blank=True, null=True)),
                ("error_kind", models.CharField(blank=True, default="", max_length=50)),
                ("error", models.TextField(blank=True, default="")),
                ("http_status", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("trace_id", models.CharField(blank=True, default="", max_length=100)),
            ],
            options={"verbose_name_plural": "upstream status"},
        ),
    ]
