"""The promotion workflow: open → decide → approved → applied (or rejected, withdrawn,
expired), plus break-glass and the daily sweeps.

Each step is one transaction that writes exactly one audit event. Every step locks
rows in the same order — model, then version, then request, then alias — so steps
racing on one model queue up instead of deadlocking, and concurrent decisions and
applies on one request yield exactly one transition.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.audit.services import record_event
from apps.core import queue
from apps.core.exceptions import ApplicationError, PermissionDeniedError
from apps.registry import gates, policies, selectors
from apps.registry.models import (
    Alias,
    Decision,
    ModelVersion,
    PromotionPolicy,
    PromotionRequest,
    RegisteredModel,
)
from apps.registry.services import policy_snapshot, protected_alias_names
from apps.webhooks.services import webhook_event_publish

Status = PromotionRequest.Status


def _event(
    request: PromotionRequest,
    actor: User | None,
    action: str,
    *,
    webhook: str | None = None,
    **data: Any,
) -> None:
    """The step's one audit event, and the webhook for subscribers (named `webhook`
    when it says more than the action, e.g. a decision that approved the request)."""
    version = request.version
    model = version.model
    payload = {
        "request": request.pk,
        "model": model.pk,
        "model_name": model.name,
        "version": version.version,
        "target": request.target,
        "status": request.status,
        **data,
    }
    record_event(
        organization=model.organization,
        actor=actor,
        action=f"promotion_request.{action}",
        target=request,
        data=payload,
    )
    webhook_event_publish(
        organization=model.organization,
        event=f"promotion_request.{webhook or action}",
        payload=payload,
    )


def _lock(request_id: int) -> PromotionRequest:
    """Lock model, version and request, in that order, and return the fresh request."""
    model_id, version_id = PromotionRequest.objects.values_list(
        "version__model_id", "version_id"
    ).get(pk=request_id)
    RegisteredModel.objects.select_for_update().only("pk").get(pk=model_id)
    ModelVersion.objects.select_for_update().only("pk").get(pk=version_id)
    return (
        PromotionRequest.objects.select_for_update(of=("self",))
        .select_related("version__model__organization", "retrospective_of")
        .get(pk=request_id)
    )


def _require_status(request: PromotionRequest, *allowed: str) -> None:
    if request.status not in allowed:
        raise ApplicationError(
            f"The request is {request.status}; this needs it {' or '.join(allowed)}.",
            code="invalid_status",
        )


def _revalidation_block(model: RegisteredModel) -> None:
    overdue = selectors.overdue_versions_of(model=model)
    if overdue:
        listed = ", ".join(f"v{v.version}" for v in overdue)
        raise ApplicationError(
            f"Revalidation is overdue for {listed}; promotions of this model are "
            "blocked until it is revalidated.",
            code="revalidation_overdue",
        )


def excluded_approvers(request: PromotionRequest) -> dict[int, str]:
    """Who may not decide this request, and why (separation of duties)."""
    excluded = {
        author: "an author of the version" for author in request.version.authors
    }
    excluded[request.requested_by_id] = "the requester"
    if request.on_behalf_of_id:
        excluded[request.on_behalf_of_id] = "the person the request was made for"
    if request.retrospective_of_id:
        excluded[request.retrospective_of.applied_by_id] = "who broke the glass"
    return excluded


def _judge(request: PromotionRequest, now: datetime) -> gates.Readiness:
    facts = selectors.request_facts(request=request)
    return gates.readiness(
        policy=request.policy_snapshot,
        decisions=facts.decisions,
        accepted=facts.accepted,
        signals=facts.signals,
        now=now,
    )


def _mark_approved(request: PromotionRequest, now: datetime) -> None:
    request.status = Status.APPROVED
    request.approved_at = now
    request.approved_until = now + timedelta(
        days=request.policy_snapshot["approval_ttl_days"]
    )


def _reopen(request: PromotionRequest) -> None:
    request.status = Status.OPEN
    request.approved_at = request.approved_until = None


# --- Open ---------------------------------------------------------------------------


@transaction.atomic
def promotion_open(
    *,
    version: ModelVersion,
    target: str,
    requested_by: User,
    justification: str,
    on_behalf_of: User | None = None,
) -> PromotionRequest:
    """Ask to point `target` at the version. Snapshots the policy for its tier."""
    if not policies.can_contribute(requested_by, version.model):
        raise PermissionDeniedError(
            "Your roles do not allow you to promote this model."
        )
    model = (
        RegisteredModel.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=version.model_id)
    )
    version = ModelVersion.objects.select_for_update().get(pk=version.pk)
    version.model = model
    if model.status == RegisteredModel.Status.RETIRED:
        raise ApplicationError("The model is retired.", code="invalid_status")
    if not justification.strip():
        raise ApplicationError(
            "Say why this version should move.", fields={"justification": ["Required."]}
        )
    if target not in protected_alias_names(model.organization):
        raise ApplicationError(
            f"{target!r} is not a protected alias; set it directly.",
            fields={"target": ["Not protected."]},
        )
    if not version.is_frozen:
        raise ApplicationError(
            "Submit the version (freezing its content) before promoting it.",
            code="not_submitted",
        )
    if version.status in (ModelVersion.Status.RETIRED, ModelVersion.Status.SUSPENDED):
        raise ApplicationError(
            f"The version is {version.status}.", code="invalid_status"
        )
    if (
        on_behalf_of is not None
        and on_behalf_of.organization_id != model.organization_id
    ):
        raise ApplicationError(
            "Unknown person.", fields={"on_behalf_of": ["Not in this organisation."]}
        )
    _revalidation_block(model)
    current = Alias.objects.filter(model=model, name=target).first()
    if current is not None and current.version_id == version.pk:
        raise ApplicationError(f"v{version.version} already holds {target}.")
    policy = (
        PromotionPolicy.objects.filter(
            organization=model.organization, risk_tier=model.risk_tier, target=target
        )
        .prefetch_related("requirements")
        .order_by("-version")
        .first()
    )
    if policy is None:
        raise ApplicationError(
            f"No promotion policy for {model.risk_tier} models to {target}; an org admin "
            "must set one.",
            code="no_policy",
        )
    now = timezone.now()
    facts_digest = selectors.version_evidence_digest(version=version)
    request = PromotionRequest(
        version=version,
        target=target,
        requested_by=requested_by,
        on_behalf_of=on_behalf_of,
        justification=justification.strip(),
        policy=policy,
        policy_snapshot=policy_snapshot(policy),
        evidence_digest_at_open=facts_digest,
        opened_at=now,
    )
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError as exc:
        raise ApplicationError(
            f"v{version.version} already has an open request for {target}.",
            code="duplicate_request",
        ) from exc
    _event(
        request,
        requested_by,
        "opened",
        policy_id=policy.pk,
        policy_version=policy.version,
        on_behalf_of=on_behalf_of.pk if on_behalf_of else None,
        evidence_digest=facts_digest,
    )
    return request


# --- Decide -------------------------------------------------------------------------


@transaction.atomic
def promotion_decide(
    *, request: PromotionRequest, approver: User, approve: bool, comment: str = ""
) -> PromotionRequest:
    """Record one approver's decision; the request is approved when its policy holds."""
    request = _lock(request.pk)
    _require_status(request, Status.OPEN, Status.APPROVED)
    roles = policies.approver_roles(approver)
    if not roles:
        raise PermissionDeniedError(
            "Deciding promotions takes the approver or risk officer role.",
            code="not_an_approver",
        )
    excluded = excluded_approvers(request)
    if approver.pk in excluded:
        raise PermissionDeniedError(
            f"You are {excluded[approver.pk]}: someone independent must decide.",
            code="separation_of_duties",
        )
    if not approve and not comment.strip():
        raise ApplicationError(
            "A reject needs a comment saying why.", fields={"comment": ["Required."]}
        )
    now = timezone.now()
    digest = selectors.version_evidence_digest(version=request.version)
    try:
        with transaction.atomic():
            decision = Decision.objects.create(
                request=request,
                approver=approver,
                outcome=Decision.Outcome.APPROVE
                if approve
                else Decision.Outcome.REJECT,
                roles=roles,
                comment=comment.strip(),
                evidence_digest=digest,
                decided_at=now,
            )
    except IntegrityError as exc:
        raise ApplicationError(
            "You already decided on this request.", code="already_decided"
        ) from exc

    ratified = suspended = False
    if not approve:
        request.status = Status.REJECTED
        request.closed_at = now
        if request.retrospective_of_id:
            # A rejected retrospective undoes the break-glass promotion at once.
            _suspend(request)
            suspended = True
    else:
        verdict = _judge(request, now)
        if verdict.approved and request.status == Status.OPEN:
            if request.retrospective_of_id:
                # The break-glass apply is now ratified: nothing left to move.
                request.status, request.closed_at, ratified = Status.APPLIED, now, True
            else:
                _mark_approved(request, now)
    request.save()
    transitioned = request.status in (Status.APPROVED, Status.REJECTED)
    _event(
        request,
        approver,
        "decided",
        webhook=request.status if transitioned else None,
        decision=decision.pk,
        outcome=decision.outcome,
        roles=roles,
        comment=decision.comment,
        evidence_digest=digest,
        ratified=ratified,
        suspended_version=request.version_id if suspended else None,
    )
    return request


