"""Writes of the registry catalogue: models, versions, aliases, policies, evidence.

The promotion workflow (requests, decisions, apply) is in promotion.py. Every write
here is one transaction with one audit event.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import Organization, Team, User
from apps.audit.services import record_event
from apps.core.exceptions import ApplicationError, PermissionDeniedError
from apps.core.uploads import sha256_of, upload_problem
from apps.registry import gates, policies
from apps.registry.models import (
    Alias,
    Comment,
    EvidenceItem,
    EvidenceRequirement,
    Finding,
    ModelVersion,
    PromotionPolicy,
    PromotionRequest,
    RegisteredModel,
    RiskTier,
)
from apps.registry.policy_defaults import DEFAULT_POLICIES

Status = ModelVersion.Status

# The fields a draft version may still change; submit freezes them.
VERSION_CONTENT_FIELDS = (
    "source_uri",
    "artifact_sha256",
    "code_commit",
    "repository",
    "run_ref",
    "dataset_refs",
    "metrics",
    "model_card",
    "authors",
)


def _refuse(allowed: bool, what: str) -> None:
    if not allowed:
        raise PermissionDeniedError(f"Your roles do not allow you to {what}.")


def _audit(
    organization: Organization,
    actor: User | None,
    action: str,
    subject: Any,
    /,
    **data: Any,
) -> None:
    record_event(
        organization=organization, actor=actor, action=action, target=subject, data=data
    )


def protected_alias_names(organization: Organization) -> set[str]:
    """Aliases that move only through promotion requests: every policy target."""
    names = set(settings.REGISTRY_PROTECTED_ALIASES)
    names.update(
        PromotionPolicy.objects.filter(organization=organization)
        .values_list("target", flat=True)
        .distinct()
    )
    return names


# --- Models -----------------------------------------------------------------------


@transaction.atomic
def model_create(
    *,
    team: Team,
    name: str,
    risk_tier: str,
    owner: User,
    created_by: User | None,
    purpose: str = "",
    mlflow_name: str = "",
) -> RegisteredModel:
    """Register a model in a team. `created_by` None means the system (e.g. a sync)."""
    if created_by is not None:
        _refuse(policies.can_register(created_by, team.pk), "register models here")
    if risk_tier not in RiskTier.values:
        raise ApplicationError(
            "Unknown risk tier.",
            fields={"risk_tier": [f"Use one of {RiskTier.values}."]},
        )
    if owner.organization_id != team.organization_id:
        raise ApplicationError(
            "The owner is not in this organisation.",
            fields={"owner": ["Unknown user."]},
        )
    model = RegisteredModel(
        organization_id=team.organization_id,
        team=team,
        name=name.strip(),
        purpose=purpose,
        owner=owner,
        risk_tier=risk_tier,
        mlflow_name=mlflow_name,
    )
    model.full_clean(exclude=["organization", "team", "owner"], validate_unique=False)
    try:
        with transaction.atomic():
            model.save()
    except IntegrityError as exc:
        raise ApplicationError(
            "A model with this name exists in the organisation.",
            fields={"name": ["Already taken."]},
        ) from exc
    _audit(
        team.organization,
        created_by,
        "model.registered",
        model,
        name=model.name,
        team=team.pk,
        risk_tier=risk_tier,
        owner=owner.pk,
    )
    return model


@transaction.atomic
def model_update(
    *, model: RegisteredModel, updated_by: User, **changes: Any
) -> RegisteredModel:
    """Change purpose, owner, risk tier or status. In-flight requests keep the policy
    they opened under."""
    _refuse(policies.can_manage_model(updated_by, model), "change this model")
    model = RegisteredModel.objects.select_for_update().get(pk=model.pk)
    allowed = {"purpose", "owner", "risk_tier", "status"}
    unknown = set(changes) - allowed
    if unknown:
        raise ApplicationError(
            "These fields cannot be changed.",
            fields={name: ["Read-only."] for name in sorted(unknown)},
        )
    owner = changes.get("owner")
    if owner is not None and owner.organization_id != model.organization_id:
        raise ApplicationError(
            "The owner is not in this organisation.",
            fields={"owner": ["Unknown user."]},
        )
    before = {
        "purpose": model.purpose,
        "owner": model.owner_id,
        "risk_tier": model.risk_tier,
        "status": model.status,
    }
    for name, value in changes.items():
        setattr(model, name, value)
    model.full_clean(exclude=["organization", "team", "owner"], validate_unique=False)
    model.save()
    after = {
        "purpose": model.purpose,
        "owner": model.owner_id,
        "risk_tier": model.risk_tier,
        "status": model.status,
    }
    changed = {
        k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]
    }
    _audit(model.organization, updated_by, "model.updated", model, changes=changed)
    return model


# --- Versions ---------------------------------------------------------------------


def _check_authors(
    model: RegisteredModel, authors: Sequence[int], *, vouched: int | None = None
) -> list[int]:
    """The authors' ids, sorted, once each is known to be of the model's organisation.
    `vouched` is one already known to be (the creator, checked as a contributor)."""
    ids = sorted({int(a) for a in authors})
    unchecked = [a for a in ids if a != vouched]
    known = (
        set(
            User.objects.filter(
                pk__in=unchecked, organization_id=model.organization_id
            ).values_list("pk", flat=True)
        )
        if unchecked
        else set()
    )
    unknown = [a for a in unchecked if a not in known]
    if unknown:
        raise ApplicationError(
            "Authors must be people of this organisation.",
            fields={"authors": [f"Unknown user(s): {unknown}."]},
        )
    return ids


def _lock_model(model: RegisteredModel) -> RegisteredModel:
    """The model's row, read again under its lock (next_version moves under it). The
    organisation the caller loaded comes along for the audit event."""
    locked = RegisteredModel.objects.select_for_update().get(pk=model.pk)
    locked.organization = model.organization
    return locked


# Numbering a version, the hottest write, is one statement: the row is locked and its
# counter moved at once, where the ORM's SELECT … FOR UPDATE and UPDATE cost more CPU
# to build than to run (bench/registry.py).
_TAKE_VERSION_NUMBER = (
    f"UPDATE {RegisteredModel._meta.db_table} "  # noqa: S608
    "SET next_version = next_version + 1, updated_at = %s WHERE id = %s "
    "RETURNING next_version, status"
)


def _take_version_number(model: RegisteredModel) -> int:
    """The model's next version number, taken under its row lock until commit; `model`
    is refreshed with the counter and status the lock saw."""
    now = timezone.now()
    connection = transaction.get_connection()
    with connection.cursor() as cursor:
        cursor.execute(
            _TAKE_VERSION_NUMBER,
            [connection.ops.adapt_datetimefield_value(now), model.pk],
        )
        model.next_version, model.status = cursor.fetchone()
    model.updated_at = now
    return model.next_version - 1


def version_create(
    *,
    model: RegisteredModel,
    created_by: User,
    system: bool = False,
    **content: Any,
) -> ModelVersion:
    """Add the next version of a model, as a draft. Its creator is one of its authors.

    `system=True` is for imports (MLflow sync): the row is attributed to `created_by`,
    the admin who configured the sync, and the audit event to the system.
    """
    if not system:
        _refuse(
            policies.can_contribute(created_by, model), "add versions to this model"
        )
    unknown = set(content) - set(VERSION_CONTENT_FIELDS) - {"mlflow_version"}
    if unknown:
        raise ApplicationError(
            "Unknown version fields.",
            fields={name: ["Unknown field."] for name in sorted(unknown)},
        )
    authors = list(content.pop("authors", []) or [])
    if not system:
        authors.append(created_by.pk)
    version = ModelVersion(
        model=model,
        created_by=created_by,
        authors=_check_authors(
            model, authors, vouched=None if system else created_by.pk
        ),
        **content,
    )
    # Checked before the transaction: its lock (on SQLite, the whole database's
    # write lock) is held only to number, insert and audit. Fields only: the service
    # sets the number and status itself and the database holds the constraints.
    version.full_clean(
        exclude=["model", "created_by", "version"],
        validate_unique=False,
        validate_constraints=False,
    )
    with transaction.atomic():
        version.version = _take_version_number(model)
        if model.status == RegisteredModel.Status.RETIRED:
            raise ApplicationError("The model is retired.", code="invalid_status")
        version.save()
        _audit(
            model.organization,
            None if system else created_by,
            "model_version.created",
            version,
            model=model.pk,
            version=version.version,
            artifact_sha256=version.artifact_sha256,
            code_commit=version.code_commit,
        )
    return version


def _lock_version(version: ModelVersion) -> ModelVersion:
    return (
        ModelVersion.objects.select_for_update(of=("self",))
        .select_related("model__organization")
        .get(pk=version.pk)
    )


@transaction.atomic
def version_update(
    *, version: ModelVersion, updated_by: User, **content: Any
) -> ModelVersion:
    """Edit a draft version. A submitted version is frozen: make a new version instead."""
    _refuse(policies.can_contribute(updated_by, version.model), "edit this version")
    version = _lock_version(version)
    if version.is_frozen:
        raise ApplicationError(
            "The version is submitted and frozen; register a new version instead.",
            code="frozen",
        )
    unknown = set(content) - set(VERSION_CONTENT_FIELDS)
    if unknown:
        raise ApplicationError(
            "Unknown version fields.",
            fields={name: ["Unknown field."] for name in sorted(unknown)},
        )
    if "authors" in content:
        content["authors"] = _check_authors(
            version.model, [*content["authors"], version.created_by_id]
        )
    for name, value in content.items():
        setattr(version, name, value)
    version.full_clean(exclude=["model", "created_by"], validate_unique=False)
    version.save()
    _audit(
        version.model.organization,
        updated_by,
        "model_version.updated",
        version,
        fields=sorted(content),
    )
    return version


@transaction.atomic
def version_submit(
    *, version: ModelVersion, submitted_by: User | None, system: bool = False
) -> ModelVersion:
    """Freeze the version's content so it can be promoted. Needs its lineage."""
    if not system:
        _refuse(policies.can_contribute(submitted_by, version.model), "submit versions")
    version = _lock_version(version)
    if version.is_frozen:
        raise ApplicationError("The version is already submitted.", code="frozen")
    missing = {
        name: ["Required before submitting."]
        for name in ("artifact_sha256", "code_commit")
        if not getattr(version, name)
    }
    if not version.run_ref and not version.dataset_refs:
        missing["run_ref"] = ["Give the training run or the dataset references."]
    if missing:
        raise ApplicationError(
            "The version lacks lineage needed to govern it.", fields=missing
        )
    version.status = Status.SUBMITTED
    version.submitted_at = timezone.now()
    version.submitted_by = submitted_by
    version.save()
    _audit(
        version.model.organization,
        None if system else submitted_by,
        "model_version.submitted",
        version,
        model=version.model_id,
        version=version.version,
        artifact_sha256=version.artifact_sha256,
        code_commit=version.code_commit,
    )
    return version


