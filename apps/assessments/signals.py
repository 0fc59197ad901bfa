"""Where repository and CI signals enter scoring.

The engine takes a SignalState per signal key. Until repositories are linked to a team,
nothing is known about any key (SignalState.UNKNOWN), and scores rest on answers and
reviewed artifacts alone.
"""

from __future__ import annotations

from apps.accounts.models import Team
from apps.assessments.scoring import SignalState


def signal_states(*, team: Team) -> dict[str, SignalState]:
    """Signal key → state for the team's linked repositories (none can be linked yet)."""
    return {}
