"""Each dimension row counts its conflicts, filled for earlier snapshots from their
payload. The table is append-only, so its triggers come off for the change and go
back on after it."""

from django.db import migrations, models

from apps.core.db import SCORE_DIMENSIONS


def install(apps, schema_editor):
    SCORE_DIMENSIONS.install(schema_editor.connection)


def drop(apps, schema_editor):
    SCORE_DIMENSIONS.drop(schema_editor.connection)


def fill(apps, schema_editor):
    ScoreSnapshot = apps.get_model("assessments", "ScoreSnapshot")
    ScoreDimension = apps.get_model("assessments", "ScoreDimension")
    snapshots = ScoreSnapshot.objects.values_list("pk", "payload")
    for pk, payload in snapshots.iterator(chunk_size=200):
        for dimension in payload.get("dimensions", []):
            count = sum(
                bool(credit.get("conflict")) for credit in dimension.get("credits", [])
            )
            if count:  # the rest keep the default, 0
                ScoreDimension.objects.filter(
                    snapshot_id=pk, dimension=dimension["id"]
                ).update(conflicts=count)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0006_snapshot_summary_index")]

    operations = [
        migrations.RunPython(drop, install),
        migrations.AddField(
            model_name="scoredimension",
            name="conflicts",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(install, drop),
    ]
