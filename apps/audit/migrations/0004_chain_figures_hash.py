"""Chain.figures_hash: the hash of the newest event that may change a dashboard's
figures. Existing chains start at their head: every event so far counts."""

from django.db import migrations, models
from django.db.models import F

from apps.audit.canonical import ZERO_HASH


def start_at_head(apps, schema_editor):
    Chain = apps.get_model("audit", "Chain")
    Chain.objects.update(figures_hash=F("head_hash"))


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_derived_indexed_columns")]

    operations = [
        migrations.AddField(
            model_name="chain",
            name="figures_hash",
            field=models.BinaryField(default=ZERO_HASH, max_length=32),
        ),
        migrations.RunPython(start_at_head, migrations.RunPython.noop),
    ]
