"""Writing what collectors found: CI runs upserted by run and attempt, a scan's signals
replaced as a whole (a retried scan never leaves two sets)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from apps.repos.collectors import RunRecord
from apps.repos.models import CIRun, LinkedRepo, Scan, Signal

_RUN_FIELDS = [
    "workflow",
    "event",
    "raw_event",
    "status",
    "conclusion",
    "head_sha",
    "ref",
    "run_created_at",
    "started_at",
    "finished_at",
    "url",
]


def ci_runs_upsert(*, repo: LinkedRepo, records: Iterable[RunRecord]) -> int:
    """Insert new runs, update known ones (a run changes status until it completes)."""
    rows = [
        CIRun(
            repo=repo,
            provider=r.provider,
            provider_run_id=r.provider_run_id,
            attempt=r.attempt,
            workflow=r.workflow[:300],
            event=r.event,
            raw_event=r.raw_event[:40],
            status=r.status,
            conclusion=r.conclusion or "",
            head_sha=r.head_sha[:64],
            ref=r.ref[:200],
            run_created_at=r.created_at,
            started_at=r.started_at,
            finished_at=r.finished_at,
            url=r.url[:500],
        )
        for r in records
    ]
    CIRun.objects.bulk_create(
        rows,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["repo", "provider_run_id", "attempt"],
        update_fields=_RUN_FIELDS,
    )
    return len(rows)


@dataclass(frozen=True)
class Fact:
    """A signal about to be stored."""

    key: str
    value: bool
    strength: str
    source: str
    evidence: list[str] = field(default_factory=list)
    measure: dict[str, Any] = field(default_factory=dict)
    commit: str = ""


def signals_replace(*, scan: Scan, facts: Iterable[Fact], observed_at: datetime) -> int:
    Signal.objects.filter(scan=scan).delete()
    rows = [
        Signal(
            repo_id=scan.repo_id,
            scan=scan,
            key=f.key,
            value=f.value,
            strength=f.strength,
            source=f.source,
            evidence=f.evidence,
            measure=f.measure,
            commit=f.commit,
            observed_at=observed_at,
        )
        for f in facts
    ]
    Signal.objects.bulk_create(rows)
    return len(rows)
