"""A scanned repository per team, and the signals each quarter would show."""

from __future__ import annotations

import random
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from apps.accounts.models import Team
from apps.assessments.scoring import SignalState
from apps.assessments.signals import state_of
from apps.dashboards.scale.people import _Profile, _profile
from apps.dashboards.scale.world import (
    RUNNABLE,
    SIGNAL_KEYS,
    SIGNAL_PATHS,
    TEAMS_PER_ROUND,
    _chunks,
    _clamp,
    _quarter_end,
    _World,
)
from apps.repos.models import LinkedRepo, Provider, Scan, Signal
from apps.repos.scanner import COLLECTOR_VERSION
from apps.repos.selectors import TeamSignal
from apps.rubrics.evidence import RUNTIME_SIGNALS


@dataclass(frozen=True)
class _SignalView:
    """What the team's repository showed at one time, as scoring reads it."""

    states: dict[str, SignalState]
    running: frozenset[str]
    sources: dict[str, list[dict]]
    facts: list[tuple[str, bool, str]]  # (key, value, strength), as stored
    observed_at: datetime | None = None
    commit: str = ""


NO_SIGNALS = _SignalView({}, frozenset(), {}, [])


def _maturity(profile: _Profile, quarter: int, rng: random.Random) -> dict[str, float]:
    level = profile.base + profile.growth * quarter
    return {
        key: _clamp(level + offset + rng.gauss(0, 0.35))
        for key, offset in profile.offsets.items()
    }


def _strength(key: str, held: bool, maturity: float) -> str:
    if not held:
        return ""
    if key in RUNTIME_SIGNALS or (key in RUNNABLE and maturity >= 2.8):
        return Signal.Strength.RUNNING
    return Signal.Strength.WIRED if maturity >= 1.8 else Signal.Strength.DECLARED


def _signal_view(
    world: _World, index: int, profile: _Profile, maturity: dict[str, float], q: int
) -> _SignalView:
    """The repository's signals as of quarter `q`: its last scan for the latest
    quarter (the rows stored), an observation at the quarter's end before that."""
    if not profile.linked:
        return NO_SIGNALS
    mean = statistics.fmean(maturity.values())
    observed, stale = _observed(world, profile, q)
    commit = world.hex(index, q, "commit", length=40)
    facts = _signal_facts(world, profile, mean)
    return _SignalView(
        states={
            key: state_of(TeamSignal(key, held, strength, observed, stale))
            for key, held, strength in facts
        },
        running=frozenset(
            key for key, held, strength in facts if strength == Signal.Strength.RUNNING
        ),
        sources={
            key: [_source(world, index, commit, observed, key, held)]
            for key, held, _ in facts
        },
        facts=facts,
        observed_at=observed,
        commit=commit,
    )


def _observed(world: _World, profile: _Profile, q: int) -> tuple[datetime, bool]:
    """When the signals seen in quarter `q` were observed, and whether that is
    before the freshness window (only the last scan can be: scores are taken when
    the quarter ends)."""
    if q < len(world.periods) - 1:
        return _quarter_end(world.periods[q]) - timedelta(days=3), False
    freshness = timedelta(days=settings.REPOS_SIGNAL_FRESHNESS_DAYS)
    return world.now - profile.scan_age, profile.scan_age > freshness


def _signal_facts(
    world: _World, profile: _Profile, mean: float
) -> list[tuple[str, bool, str]]:
    """(key, holds, strength) per signal: a signal tends to hold once the team is
    about as mature as the lowest criterion it evidences."""
    facts = []
    for key in SIGNAL_KEYS:
        level = mean + profile.noise[key]
        held = level >= world.signal_levels[key] - 0.5
        facts.append((key, held, _strength(key, held, mean + profile.noise[key] / 2)))
    return facts


def _source(
    world: _World, index: int, commit: str, observed: datetime, key: str, held: bool
) -> dict:
    return {
        "repo": _repo_name(world.teams[index]),
        "commit": commit,
        "observed_at": observed.isoformat(),
        "value": held,
        "evidence": [SIGNAL_PATHS.get(key, f"ci/{key}")] if held else [],
    }


def _repo_name(team: Team) -> str:
    return f"{team.slug}-ml"


def _latest_view(world: _World, index: int, profile: _Profile) -> _SignalView:
    q = len(world.periods) - 1
    maturity = _maturity(profile, q, world.rng(index, q))
    return _signal_view(world, index, profile, maturity, q)


def _repositories(world: _World) -> None:
    """A linked repository for most teams, its last scan and that scan's signals.
    The paths are data only: nothing is cloned or scanned."""
    bar = world.progress("repositories", world.options.teams)
    for chunk in _chunks(world.options.teams, TEAMS_PER_ROUND):
        views = {}
        for index in chunk:
            profile = _profile(world, index)
            if profile.linked:
                views[index] = _latest_view(world, index, profile)
        repos = world.writer.create([_repo(world, index) for index in views])
        scans = world.writer.create(
            [
                _scan(repo, view)
                for repo, view in zip(repos, views.values(), strict=True)
            ]
        )
        for scan, view in zip(scans, views.values(), strict=True):
            for key, held, strength in view.facts:
                world.writer.add(_signal(scan, view, key, held, strength))
        world.writer.flush()
        bar.update(len(chunk))
    bar.close()


def _repo(world: _World, index: int) -> LinkedRepo:
    team = world.teams[index]
    return LinkedRepo(
        organization=world.organization,
        team=team,
        name=_repo_name(team),
        provider=Provider.GIT,
        local_path=f"/srv/tollgate-scale/{world.options.org_slug}/{team.slug}",
        default_branch="main",
        created_by_id=world.leads[index],
    )


def _scan(repo: LinkedRepo, view: _SignalView) -> Scan:
    return Scan(
        repo=repo,
        status=Scan.Status.SUCCEEDED,
        trigger=Scan.Trigger.SCHEDULE,
        started_at=view.observed_at - timedelta(minutes=2),
        finished_at=view.observed_at,
        attempts=1,
        commit=view.commit,
        collector_version=COLLECTOR_VERSION,
        step="done",
        percent=100,
    )


def _signal(
    scan: Scan, view: _SignalView, key: str, held: bool, strength: str
) -> Signal:
    runtime = key in RUNTIME_SIGNALS
    measure = {"pass_rate": 0.97 if held else 0.61} if key == "ci_pass_rate" else {}
    return Signal(
        repo_id=scan.repo_id,
        scan=scan,
        key=key,
        value=held,
        strength=strength,
        evidence=view.sources[key][0]["evidence"],
        measure=measure,
        commit=view.commit,
        source=Signal.Source.WEBHOOK if runtime else Signal.Source.SCAN,
        observed_at=view.observed_at,
    )
