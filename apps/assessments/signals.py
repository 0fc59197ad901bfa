"""Where repository and CI signals enter scoring.

The engine takes a SignalState per signal key, read from the team's linked
repositories (apps.repos.selectors.team_signals): a signal that holds and was
observed within the freshness window is FRESH, one observed before it STALE, one
looked for and not found ABSENT. A key no repository reports stays UNKNOWN, and the
score rests on answers and reviewed artifacts alone. DESIGN §4: levels 3–4 need a
*running* signal, so the strength of each holding key is passed on as well.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from apps.accounts.models import Team
from apps.assessments.scoring import SignalState
from apps.repos.models import Signal
from apps.repos.selectors import TeamSignal, team_signals


@dataclass(frozen=True)
class TeamSignalStates:
    states: dict[str, SignalState] = field(default_factory=dict)
    running: frozenset[str] = frozenset()  # keys with running evidence
    # key → what each repository showed (repo, commit, observed_at, value, evidence):
    # kept in the score snapshot, so a conflict shows where the signal was looked for.
    sources: dict[str, list[dict]] = field(default_factory=dict)


def state_of(signal: TeamSignal) -> SignalState:
    if signal.value:
        return SignalState.STALE if signal.stale else SignalState.FRESH
    # An absence observed long ago says little about today: no evidence either way.
    return SignalState.UNKNOWN if signal.stale else SignalState.ABSENT


def signal_states(*, team: Team) -> TeamSignalStates:
    """Signal key → state for the team's linked repositories, and which hold with
    running evidence."""
    signals = team_signals(team=team, now=timezone.now())
    return TeamSignalStates(
        states={key: state_of(signal) for key, signal in signals.items()},
        running=frozenset(
            key
            for key, signal in signals.items()
            if signal.value and signal.strength == Signal.Strength.RUNNING
        ),
        sources={key: signal.sources for key, signal in signals.items()},
    )
