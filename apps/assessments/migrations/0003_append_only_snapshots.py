from django.db import migrations

from apps.core.db import SCORE_SNAPSHOTS


def install(apps, schema_editor):
    SCORE_SNAPSHOTS.install(schema_editor.connection)


def drop(apps, schema_editor):
    SCORE_SNAPSHOTS.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0002_initial")]

    operations = [migrations.RunPython(install, drop)]
