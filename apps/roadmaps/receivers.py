"""What roadmaps do when another app announces a change (apps.core.events)."""

from __future__ import annotations

from django.dispatch import receiver

from apps.core.events import team_evidence_changed


@receiver(team_evidence_changed, dispatch_uid="roadmaps.replan")
def replan(sender, *, team_id: int, **kwargs) -> None:
    from apps.roadmaps.tasks import regenerate_roadmap

    regenerate_roadmap.delay(team_id)
