import logging

from celery import shared_task

from apps.core.context import bound_context

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=None)
def webhook_deliver(self, delivery_id: int) -> str:
    """Make one attempt at a delivery; on failure, retry when the next one is due.

    The service counts attempts and decides when to give up, so Celery's own retry
    limit is off. Run eagerly (no broker), no retry is scheduled: Celery would run it
    at once, ignoring the countdown, and raise Retry into whoever committed. The
    delivery then stays pending until `webhook_deliveries_requeue_due` or a
    redelivery.
    """
    from apps.webhooks.services import webhook_delivery_attempt

    with bound_context(task=self.name, task_id=self.request.id):
        report = webhook_delivery_attempt(delivery_id=delivery_id)
    if report.retry_in is None:
        return report.status
    if self.request.is_eager:
        logger.info(
            "webhook delivery %s: eager mode, next attempt left to the requeue sweep",
            delivery_id,
        )
        return report.status
    raise self.retry(countdown=report.retry_in)


@shared_task(bind=True)
def webhook_deliveries_requeue_due(self) -> int:
    """Periodic safety net: enqueue deliveries whose task message was lost."""
    from apps.webhooks.services import webhook_deliveries_requeue_due as requeue

    with bound_context(task=self.name, task_id=self.request.id):
        return requeue()