# --- Aliases ----------------------------------------------------------------------


@transaction.atomic
def alias_set(
    *, model: RegisteredModel, name: str, version: ModelVersion, set_by: User
) -> Alias:
    """Point an unprotected alias (e.g. `challenger`) at a version of the model."""
    _refuse(policies.can_contribute(set_by, model), "move this model's aliases")
    if name in protected_alias_names(model.organization):
        raise ApplicationError(
            f"{name!r} is protected: it moves only through a promotion request.",
            code="protected_alias",
            fields={"name": ["Protected alias."]},
        )
    if version.model_id != model.pk:
        raise ApplicationError(
            "The version belongs to another model.",
            fields={"version": ["Unknown version."]},
        )
    model = _lock_model(model)
    alias = Alias.objects.filter(model=model, name=name).first()
    previous = alias.version_id if alias else None
    if alias is None:
        alias = Alias(model=model, name=name)
    alias.version, alias.set_by, alias.set_at = version, set_by, timezone.now()
    alias.full_clean(exclude=["model", "version", "set_by", "via_request"])
    alias.save()
    _audit(
        model.organization,
        set_by,
        "alias.set",
        alias,
        model=model.pk,
        name=name,
        version=version.version,
        previous_version_id=previous,
    )
    return alias


@transaction.atomic
def alias_delete(*, alias: Alias, deleted_by: User) -> None:
    _refuse(
        policies.can_contribute(deleted_by, alias.model), "move this model's aliases"
    )
    if alias.protected:
        raise ApplicationError(
            "A protected alias is removed only by suspending its version.",
            code="protected_alias",
        )
    _audit(
        alias.model.organization,
        deleted_by,
        "alias.deleted",
        alias,
        model=alias.model_id,
        name=alias.name,
        version_id=alias.version_id,
    )
    alias.delete()