# --- Withdraw -----------------------------------------------------------------------


@transaction.atomic
def promotion_withdraw(
    *, request: PromotionRequest, withdrawn_by: User, reason: str = ""
) -> PromotionRequest:
    request = _lock(request.pk)
    if withdrawn_by.pk != request.requested_by_id:
        raise PermissionDeniedError(
            "Only the requester can withdraw a request.", code="not_requester"
        )
    _require_status(request, Status.OPEN, Status.APPROVED)
    if request.retrospective_of_id:
        raise ApplicationError(
            "A retrospective review cannot be withdrawn.", code="retrospective"
        )
    request.status, request.closed_at = Status.WITHDRAWN, timezone.now()
    request.save()
    _event(request, withdrawn_by, "withdrawn", reason=reason.strip())
    return request


# --- Apply --------------------------------------------------------------------------


def _move_alias(request: PromotionRequest, actor: User, now: datetime) -> int | None:
    """Point the target at the version; supersede the previous holder. Returns its id."""
    version = request.version
    alias = (
        Alias.objects.select_for_update()
        .filter(model_id=version.model_id, name=request.target)
        .first()
    )
    previous_id = alias.version_id if alias else None
    if alias is None:
        alias = Alias(model_id=version.model_id, name=request.target)
    alias.version, alias.protected = version, True
    alias.set_by, alias.set_at, alias.via_request = actor, now, request
    alias.save()

    interval = request.policy_snapshot.get("revalidation_interval_days")
    version.status = ModelVersion.Status.ACTIVE
    if interval:
        version.revalidation_due = now.date() + timedelta(days=interval)
        version.revalidation_overdue_since = None
    version.save(
        update_fields=[
            "status",
            "revalidation_due",
            "revalidation_overdue_since",
            "updated_at",
        ]
    )
    if previous_id is not None:
        still_protected = Alias.objects.filter(
            version_id=previous_id, protected=True
        ).exists()
        if not still_protected:
            ModelVersion.objects.filter(pk=previous_id).update(
                status=ModelVersion.Status.SUPERSEDED, updated_at=now
            )
    return previous_id


