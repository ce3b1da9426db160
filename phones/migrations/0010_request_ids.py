from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("phones", "0009_task_paths")]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="client_ip",
            field=models.GenericIPAddressField(
                blank=True, help_text="The address the request came from.", null=True
            ),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="request_id",
            field=models.CharField(
                blank=True,
                default="",
                help_text="The portal request that did it.",
                max_length=200,
            ),
        ),
        migrations.AddField(
            model_name="outboxentry",
            name="request_id",
            field=models.CharField(
                blank=True,
                default="",
                help_text="The portal request that queued it; its deliveries run under this id.",
                max_length=200,
            ),
        ),
    ]
