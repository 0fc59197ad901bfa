"""Rows for the snapshots taken before ScoreDimension existed (from their payload),
then the triggers that keep the table append-only, like the snapshots themselves."""

from django.db import migrations

from apps.core.db import SCORE_DIMENSIONS


def fill(apps, schema_editor):
    ScoreSnapshot = apps.get_model("assessments", "ScoreSnapshot")
    ScoreDimension = apps.get_model("assessments", "ScoreDimension")
    rows = []
    for pk, payload in ScoreSnapshot.objects.values_list("pk", "payload").iterator():
        rows += [
            ScoreDimension(
                snapshot_id=pk,
                dimension=d["id"],
                level=d["level"],
                progress=d["progress"],
                score=d["score"],
                target=d.get("target"),
                weight=d["weight"],
                core=d["core"],
            )
            for d in payload.get("dimensions", [])
        ]
        if len(rows) >= 2000:
            ScoreDimension.objects.bulk_create(rows)
            rows = []
    ScoreDimension.objects.bulk_create(rows)


def install(apps, schema_editor):
    SCORE_DIMENSIONS.install(schema_editor.connection)


def drop(apps, schema_editor):
    SCORE_DIMENSIONS.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0004_score_dimensions")]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(install, drop),
    ]
