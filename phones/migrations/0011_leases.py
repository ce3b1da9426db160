from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("phones", "0010_request_ids")]

    operations = [
        migrations.CreateModel(
            name="Lease",
            fields=[
                ("name", models.CharField(max_length=100, primary_key=True, serialize=False)),
                ("holder", models.CharField(max_length=200)),
                ("expires_at", models.DateTimeField()),
            ],
        ),
        migrations.AddField(
            model_name="outboxentry",
            name="claimed_by",
            field=models.CharField(blank=True, default="", max_length=200),
        ),
        migrations.AddField(
            model_name="outboxentry",
            name="claim_expires_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="syncrun",
            name="worker",
            field=models.CharField(
                blank=True,
                default="",
                help_text="The process running it (its lease holder); empty until a worker "
                "starts it.",
                max_length=200,
            ),
        ),
    ]