# The move is committed in Tollgate; MLflow lags until the next sync reports the
# difference as a finding.
_MLFLOW_UNSENT = "MLflow keeps the old alias until the next sync reports it"


def _after_apply(request: PromotionRequest) -> None:
    """Mirror the alias in MLflow once the move is committed (when a sync is set up)."""
    if selectors.mlflow_connection_for(organization=request.version.model.organization):
        from apps.registry.mlflow.tasks import mlflow_alias_push

        queue.send_on_commit(mlflow_alias_push, request.pk, then=_MLFLOW_UNSENT)


@transaction.atomic
def _expire(request: PromotionRequest, actor: User | None, now: datetime) -> None:
    request.status, request.closed_at = Status.EXPIRED, now
    request.save()
    _event(
        request,
        actor,
        "expired",
        approved_until=request.approved_until.isoformat()
        if request.approved_until
        else None,
    )


def promotion_apply(
    *,
    request: PromotionRequest,
    applied_by: User,
    break_glass: bool = False,
    reason: str = "",
) -> PromotionRequest:
    """Move the alias. Needs an approved, unexpired request — or, break-glass, a risk
    officer acting alone, which opens a retrospective review that must reach quorum."""
    expired = False
    refusal: ApplicationError | None = None
    with transaction.atomic():
        request = _lock(request.pk)
        now = timezone.now()
        if (
            request.status == Status.APPROVED
            and request.approved_until <= now
            and not break_glass
        ):
            _expire(request, applied_by, now)
            expired = True
        else:
            try:
                request = (
                    _break_glass(request, applied_by, reason, now)
                    if break_glass
                    else _apply(request, applied_by, now)
                )
            except ApplicationError as exc:
                if exc.code != "not_approved":
                    raise
                # The request went back to open: commit that, then refuse.
                refusal = exc
    if expired:
        raise ApplicationError(
            "The approval expired before it was applied; the request is now expired. "
            "Open a new request.",
            code="approval_expired",
        )
    if refusal is not None:
        raise refusal
    return request


