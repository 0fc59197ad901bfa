"""Domain events that other apps react to, without the sender importing them.

DESIGN §1: assessments and repos feed roadmaps, not the other way round; a sender
says what happened and the apps downstream decide what it means for them.
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

# What a team's scores rest on has changed: an assessment was handed in, reviewed or
# rescored, or a scan of one of its repositories finished. Keyword: team_id.
team_evidence_changed = Signal()


def announce_team_evidence_changed(team_id: int) -> None:
    """Send team_evidence_changed once the current transaction commits (at once
    outside one): receivers see the committed rows, and nothing for a rollback."""
    transaction.on_commit(
        lambda: team_evidence_changed.send(sender=None, team_id=team_id)
    )
