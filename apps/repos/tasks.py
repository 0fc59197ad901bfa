import logging

from celery import shared_task

from apps.core.context import bound_context

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=None)
def collect_signals(self, scan_id: int) -> str:
    """Run one queued scan. Idempotent: the scan row is claimed, so a duplicate
    message (a redelivery, a second webhook) does nothing. Transient failures (a
    clone over the network, the provider's 5xx or rate limit) are retried with
    backoff; the scan itself bounds the attempts. Routed to the `scans` queue, with
    time limits from REPOS_SCAN_TIMEOUT (settings.CELERY_TASK_ANNOTATIONS)."""
    from apps.repos.collection import RetryLater, scan_run

    with bound_context(task=self.name, task_id=self.request.id):
        try:
            return scan_run(scan_id=scan_id).status
        except RetryLater as retry:
            if self.request.is_eager:
                # No countdown in eager mode: the sweep picks the scan up again.
                logger.info("scan %s: %s; left to the sweep", scan_id, retry)
                return "queued"
            raise self.retry(countdown=retry.countdown) from retry


@shared_task(bind=True)
def scans_schedule_due(self) -> int:
    """Periodic: queue a scan of every enabled repository not scanned for a day."""
    from apps.repos.services import scans_schedule_due as schedule

    with bound_context(task=self.name, task_id=self.request.id):
        return schedule()


@shared_task(bind=True)
def scans_resend_stale(self) -> int:
    """Periodic: send again scans whose message was lost or whose worker died."""
    from apps.repos.services import scans_resend_stale as resend

    with bound_context(task=self.name, task_id=self.request.id):
        return resend()
