from django.db import migrations

from apps.core.db import WEBHOOK_ATTEMPTS


def install(apps, schema_editor):
    WEBHOOK_ATTEMPTS.install(schema_editor.connection)


def drop(apps, schema_editor):
    WEBHOOK_ATTEMPTS.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("webhooks", "0001_initial")]

    operations = [migrations.RunPython(install, drop)]
