from celery import shared_task

from apps.core.context import bound_context


@shared_task(bind=True)
def render_report(self, report_id: int) -> str:
    """Render one requested report (queue `reports`). Safe to deliver twice: the
    report is claimed under its row lock, and only a pending one is rendered."""
    from apps.reports import services

    with bound_context(task=self.name, task_id=self.request.id):
        report = services.report_render(report_id=report_id)
        return "nothing to render" if report is None else report.status


@shared_task(bind=True)
def reports_resend_stale(self) -> int:
    """Periodic: send again reports whose message was lost or whose worker died."""
    from apps.reports import services

    with bound_context(task=self.name, task_id=self.request.id):
        return services.reports_resend_stale()
