"""What roadmaps do when another app announces a change (apps.core.events)."""

from __future__ import annotations

from django.dispatch import receiver

from apps.core import queue
from apps.core.events import team_evidence_changed


@receiver(team_evidence_changed, dispatch_uid="roadmaps.replan")
def replan(sender, *, team_id: int, **kwargs) -> None:
    from apps.roadmaps.tasks import regenerate_roadmap

    # The change is committed; a replan lost to a broker outage is made again by
    # the team's next change, or by hand from the roadmap page.
    queue.send(regenerate_roadmap, team_id, then="the team's next change replans it")
