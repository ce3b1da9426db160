"""The editors' permission: Support editors may create phones, run syncs and manage the
queue (phones.edit_directory, declared on Phone)."""

from django.apps.registry import Apps
from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

CODENAME = "edit_directory"
EDITORS = "Support editors"


def grant_to_editors(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    # Permissions are normally created after all migrations; make sure this one exists now.
    app_config = apps.get_app_config("phones")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="phones", codename=CODENAME)
    for group in Group.objects.filter(name=EDITORS):
        group.permissions.add(permission)


def remove_permission(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="phones", codename=CODENAME).delete()


class Migration(migrations.Migration):
    dependencies = [("phones", "0006_syncrun_phase_progress")]

    operations = [
        migrations.AlterModelOptions(
            name="phone",
            options={
                "ordering": ["-upstream_created_at", "-id"],
                "permissions": [
                    ("edit_directory", "Can create phones, run syncs and manage the queue")
                ],
            },
        ),
        migrations.RunPython(grant_to_editors, remove_permission),
    ]