def _apply(
    request: PromotionRequest, applied_by: User, now: datetime
) -> PromotionRequest:
    _require_status(request, Status.APPROVED)
    model = request.version.model
    if not (
        applied_by.pk == request.requested_by_id
        or policies.can_contribute(applied_by, model)
    ):
        raise PermissionDeniedError(
            "The requester or the model's team applies an approved request.",
            code="not_applier",
        )
    _revalidation_block(model)
    # Re-judge under the locks: evidence or roles may have changed since approval.
    verdict = _judge(request, now)
    if not verdict.approved:
        # Committed by the caller before it refuses: the step is "reopened".
        _reopen(request)
        request.save()
        _event(request, applied_by, "reopened", blockers=verdict.blockers)
        raise ApplicationError(
            "The request no longer meets its policy: " + " ".join(verdict.blockers),
            code="not_approved",
        )
    previous = _move_alias(request, applied_by, now)
    request.status, request.closed_at, request.applied_by = (
        Status.APPLIED,
        now,
        applied_by,
    )
    request.save()
    _event(
        request,
        applied_by,
        "applied",
        previous_version_id=previous,
        approvals=verdict.valid_approvals,
        roles=sorted(verdict.covered_roles),
    )
    _after_apply(request)
    return request


def _break_glass(
    request: PromotionRequest, applied_by: User, reason: str, now: datetime
) -> PromotionRequest:
    _require_status(request, Status.OPEN, Status.APPROVED)
    if not policies.can_break_glass(applied_by):
        raise PermissionDeniedError(
            "Only a risk officer can break the glass.", code="not_risk_officer"
        )
    if not request.policy_snapshot.get("allow_break_glass"):
        raise ApplicationError(
            "The policy for this tier and target does not allow break-glass.",
            code="break_glass_not_allowed",
        )
    if applied_by.pk in excluded_approvers(request):
        raise PermissionDeniedError(
            "You cannot break the glass on a request you are part of.",
            code="separation_of_duties",
        )
    if not reason.strip():
        raise ApplicationError(
            "Say why the glass is broken.", fields={"reason": ["Required."]}
        )
    previous = _move_alias(request, applied_by, now)
    request.status, request.closed_at = Status.APPLIED, now
    request.applied_by, request.break_glass = applied_by, True
    request.save()
    hours = request.policy_snapshot.get("retrospective_hours", 72)
    retrospective = PromotionRequest.objects.create(
        version=request.version,
        target=request.target,
        requested_by=request.requested_by,
        on_behalf_of=request.on_behalf_of,
        justification=f"Retrospective review of break-glass apply #{request.pk}: {reason.strip()}",
        policy=request.policy,
        policy_snapshot=request.policy_snapshot,
        evidence_digest_at_open=selectors.version_evidence_digest(
            version=request.version
        ),
        opened_at=now,
        retrospective_of=request,
        retrospective_due=now + timedelta(hours=hours),
    )
    _event(
        request,
        applied_by,
        "break_glass_applied",
        reason=reason.strip(),
        previous_version_id=previous,
        retrospective=retrospective.pk,
        retrospective_due=retrospective.retrospective_due.isoformat(),
    )
    _after_apply(request)
    return request


