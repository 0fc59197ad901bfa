"""The audit event table is append-only (triggers defined in apps.core.db)."""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from apps.core.db import AUDIT_EVENTS

TABLE = AUDIT_EVENTS.table


def install_append_only_triggers(connection: BaseDatabaseWrapper) -> None:
    AUDIT_EVENTS.install(connection)


def drop_append_only_triggers(connection: BaseDatabaseWrapper) -> None:
    AUDIT_EVENTS.drop(connection)
