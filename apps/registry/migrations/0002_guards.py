from django.db import migrations

from apps.registry.db import REGISTRY_GUARDS


def install(apps, schema_editor):
    for guard in REGISTRY_GUARDS:
        guard.install(schema_editor.connection)


def drop(apps, schema_editor):
    for guard in REGISTRY_GUARDS:
        guard.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [migrations.RunPython(install, drop)]
