from celery import shared_task

from apps.core.context import bound_context


@shared_task(bind=True)
def regenerate_roadmap(self, team_id: int) -> str:
    """Re-plan a team's roadmap after its evidence changed (an assessment handed in
    or reviewed, a scan finished). Nothing to do for a team with no handed-in
    assessment. Safe to repeat: generation reconciles, it does not append."""
    from apps.accounts.models import Team
    from apps.roadmaps import selectors, services

    with bound_context(task=self.name, task_id=self.request.id):
        team = Team.objects.filter(pk=team_id).select_related("organization").first()
        if team is None or selectors.plannable_assessment(team=team) is None:
            return "nothing to plan"
        roadmap = services.roadmap_generate(team=team)
        return f"revision {roadmap.revision}"
