"""How a repository's signals read on its page: grouped, ordered, their evidence linked
and their measures in words. Pure: no queries, only what the page already loaded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from apps.repos.links import evidence_url
from apps.repos.models import LinkedRepo, Signal
from apps.rubrics.evidence import RUNTIME_SIGNAL_KEYS, STATIC_SIGNAL_KEYS

# The scan's activity facts: shown on their own, not as a signal row.
HISTORY_KEY = "history"
# Scanners and collectors may add keys before the catalogue knows them: last.
_ORDER = {key: i for i, key in enumerate((*STATIC_SIGNAL_KEYS, *RUNTIME_SIGNAL_KEYS))}

HISTORY_LABELS = {
    "commits_90d": "Commits in the last 90 days",
    "contributors_90d": "Contributors in the last 90 days",
    "last_commit_age_days": "Days since the last commit",
}


@dataclass(frozen=True)
class Evidence:
    text: str
    url: str | None


@dataclass(frozen=True)
class Measure:
    text: str
    band: str = ""
    bands: str = ""


@dataclass(frozen=True)
class SignalRow:
    signal: Signal
    evidence: list[Evidence]
    measure: Measure | None


@dataclass(frozen=True)
class SignalGroups:
    static: list[SignalRow]
    runtime: list[SignalRow]
    history: dict[str, Any] | None


def _is_runtime(signal: Signal) -> bool:
    # A runtime key, or a static key a CI system proved (continuous_training).
    return signal.key in RUNTIME_SIGNAL_KEYS or signal.source != Signal.Source.SCAN


def _row(repo: LinkedRepo, signal: Signal, scan_commit: str) -> SignalRow:
    commit = signal.commit or scan_commit
    evidence = [
        Evidence(str(item), evidence_url(repo, commit, str(item)))
        for item in signal.evidence or []
    ]
    return SignalRow(signal, evidence, measure_of(signal.key, signal.measure or {}))


def signal_groups(
    repo: LinkedRepo, signals: list[Signal], scan_commit: str
) -> SignalGroups:
    """Static (checkout) and runtime (CI system) rows in the catalogue's order, and
    the history facts."""
    history = None
    static, runtime = [], []
    for signal in sorted(signals, key=lambda s: (_ORDER.get(s.key, 99), s.key)):
        if signal.key == HISTORY_KEY:
            history = signal.measure or {}
            continue
        group = runtime if _is_runtime(signal) else static
        group.append(_row(repo, signal, scan_commit))
    return SignalGroups(static, runtime, history)


def history_facts(measure: dict[str, Any]) -> list[tuple[str, Any]]:
    """(label, value) pairs: the known facts first, any others by their key."""
    known = [
        (label, measure[key]) for key, label in HISTORY_LABELS.items() if key in measure
    ]
    others = [
        (key.replace("_", " ").capitalize(), value)
        for key, value in sorted(measure.items())
        if key not in HISTORY_LABELS
    ]
    return known + others


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _percent(value: float) -> str:
    return f"{value * 100:.0f} %"


def _when(value: str | None) -> str:
    if not value:
        return "no successful run"
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return f"last success {value}"
    if timezone.is_aware(when):
        when = timezone.localtime(when)  # as the page's other times
    return f"last success {when:%Y-%m-%d %H:%M}"


# Measure key → how its value reads.
_MEASURES = {
    "pass_rate": lambda v: f"{_percent(v)} of mainline runs passed",
    "runs_per_week": lambda v: f"{_number(v)} runs/week",
    "deployment_frequency": lambda v: f"{_number(v)} deployments/week",
    "lead_time_hours": lambda v: f"{_number(v)} h lead time",
    "change_failure_rate": lambda v: f"{_percent(v)} of deployments failed",
}


def measure_of(key: str, measure: dict[str, Any]) -> Measure | None:
    """A runtime signal's raw values in words, with its DORA band when it has one."""
    if not measure:
        return None
    parts = [
        render(measure[name])
        for name, render in _MEASURES.items()
        if isinstance(measure.get(name), int | float)
    ]
    if "last_success_at" in measure:
        parts.append(_when(measure["last_success_at"]))
    if not parts:
        parts = [
            f"{name.replace('_', ' ')}: {value}" for name, value in measure.items()
        ]
    elif measure.get("window_days"):
        parts[-1] += f" over {measure['window_days']} days"
    return Measure(
        "; ".join(parts),
        str(measure.get("band") or ""),
        str(measure.get("bands") or ""),
    )
