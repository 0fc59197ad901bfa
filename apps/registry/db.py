"""Database guards for the registry's history.

- Policies, evidence requirements, decisions and comments are append-only.
- A submitted version's content columns never change, and it is never deleted.
- Reviewed evidence (accepted or rejected) never changes; a replacement is a new row.

The code refuses all of this too; the triggers make it hold for raw SQL and for any
other client of the database.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.backends.base.base import BaseDatabaseWrapper

from apps.core.db import AppendOnlyTable


@dataclass(frozen=True)
class FrozenRows:
    """Refuse changes to `columns`, and deletion, of rows matching `frozen_when`.

    `frozen_when` is an SQL condition on the OLD row, valid on SQLite and PostgreSQL.
    """

    table: str
    prefix: str
    noun: str
    frozen_when: str
    columns: tuple[str, ...]

    def _changed(self) -> str:
        return " OR ".join(
            f'NEW."{c}" IS DISTINCT FROM OLD."{c}"' for c in self.columns
        )

    def _sqlite_changed(self) -> str:
        # SQLite spells the null-safe comparison IS NOT.
        return " OR ".join(f'NEW."{c}" IS NOT OLD."{c}"' for c in self.columns)

    def statements(self, vendor: str, *, install: bool) -> list[str]:
        frozen = self.frozen_when.replace("{row}", "OLD")
        if vendor == "sqlite":
            if not install:
                return [
                    f"DROP TRIGGER IF EXISTS {self.prefix}_refuse_{op}"
                    for op in ("update", "delete")
                ]
            return [
                f"""CREATE TRIGGER IF NOT EXISTS {self.prefix}_refuse_update
                    BEFORE UPDATE ON {self.table}
                    WHEN ({frozen}) AND ({self._sqlite_changed()})
                    BEGIN SELECT RAISE(ABORT, '{self.noun} are frozen: UPDATE refused'); END""",
                f"""CREATE TRIGGER IF NOT EXISTS {self.prefix}_refuse_delete
                    BEFORE DELETE ON {self.table} WHEN ({frozen})
                    BEGIN SELECT RAISE(ABORT, '{self.noun} are frozen: DELETE refused'); END""",
            ]
        if vendor == "postgresql":
            function = f"{self.prefix}_refuse_change"
            if not install:
                return [f"DROP TRIGGER IF EXISTS {function} ON {self.table}"]
            return [
                f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger
                   LANGUAGE plpgsql AS $$
                   BEGIN
                       IF ({frozen}) AND (TG_OP = 'DELETE' OR {self._changed()}) THEN
                           RAISE EXCEPTION '{self.noun} are frozen: % refused', TG_OP
                               USING ERRCODE = 'insufficient_privilege';
                       END IF;
                       IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
                       RETURN NEW;
                   END $$""",
                f"""CREATE OR REPLACE TRIGGER {function}
                    BEFORE UPDATE OR DELETE ON {self.table}
                    FOR EACH ROW EXECUTE FUNCTION {function}()""",
            ]
        raise NotImplementedError(f"no frozen-row triggers for {vendor}")

    def install(self, connection: BaseDatabaseWrapper) -> None:
        with connection.cursor() as cursor:
            for statement in self.statements(connection.vendor, install=True):
                cursor.execute(statement)

    def drop(self, connection: BaseDatabaseWrapper) -> None:
        with connection.cursor() as cursor:
            for statement in self.statements(connection.vendor, install=False):
                cursor.execute(statement)


POLICIES = AppendOnlyTable(
    "registry_promotionpolicy", "promotion_policy", "promotion policies"
)
REQUIREMENTS = AppendOnlyTable(
    "registry_evidencerequirement", "evidence_requirement", "evidence requirements"
)
DECISIONS = AppendOnlyTable("registry_decision", "promotion_decision", "decisions")
COMMENTS = AppendOnlyTable("registry_comment", "registry_comment", "comments")

FROZEN_VERSIONS = FrozenRows(
    table="registry_modelversion",
    prefix="model_version_frozen",
    noun="submitted model versions",
    frozen_when="{row}.submitted_at IS NOT NULL",
    columns=(
        "model_id",
        "version",
        "source_uri",
        "artifact_sha256",
        "code_commit",
        "repository",
        "run_ref",
        "dataset_refs",
        "metrics",
        "model_card",
        "authors",
        "created_by_id",
        "submitted_at",
        "submitted_by_id",
    ),
)
REVIEWED_EVIDENCE = FrozenRows(
    table="registry_evidenceitem",
    prefix="registry_evidence_reviewed",
    noun="reviewed evidence items",
    frozen_when="{row}.status <> 'submitted'",
    columns=(
        "version_id",
        "requirement_key",
        "kind",
        "url",
        "file",
        "sha256",
        "note",
        "status",
        "submitted_by_id",
        "reviewed_by_id",
        "reviewed_at",
        "review_comment",
        "supersedes_id",
    ),
)

REGISTRY_GUARDS = (
    POLICIES,
    REQUIREMENTS,
    DECISIONS,
    COMMENTS,
    FROZEN_VERSIONS,
    REVIEWED_EVIDENCE,
)
