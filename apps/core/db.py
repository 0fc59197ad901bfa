"""Append-only tables: database triggers that refuse UPDATE and DELETE.

They hold for every client, the ORM and raw SQL alike (and refuse TRUNCATE on
PostgreSQL). Someone able to drop them can still edit rows; for the audit trail,
`audit_verify` is what detects that.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.backends.base.base import BaseDatabaseWrapper


@dataclass(frozen=True)
class AppendOnlyTable:
    table: str
    prefix: str  # names the triggers (and the PostgreSQL function)
    noun: str  # says what the rows are in the refusal message

    def statements(self, vendor: str, *, install: bool) -> list[str]:
        if vendor == "postgresql":
            return self._postgres_install() if install else self._postgres_drop()
        if vendor == "sqlite":
            return self._sqlite_install() if install else self._sqlite_drop()
        raise NotImplementedError(f"no append-only triggers for {vendor}")

    def _sqlite_install(self) -> list[str]:
        return [
            f"""CREATE TRIGGER IF NOT EXISTS {self.prefix}_refuse_{op.lower()}
                BEFORE {op} ON {self.table} BEGIN SELECT RAISE(ABORT,
                '{self.noun} are append-only: {op} refused'); END"""
            for op in ("UPDATE", "DELETE")
        ]

    def _sqlite_drop(self) -> list[str]:
        return [
            f"DROP TRIGGER IF EXISTS {self.prefix}_refuse_{op}"
            for op in ("update", "delete")
        ]

    def _postgres_install(self) -> list[str]:
        function = f"{self.prefix}_refuse_change"
        return [
            f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger
               LANGUAGE plpgsql AS $$
               BEGIN
                   RAISE EXCEPTION '{self.noun} are append-only: % refused', TG_OP
                       USING ERRCODE = 'insufficient_privilege';
               END $$""",
            f"""CREATE OR REPLACE TRIGGER {self.prefix}_refuse_change
                BEFORE UPDATE OR DELETE ON {self.table}
                FOR EACH ROW EXECUTE FUNCTION {function}()""",
            f"""CREATE OR REPLACE TRIGGER {self.prefix}_refuse_truncate
                BEFORE TRUNCATE ON {self.table}
                FOR EACH STATEMENT EXECUTE FUNCTION {function}()""",
        ]

    def _postgres_drop(self) -> list[str]:
        return [
            f"DROP TRIGGER IF EXISTS {self.prefix}_refuse_{kind} ON {self.table}"
            for kind in ("change", "truncate")
        ]

    def install(self, connection: BaseDatabaseWrapper) -> None:
        with connection.cursor() as cursor:
            for statement in self.statements(connection.vendor, install=True):
                cursor.execute(statement)

    def drop(self, connection: BaseDatabaseWrapper) -> None:
        with connection.cursor() as cursor:
            for statement in self.statements(connection.vendor, install=False):
                cursor.execute(statement)


AUDIT_EVENTS = AppendOnlyTable("audit_auditevent", "audit_event", "audit events")
SCORE_SNAPSHOTS = AppendOnlyTable(
    "assessments_scoresnapshot", "score_snapshot", "score snapshots"
)
SCORE_DIMENSIONS = AppendOnlyTable(
    "assessments_scoredimension", "score_dimension", "score dimensions"
)
WEBHOOK_ATTEMPTS = AppendOnlyTable(
    "webhooks_webhookattempt", "webhook_attempt", "webhook delivery attempts"
)
# Every table whose rows are history: tests drop these triggers only to flush.
APPEND_ONLY_TABLES = (AUDIT_EVENTS, SCORE_SNAPSHOTS, SCORE_DIMENSIONS, WEBHOOK_ATTEMPTS)
