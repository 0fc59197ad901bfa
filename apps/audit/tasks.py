from celery import shared_task

from apps.core.context import bound_context


@shared_task(bind=True)
def audit_verify_chain(self, chain_id: int) -> dict:
    """Verify one chain and record the outcome in it."""
    from apps.audit.services import chain_verify_and_record

    with bound_context(task=self.name, task_id=self.request.id):
        return chain_verify_and_record(chain_id=chain_id)


@shared_task(bind=True)
def audit_verify_all_chains(self) -> int:
    """Periodic: queue a verification of every chain."""
    from apps.audit.models import Chain

    chain_ids = list(Chain.objects.values_list("pk", flat=True))
    for chain_id in chain_ids:
        audit_verify_chain.delay(chain_id)
    return len(chain_ids)
