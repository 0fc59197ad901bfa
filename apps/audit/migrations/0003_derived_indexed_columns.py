"""The indexed columns become stored generated columns, derived from `canonical`.

action, actor_type, object_type and object_id are dropped and re-added (Django cannot
alter a column into a generated one); actor (a foreign key) becomes actor_id and
occurred_at becomes ts, the canonical spelling of the time. Existing rows get their
values from their canonical text. On SQLite the table is rebuilt, which drops the
append-only triggers: they are installed again at the end (and on the way back).
"""

from django.db import migrations, models

import apps.audit.models
from apps.core.db import AUDIT_EVENTS

DERIVED = {
    "ts": ("ts",),
    "actor_id": ("actor", "id"),
    "actor_type": ("actor", "type"),
    "action": ("action",),
    "object_type": ("object", "type"),
    "object_id": ("object", "id"),
}
INDEXES = {
    "audit_event_action_idx": ["chain", "action"],
    "audit_event_object_idx": ["chain", "object_type", "object_id"],
    "audit_event_actor_idx": ["chain", "actor_id"],
    "audit_event_time_idx": ["chain", "ts"],
}


def install_triggers(apps, schema_editor):
    AUDIT_EVENTS.install(schema_editor.connection)


def _derived(name):
    integer = name == "actor_id"
    output = models.BigIntegerField() if integer else models.TextField()
    return models.GeneratedField(
        db_persist=True,
        expression=apps.audit.models.CanonicalValue(
            *DERIVED[name], output_field=models.BigIntegerField() if integer else None
        ),
        output_field=output,
    )


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [
        # Backwards, this runs last: the rebuilt table gets its triggers back.
        migrations.RunPython(migrations.RunPython.noop, install_triggers),
        *[
            migrations.RemoveIndex(model_name="auditevent", name=name)
            for name in INDEXES
        ],
        *[
            migrations.RemoveField(model_name="auditevent", name=name)
            for name in (
                "occurred_at",
                "actor",
                "actor_type",
                "action",
                "object_type",
                "object_id",
            )
        ],
        *[
            migrations.AddField(
                model_name="auditevent", name=name, field=_derived(name)
            )
            for name in DERIVED
        ],
        *[
            migrations.AddIndex(
                model_name="auditevent",
                index=models.Index(fields=fields, name=name),
            )
            for name, fields in INDEXES.items()
        ],
        migrations.RunPython(install_triggers, migrations.RunPython.noop),
    ]