# --- Policies ---------------------------------------------------------------------


def policy_snapshot(policy: PromotionPolicy) -> dict[str, Any]:
    """The policy as plain data, stored on each request that opens under it."""
    return {
        "policy_id": policy.pk,
        "version": policy.version,
        "risk_tier": policy.risk_tier,
        "target": policy.target,
        "required_approvals": policy.required_approvals,
        "required_roles": list(policy.required_roles),
        "approval_ttl_days": policy.approval_ttl_days,
        "revalidation_interval_days": policy.revalidation_interval_days,
        "required_signals": list(policy.required_signals),
        "allow_break_glass": policy.allow_break_glass,
        "retrospective_hours": policy.retrospective_hours,
        "requirements": [
            {
                "key": r.key,
                "kind": r.kind,
                "description": r.description,
                "mandatory": r.mandatory,
            }
            for r in policy.requirements.all()
        ],
    }


def _validate_policy(spec: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if spec.get("required_approvals", 0) < 1:
        errors["required_approvals"] = ["At least one approval."]
    if spec.get("approval_ttl_days", 0) < 1:
        errors["approval_ttl_days"] = ["At least one day."]
    bad_roles = set(spec.get("required_roles", [])) - {"approver", "risk_officer"}
    if bad_roles:
        errors["required_roles"] = [f"Not deciding roles: {sorted(bad_roles)}."]
    elif len(spec.get("required_roles", [])) > spec.get("required_approvals", 0):
        errors["required_roles"] = ["More roles to cover than approvals required."]
    bad_signals = set(spec.get("required_signals", [])) - set(gates.SIGNAL_CHECKS)
    if bad_signals:
        errors["required_signals"] = [
            f"Unknown signals {sorted(bad_signals)}; known: {sorted(gates.SIGNAL_CHECKS)}."
        ]
    keys = [r["key"] for r in spec.get("requirements", [])]
    if len(keys) != len(set(keys)):
        errors["requirements"] = ["Each requirement key once."]
    kinds = set(EvidenceRequirement.Kind.values)
    if any(r.get("kind") not in kinds for r in spec.get("requirements", [])):
        errors.setdefault("requirements", []).append(f"Kinds are {sorted(kinds)}.")
    if errors:
        raise ApplicationError("The policy is not valid.", fields=errors)


def _policy_write(
    *,
    organization: Organization,
    risk_tier: str,
    target: str,
    spec: dict[str, Any],
    created_by: User | None,
) -> PromotionPolicy:
    if risk_tier not in RiskTier.values:
        raise ApplicationError(
            "Unknown risk tier.",
            fields={"risk_tier": [f"Use one of {RiskTier.values}."]},
        )
    _validate_policy(spec)
    latest = (
        PromotionPolicy.objects.select_for_update()
        .filter(organization=organization, risk_tier=risk_tier, target=target)
        .order_by("-version")
        .first()
    )
    requirements = spec.get("requirements", [])
    policy = PromotionPolicy(
        organization=organization,
        risk_tier=risk_tier,
        target=target,
        version=(latest.version + 1) if latest else 1,
        created_by=created_by,
        **{k: v for k, v in spec.items() if k != "requirements"},
    )
    policy.full_clean(exclude=["organization", "created_by"], validate_unique=False)
    try:
        with transaction.atomic():
            policy.save()
    except IntegrityError as exc:
        raise ApplicationError(
            "The policy changed meanwhile; reload and try again.", code="conflict"
        ) from exc
    EvidenceRequirement.objects.bulk_create(
        EvidenceRequirement(policy=policy, **requirement)
        for requirement in requirements
    )
    _audit(
        organization,
        created_by,
        "promotion_policy.created"
        if policy.version == 1
        else "promotion_policy.updated",
        policy,
        **policy_snapshot(policy),
    )
    return policy


@transaction.atomic
def policy_set(
    *,
    organization: Organization,
    risk_tier: str,
    target: str,
    spec: dict[str, Any],
    set_by: User,
) -> PromotionPolicy:
    """Write the next version of the policy for a tier and target. Requests already
    open keep the snapshot they opened with."""
    _refuse(policies.can_set_policy(set_by), "edit promotion policies")
    return _policy_write(
        organization=organization,
        risk_tier=risk_tier,
        target=target,
        spec=spec,
        created_by=set_by,
    )


@transaction.atomic
def policy_defaults_install(
    *, organization: Organization, installed_by: User | None = None
) -> list[PromotionPolicy]:
    """Give the organisation the default policy for every tier and target it lacks."""
    existing = set(
        PromotionPolicy.objects.filter(organization=organization).values_list(
            "risk_tier", "target"
        )
    )
    return [
        _policy_write(
            organization=organization,
            risk_tier=tier,
            target=target,
            spec={"required_roles": [], "requirements": [], **spec},
            created_by=installed_by,
        )
        for (tier, target), spec in DEFAULT_POLICIES.items()
        if (tier, target) not in existing
    ]


# --- Evidence ---------------------------------------------------------------------


def _in_flight_requests(version: ModelVersion) -> list[PromotionRequest]:
    return list(
        PromotionRequest.objects.select_for_update()
        .filter(version=version, status__in=PromotionRequest.IN_FLIGHT)
        .order_by("pk")
    )


def _reopen_stale_approvals(version: ModelVersion) -> list[int]:
    """Evidence changed: approved requests of the version go back to open, because
    every approval they counted was given on other evidence."""
    from apps.registry import promotion  # the workflow re-judges each request

    return promotion.rejudge_after_evidence_change(version)


@transaction.atomic
def evidence_add(
    *,
    version: ModelVersion,
    requirement_key: str,
    kind: str,
    submitted_by: User,
    url: str = "",
    upload=None,
    note: str = "",
    supersedes: EvidenceItem | None = None,
) -> EvidenceItem:
    """Attach a file or link for one requirement. It replaces (supersedes) the
    requirement's current item, if any: approvals given on that item go stale."""
    _refuse(policies.can_contribute(submitted_by, version.model), "attach evidence")
    version = _lock_version(version)
    if bool(url) == (upload is not None):
        raise ApplicationError(
            "Give either a link or a file.",
            fields={"url": ["A link or a file, not both."]},
        )
    if kind not in EvidenceRequirement.Kind.values:
        raise ApplicationError(
            "Unknown evidence kind.",
            fields={"kind": [f"Use one of {EvidenceRequirement.Kind.values}."]},
        )
    if supersedes is None:
        # One current item per requirement: new evidence replaces what was there.
        supersedes = (
            EvidenceItem.objects.filter(
                version=version,
                requirement_key=requirement_key,
                superseded_by__isnull=True,
            )
            .order_by("-pk")
            .first()
        )
    if supersedes is not None:
        if (
            supersedes.version_id != version.pk
            or supersedes.requirement_key != requirement_key
        ):
            raise ApplicationError(
                "Only evidence for the same version and requirement can be replaced.",
                fields={"supersedes": ["Not replaceable by this item."]},
            )
        if EvidenceItem.objects.filter(supersedes=supersedes).exists():
            raise ApplicationError(
                "That item was already replaced.", fields={"supersedes": ["Replaced."]}
            )
    item = EvidenceItem(
        version=version,
        requirement_key=requirement_key,
        kind=kind,
        url=url,
        note=note,
        submitted_by=submitted_by,
        supersedes=supersedes,
    )
    if upload is not None:
        problem = upload_problem(upload)
        if problem:
            raise ApplicationError(problem, fields={"file": [problem]})
        item.sha256 = sha256_of(upload)
        item.file_name = PurePath(upload.name).name[:200]
    item.full_clean(exclude=["file", "version", "submitted_by", "supersedes"])
    if upload is not None:
        item.file.save(
            f"{item.sha256}{PurePath(upload.name).suffix.lower()}", upload, save=False
        )
    item.save()
    reopened = _reopen_stale_approvals(version) if supersedes is not None else []
    _audit(
        version.model.organization,
        submitted_by,
        "evidence.submitted",
        item,
        version=version.pk,
        requirement=requirement_key,
        url=url,
        file=item.file_name,
        sha256=item.sha256,
        supersedes=supersedes.pk if supersedes else None,
        requests_reopened=reopened,
    )
    return item


@transaction.atomic
def evidence_review(
    *, item: EvidenceItem, reviewed_by: User, accept: bool, comment: str = ""
) -> EvidenceItem:
    """Accept or reject submitted evidence. Not by its submitter or the version's authors."""
    _refuse(policies.can_review_evidence(reviewed_by), "review evidence")
    version = _lock_version(item.version)
    item = EvidenceItem.objects.select_for_update().get(pk=item.pk)
    if item.status != EvidenceItem.Status.SUBMITTED:
        raise ApplicationError(
            "The evidence was already reviewed; it cannot change.",
            code="invalid_status",
        )
    if reviewed_by.pk == item.submitted_by_id or reviewed_by.pk in version.authors:
        raise PermissionDeniedError(
            "Evidence is reviewed by someone who neither submitted it nor built the version.",
            code="separation_of_duties",
        )
    if not accept and not comment.strip():
        raise ApplicationError(
            "Say why the evidence is rejected.", fields={"comment": ["Required."]}
        )
    item.status = (
        EvidenceItem.Status.ACCEPTED if accept else EvidenceItem.Status.REJECTED
    )
    item.reviewed_by, item.reviewed_at = reviewed_by, timezone.now()
    item.review_comment = comment.strip()
    item.save()
    reopened = _reopen_stale_approvals(version) if accept else []
    _audit(
        version.model.organization,
        reviewed_by,
        "evidence.accepted" if accept else "evidence.rejected",
        item,
        version=version.pk,
        requirement=item.requirement_key,
        sha256=item.sha256,
        comment=item.review_comment,
        requests_reopened=reopened,
    )
    return item


# --- Revalidation, comments, findings ----------------------------------------------


@transaction.atomic
def version_revalidate(
    *,
    version: ModelVersion,
    revalidated_by: User,
    note: str,
    interval_days: int | None = None,
) -> ModelVersion:
    """Record a revalidation: the next due date moves on and promotions unblock."""
    _refuse(policies.can_review_evidence(revalidated_by), "revalidate models")
    version = _lock_version(version)
    if version.revalidation_due is None:
        raise ApplicationError(
            "This version has no revalidation date.", code="invalid_status"
        )
    if revalidated_by.pk in version.authors:
        raise PermissionDeniedError(
            "A version is revalidated by someone who did not build it.",
            code="separation_of_duties",
        )
    if not note.strip():
        raise ApplicationError(
            "Describe the revalidation.", fields={"note": ["Required."]}
        )
    if interval_days is not None and interval_days < 1:
        raise ApplicationError(
            "The next revalidation is at least a day away.",
            fields={"interval_days": ["At least 1."]},
        )
    interval = interval_days or _revalidation_interval(version)
    previous = version.revalidation_due
    version.revalidation_due = date.today() + timedelta(days=interval)
    version.revalidation_overdue_since = None
    version.save(
        update_fields=["revalidation_due", "revalidation_overdue_since", "updated_at"]
    )
    _audit(
        version.model.organization,
        revalidated_by,
        "model_version.revalidated",
        version,
        previous_due=previous.isoformat(),
        next_due=version.revalidation_due.isoformat(),
        note=note.strip(),
    )
    return version


def _revalidation_interval(version: ModelVersion) -> int:
    applied = (
        PromotionRequest.objects.filter(version=version, status="applied")
        .exclude(policy_snapshot__revalidation_interval_days=None)
        .order_by("-closed_at")
        .first()
    )
    if applied is None:
        return 365
    return applied.policy_snapshot["revalidation_interval_days"]


@transaction.atomic
def comment_add(
    *,
    author: User,
    body: str,
    request: PromotionRequest | None = None,
    version: ModelVersion | None = None,
    supersedes: Comment | None = None,
) -> Comment:
    """Remark on a request or version. Anyone who can read it may comment."""
    if not body.strip():
        raise ApplicationError("The comment is empty.", fields={"body": ["Required."]})
    if (request is None) == (version is None):
        raise ApplicationError("Comment on a request or on a version.")
    subject_version = request.version if request is not None else version
    if supersedes is not None and (
        supersedes.author_id != author.pk
        or supersedes.request_id != (request.pk if request else None)
        or supersedes.version_id != (version.pk if version else None)
    ):
        raise ApplicationError(
            "Only your own comment on the same subject can be revised.",
            fields={"supersedes": ["Not yours or another subject."]},
        )
    comment = Comment.objects.create(
        request=request,
        version=version,
        author=author,
        body=body.strip(),
        supersedes=supersedes,
    )
    _audit(
        subject_version.model.organization,
        author,
        "comment.added",
        comment,
        request=request.pk if request else None,
        version=version.pk if version else None,
        supersedes=supersedes.pk if supersedes else None,
    )
    return comment


@transaction.atomic
def finding_resolve(*, finding: Finding, resolved_by: User, note: str) -> Finding:
    _refuse(policies.can_review_evidence(resolved_by), "resolve findings")
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    if finding.status == Finding.Status.RESOLVED:
        raise ApplicationError(
            "The finding is already resolved.", code="invalid_status"
        )
    if not note.strip():
        raise ApplicationError(
            "Say how it was resolved.", fields={"note": ["Required."]}
        )
    finding.status = Finding.Status.RESOLVED
    finding.resolved_by, finding.resolved_at = resolved_by, timezone.now()
    finding.detail = {**finding.detail, "resolution": note.strip()}
    finding.save()
    _audit(
        finding.organization,
        resolved_by,
        "finding.resolved",
        finding,
        note=note.strip(),
    )
    return finding