# --- Evidence changes -----------------------------------------------------------------


def rejudge_after_evidence_change(version: ModelVersion) -> list[int]:
    """Called inside an evidence change (the caller locked model and version): approved
    requests whose approvals went stale go back to open. Returns their ids."""
    now = timezone.now()
    reopened = []
    for request in (
        PromotionRequest.objects.select_for_update()
        .filter(version=version, status=Status.APPROVED)
        .select_related("version__model")
        .order_by("pk")
    ):
        if not _judge(request, now).approved:
            _reopen(request)
            request.save()
            reopened.append(request.pk)
    return reopened


# --- Daily sweeps ---------------------------------------------------------------------


def expire_stale_approvals(*, now: datetime | None = None) -> int:
    """Approved requests not applied within their time-to-live become expired."""
    now = now or timezone.now()
    count = 0
    for request_id in selectors.stale_approved_request_ids(now=now):
        with transaction.atomic():
            request = _lock(request_id)
            if request.status == Status.APPROVED and request.approved_until <= now:
                _expire(request, None, now)
                count += 1
    return count


def mark_overdue_revalidations(*, today: date | None = None) -> int:
    """Versions past their revalidation date: flag them, tell the owner, block promotions."""
    today = today or timezone.localdate()
    count = 0
    for version_id in selectors.newly_overdue_version_ids(today=today):
        with transaction.atomic():
            version = (
                ModelVersion.objects.select_for_update(of=("self",))
                .select_related("model__organization", "model__owner")
                .get(pk=version_id)
            )
            if version.revalidation_overdue_since or version.revalidation_due >= today:
                continue
            version.revalidation_overdue_since = timezone.now()
            version.save(update_fields=["revalidation_overdue_since", "updated_at"])
            model = version.model
            payload = {
                "model": model.pk,
                "model_name": model.name,
                "version": version.version,
                "revalidation_due": version.revalidation_due.isoformat(),
                "owner": model.owner_id,
            }
            record_event(
                organization=model.organization,
                actor=None,
                action="model_version.revalidation_overdue",
                target=version,
                data=payload,
            )
            webhook_event_publish(
                organization=model.organization,
                event="model_version.revalidation_overdue",
                payload=payload,
            )
            _notify_owner(model, version)
            count += 1
    return count


def _notify_owner(model: RegisteredModel, version: ModelVersion) -> None:
    owner = model.owner
    if not owner.email:
        return
    subject = f"Revalidation overdue: {model.name} v{version.version}"
    body = (
        f"{model.name} v{version.version} was due for revalidation on "
        f"{version.revalidation_due.isoformat()}. New promotions of this model are "
        "blocked until an approver or risk officer records the revalidation."
    )
    transaction.on_commit(
        lambda: send_mail(subject, body, None, [owner.email], fail_silently=True)
    )


def _suspend(request: PromotionRequest) -> None:
    """Undo a break-glass promotion: the alias goes, the version is suspended. Part of
    the caller's step, whose one event records it."""
    version = request.version
    Alias.objects.filter(
        model_id=version.model_id, name=request.target, version=version
    ).delete()
    version.status = ModelVersion.Status.SUSPENDED
    version.save(update_fields=["status", "updated_at"])
    if selectors.mlflow_connection_for(organization=version.model.organization):
        # Serving systems that read MLflow must stop getting the suspended version.
        from apps.registry.mlflow.tasks import mlflow_alias_withdraw

        queue.send_on_commit(mlflow_alias_withdraw, request.pk, then=_MLFLOW_UNSENT)


def enforce_retrospectives(*, now: datetime | None = None) -> int:
    """Break-glass promotions whose retrospective missed its deadline are suspended."""
    now = now or timezone.now()
    count = 0
    for request_id in selectors.overdue_retrospective_ids(now=now):
        with transaction.atomic():
            request = _lock(request_id)
            if not request.in_flight or request.retrospective_due > now:
                continue
            request.status, request.closed_at = Status.EXPIRED, now
            request.save()
            _suspend(request)
            _event(
                request,
                None,
                "retrospective_missed",
                break_glass_request=request.retrospective_of_id,
                suspended_version=request.version_id,
            )
            count += 1
    return count
