"""The optional MLflow sync of an organisation: the connection, the import of models and
versions, drift detection on protected aliases, and the push of applied promotions.

Inbound (`mlflow_import`): MLflow's registered models and their READY versions become
Tollgate models and versions through the registry services (one audit event each);
versions carrying their lineage are submitted, the rest stay drafts. The same pass
compares every protected alias MLflow holds with Tollgate's: MLflow cannot stop
anyone moving an alias (mlflow#7762), so a move that no applied request explains is
recorded as a Finding, once per distinct drift.

Outbound (`mlflow_alias_push`): after a request is applied, the alias is set in
MLflow and the outcome is recorded once per request. When a break-glass promotion is
undone (its retrospective rejected or missed), `mlflow_alias_withdraw` deletes the
alias in MLflow, if it still points at the suspended version, and records the outcome
once per retrospective request.

HTTP calls never run inside a transaction. The token is stored encrypted and
reaches only the client's Authorization header.
"""

from __future__ import annotations

import contextlib
import logging
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import Organization, Team, User
from apps.audit.models import AuditEvent, Chain
from apps.audit.services import record_event
from apps.core.crypto import DecryptionError, decrypt_text, encrypt_text
from apps.core.exceptions import ApplicationError, PermissionDeniedError
from apps.registry import policies, selectors, services
from apps.registry.mlflow.client import (
    MlflowClient,
    MlflowError,
    RemoteModel,
    RemoteVersion,
    safe_url,
)
from apps.registry.models import (
    Alias,
    Finding,
    MlflowConnection,
    ModelVersion,
    PromotionRequest,
    RegisteredModel,
    RiskTier,
)
from apps.webhooks.services import webhook_event_publish

logger = logging.getLogger(__name__)

# Tags Tollgate reads on MLflow models and versions.
TAG_RISK_TIER = "tollgate.risk_tier"
TAG_ARTIFACT_SHA256 = "tollgate.artifact_sha256"
TAG_CODE_COMMIT = "tollgate.code_commit"
TAG_REPOSITORY = "tollgate.repository"
TAG_DATASET_REFS = "tollgate.dataset_refs"  # comma-separated
# Set by MLflow on runs from a git checkout; read when copied onto the version.
TAG_GIT_COMMIT = "mlflow.source.git.commit"
TAG_GIT_REPO = "mlflow.source.git.repoURL"

DEFAULT_RISK_TIER = RiskTier.MEDIUM
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_COMMIT = re.compile(r"^[0-9a-f]{7,64}$")

PUSHED, PUSH_SKIPPED, PUSH_FAILED = (
    "mlflow.alias_pushed",
    "mlflow.alias_push_skipped",
    "mlflow.alias_push_failed",
)
PUSH_OUTCOMES = (PUSHED, PUSH_SKIPPED, PUSH_FAILED)
# An apply's push is in flight (queued or retrying) for at most this long. Until its
# outcome is recorded, MLflow still showing the previous version is not drift.
PUSH_SETTLE = timedelta(hours=1)

WITHDRAWN, WITHDRAW_SKIPPED, WITHDRAW_FAILED = (
    "mlflow.alias_withdrawn",
    "mlflow.alias_withdraw_skipped",
    "mlflow.alias_withdraw_failed",
)
WITHDRAW_OUTCOMES = (WITHDRAWN, WITHDRAW_SKIPPED, WITHDRAW_FAILED)
# Likewise for the withdrawal after a suspension (same task retries as the push).
WITHDRAW_SETTLE = PUSH_SETTLE


class MlflowConfigError(MlflowError):
    """The connection cannot be used as configured; retrying will not help."""

    @property
    def transient(self) -> bool:
        return False


@dataclass
class SyncReport:
    models_imported: int = 0
    versions_imported: int = 0
    versions_submitted: int = 0
    findings: int = 0
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- Connection -------------------------------------------------------------------------


def _require_admin(user: User, organization: Organization) -> None:
    if user.organization_id != organization.pk or not policies.can_set_policy(user):
        raise PermissionDeniedError("Only an org admin configures the MLflow sync.")


def _clean_tracking_uri(value: str) -> str:
    uri = value.strip().rstrip("/")
    invalid = ApplicationError(
        "Give the server's http(s) address, e.g. https://mlflow.example.com.",
        fields={"tracking_uri": ["Not an http(s) URL."]},
    )
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018 (raises ValueError on a malformed port)
    except ValueError:
        raise invalid from None
    if parts.scheme not in ("http", "https") or not parts.hostname or len(uri) > 500:
        raise invalid
    if parts.username or parts.password:
        raise ApplicationError(
            "Put the token in the token field, not in the URL.",
            fields={"tracking_uri": ["No credentials in the URL."]},
        )
    if parts.query or parts.fragment:
        raise ApplicationError(
            "The address takes no query or fragment.",
            fields={"tracking_uri": ["No query or fragment."]},
        )
    return uri


@transaction.atomic
def mlflow_connection_set(
    *,
    organization: Organization,
    tracking_uri: str,
    token: str | None,
    default_team: Team,
    configured_by: User,
) -> MlflowConnection:
    """Create or change the organisation's connection, and enable it. `token` None
    keeps the stored token, "" removes it. Imports are attributed to `configured_by`."""
    _require_admin(configured_by, organization)
    if default_team.organization_id != organization.pk:
        raise ApplicationError(
            "The team is not in this organisation.",
            fields={"default_team": ["Unknown."]},
        )
    uri = _clean_tracking_uri(tracking_uri)
    connection = (
        MlflowConnection.objects.select_for_update()
        .filter(organization=organization)
        .first()
    )
    created = connection is None
    if connection is None:
        connection = MlflowConnection(organization=organization)
    if token is not None:
        connection.token_encrypted = (
            encrypt_text(token.strip()) if token.strip() else ""
        )
    connection.tracking_uri = uri
    connection.default_team = default_team
    connection.configured_by = configured_by
    connection.enabled, connection.last_error = True, ""
    try:
        with transaction.atomic():
            connection.save()
    except IntegrityError as exc:
        raise ApplicationError(
            "The connection changed meanwhile; reload and try again.", code="conflict"
        ) from exc
    record_event(
        organization=organization,
        actor=configured_by,
        action="mlflow.connection_set",
        target=connection,
        data={
            "tracking_uri": uri,
            "default_team": default_team.pk,
            "authenticated": bool(connection.token_encrypted),
            "token_replaced": token is not None,
            "created": created,
        },
    )
    return connection


@transaction.atomic
def mlflow_connection_disable(
    *, organization: Organization, disabled_by: User
) -> MlflowConnection:
    """Stop syncing and pushing. The settings are kept; setting them again re-enables."""
    _require_admin(disabled_by, organization)
    connection = (
        MlflowConnection.objects.select_for_update()
        .filter(organization=organization)
        .first()
    )
    if connection is None:
        raise ApplicationError("The organisation has no MLflow connection.")
    if not connection.enabled:
        return connection
    connection.enabled = False
    connection.save(update_fields=["enabled", "updated_at"])
    record_event(
        organization=organization,
        actor=disabled_by,
        action="mlflow.connection_disabled",
        target=connection,
        data={"tracking_uri": connection.tracking_uri},
    )
    return connection


def client_for(connection: MlflowConnection, **options: Any) -> MlflowClient:
    try:
        token = (
            decrypt_text(connection.token_encrypted)
            if connection.token_encrypted
            else ""
        )
    except DecryptionError:
        raise MlflowConfigError(
            "The stored MLflow token cannot be decrypted (encryption keys changed); "
            "an org admin must set the connection again."
        ) from None
    return MlflowClient(connection.tracking_uri, token, **options)


def _client(connection: MlflowConnection, client: MlflowClient | None):
    """The given client (left open for its owner), or a new one closed after use."""
    return contextlib.nullcontext(client) if client else client_for(connection)


def _record_outcome(connection: MlflowConnection, *, error: str, synced: bool) -> None:
    """Bookkeeping on the connection, not a governance change: not audited (the
    imports and findings of the run are)."""
    now = timezone.now()
    fields: dict[str, Any] = {"last_error": error[:500], "updated_at": now}
    if synced:
        fields["last_synced_at"] = now
    MlflowConnection.objects.filter(pk=connection.pk).update(**fields)
    connection.last_error = fields["last_error"]
    connection.last_synced_at = fields.get("last_synced_at", connection.last_synced_at)


# --- Import -----------------------------------------------------------------------------


def _without_credentials(value: str) -> str:
    return safe_url(value) if "://" in value and "@" in value else value


def _model_card(remote: RemoteVersion) -> dict[str, Any]:
    card: dict[str, Any] = {
        "mlflow": {
            "name": remote.name,
            "version": remote.version,
            "run_id": remote.run_id,
            "run_link": _without_credentials(remote.run_link),
            "user_id": remote.user_id,
            "tags": {
                k: _without_credentials(v) for k, v in sorted(remote.tags.items())
            },
        }
    }
    if remote.description:
        card["summary"] = remote.description
    return card


def _version_content(remote: RemoteVersion) -> dict[str, Any]:
    tags = remote.tags
    sha256 = tags.get(TAG_ARTIFACT_SHA256, "").strip().lower()
    commit = (
        (tags.get(TAG_CODE_COMMIT) or tags.get(TAG_GIT_COMMIT) or "").strip().lower()
    )
    repository = tags.get(TAG_REPOSITORY) or tags.get(TAG_GIT_REPO) or ""
    datasets = [d.strip() for d in tags.get(TAG_DATASET_REFS, "").split(",")]
    return {
        "source_uri": remote.source,  # opaque: never fetched
        "artifact_sha256": sha256 if _SHA256.match(sha256) else "",
        "code_commit": commit if _COMMIT.match(commit) else "",
        "repository": _without_credentials(repository.strip())[:500],
        "run_ref": remote.run_id[:200],
        "dataset_refs": [d for d in datasets if d],
        "model_card": _model_card(remote),
        "mlflow_version": remote.version,
    }


def _import_model(
    connection: MlflowConnection, remote: RemoteModel, report: SyncReport
) -> RegisteredModel | None:
    existing = RegisteredModel.objects.filter(
        organization_id=connection.organization_id, mlflow_name=remote.name
    ).first()
    if existing is not None:
        return existing
    tier = remote.tags.get(TAG_RISK_TIER, "").strip().lower()
    try:
        model = services.model_create(
            team=connection.default_team,
            name=remote.name,
            risk_tier=tier if tier in RiskTier.values else DEFAULT_RISK_TIER,
            owner=connection.configured_by,
            created_by=None,
            purpose=remote.description,
            mlflow_name=remote.name,
        )
    except (ApplicationError, ValidationError) as exc:
        # A concurrent sync may have imported it meanwhile.
        model = RegisteredModel.objects.filter(
            organization_id=connection.organization_id, mlflow_name=remote.name
        ).first()
        if model is None:
            report.problems.append(
                f"Model {remote.name!r} not imported: {_reason(exc)}"
            )
        return model
    report.models_imported += 1
    return model


def _reason(exc: Exception) -> str:
    if isinstance(exc, ApplicationError):
        return exc.message
    return "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def _import_version(
    connection: MlflowConnection, model: RegisteredModel, remote: RemoteVersion
) -> ModelVersion | None:
    """One version, submitted when its lineage allows, in one transaction."""
    with transaction.atomic():
        # Lock the model: a concurrent sync waits here, then finds the version.
        RegisteredModel.objects.select_for_update().only("pk").get(pk=model.pk)
        if ModelVersion.objects.filter(
            model=model, mlflow_version=remote.version
        ).exists():
            return None
        version = services.version_create(
            model=model,
            created_by=connection.configured_by,
            system=True,
            **_version_content(remote),
        )
        # Without its lineage the version stays a draft, to be completed in Tollgate.
        with contextlib.suppress(ApplicationError):
            version = services.version_submit(
                version=version, submitted_by=None, system=True
            )
        return version


def _import_versions(
    connection: MlflowConnection,
    model: RegisteredModel,
    api: MlflowClient,
    report: SyncReport,
) -> None:
    if model.status == RegisteredModel.Status.RETIRED:
        return
    known = set(
        ModelVersion.objects.filter(model=model)
        .exclude(mlflow_version="")
        .values_list("mlflow_version", flat=True)
    )
    remote_versions = api.search_model_versions(model.mlflow_name)
    # Oldest first, so Tollgate's numbers follow MLflow's order. Versions still
    # registering (or failed) are left for a later sync.
    for remote in sorted(remote_versions, key=lambda v: v.number):
        if remote.version in known or remote.status != "READY":
            continue
        try:
            version = _import_version(connection, model, remote)
        except (ApplicationError, ValidationError) as exc:
            report.problems.append(
                f"{model.mlflow_name!r} version {remote.version} not imported: "
                f"{_reason(exc)}"
            )
            continue
        if version is not None:
            report.versions_imported += 1
            report.versions_submitted += version.is_frozen


# --- Drift ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _AliasState:
    """Tollgate's side of one protected alias, read before MLflow's."""

    alias_id: int
    version_id: int
    set_at: datetime
    tollgate_version: int
    mlflow_version: str
    request_id: int | None
    settled: bool  # any push after its apply has finished (or can no longer come)


def _outcome_request_ids(
    organization_id: int, request_ids: list[int], outcomes: tuple[str, ...]
) -> set[int]:
    """The requests among `request_ids` with one of `outcomes` recorded."""
    if not request_ids:
        return set()
    rows = AuditEvent.objects.filter(
        chain__key=Chain.key_for(organization_id),
        object_type=PromotionRequest._meta.label_lower,
        object_id__in=[str(pk) for pk in request_ids],
        action__in=outcomes,
    ).values_list("object_id", flat=True)
    return {int(pk) for pk in rows}


def _alias_snapshot(
    organization_id: int, names: set[str], now: datetime
) -> dict[tuple[int, str], _AliasState]:
    aliases = list(
        Alias.objects.filter(
            model__organization_id=organization_id, name__in=names
        ).select_related("version")
    )
    recent = [a.via_request_id for a in aliases if a.set_at > now - PUSH_SETTLE]
    pushed = _outcome_request_ids(
        organization_id, [r for r in recent if r], PUSH_OUTCOMES
    )
    return {
        (a.model_id, a.name): _AliasState(
            alias_id=a.pk,
            version_id=a.version_id,
            set_at=a.set_at,
            tollgate_version=a.version.version,
            mlflow_version=a.version.mlflow_version,
            request_id=a.via_request_id,
            settled=a.via_request_id not in recent or a.via_request_id in pushed,
        )
        for a in aliases
    }


def _withdrawals_in_flight(
    organization_id: int, names: set[str], now: datetime
) -> set[tuple[int, str, str]]:
    """(model, alias, MLflow version) of recent suspensions whose withdrawal from
    MLflow has no outcome yet: MLflow still showing the suspended version is not drift
    until it has. A failed, skipped or lost (older than WITHDRAW_SETTLE) withdrawal
    gets no such grace."""
    rows = list(
        PromotionRequest.objects.filter(
            version__model__organization_id=organization_id,
            retrospective_of__isnull=False,
            status__in=(
                PromotionRequest.Status.REJECTED,
                PromotionRequest.Status.EXPIRED,
            ),
            version__status=ModelVersion.Status.SUSPENDED,
            target__in=names,
            closed_at__gt=now - WITHDRAW_SETTLE,
        )
        .exclude(version__mlflow_version="")
        .values_list("pk", "version__model_id", "target", "version__mlflow_version")
    )
    done = _outcome_request_ids(
        organization_id, [row[0] for row in rows], WITHDRAW_OUTCOMES
    )
    return {
        (model_id, target, mlflow_version)
        for pk, model_id, target, mlflow_version in rows
        if pk not in done
    }


def _drift_detail(
    model: RegisteredModel, name: str, mlflow_version: str, state: _AliasState | None
) -> dict[str, Any]:
    return {
        "alias": name,
        "mlflow_name": model.mlflow_name,
        "mlflow_version": mlflow_version,
        "tollgate_version": state.tollgate_version if state else None,
        "tollgate_mlflow_version": (state.mlflow_version or None) if state else None,
        "tollgate_request": state.request_id if state else None,
    }


@transaction.atomic
def _drift_record(
    model: RegisteredModel, name: str, mlflow_version: str, state: _AliasState | None
) -> Finding | None:
    """Record one drift unless Tollgate's alias moved since the snapshot (the next
    sync judges it afresh) or an open finding already reports it."""
    RegisteredModel.objects.select_for_update().only("pk").get(pk=model.pk)
    current = (
        Alias.objects.filter(model=model, name=name)
        .values_list("pk", "version_id", "set_at")
        .first()
    )
    expected = (state.alias_id, state.version_id, state.set_at) if state else None
    if current != expected:
        return None
    if Finding.objects.filter(
        model=model,
        kind=Finding.Kind.UNAPPROVED_ALIAS_MOVE,
        status=Finding.Status.OPEN,
        detail__alias=name,
        detail__mlflow_version=mlflow_version,
    ).exists():
        return None
    detail = _drift_detail(model, name, mlflow_version, state)
    finding = Finding.objects.create(
        organization_id=model.organization_id,
        model=model,
        kind=Finding.Kind.UNAPPROVED_ALIAS_MOVE,
        detail=detail,
    )
    payload = {
        "finding": finding.pk,
        "model": model.pk,
        "model_name": model.name,
        **detail,
    }
    organization = model.organization
    record_event(
        organization=organization,
        actor=None,
        action="alias.drift_detected",
        target=finding,
        data=payload,
    )
    webhook_event_publish(
        organization=organization, event="alias.drift_detected", payload=payload
    )
    logger.warning(
        "MLflow drift: model %s alias %s is at MLflow version %s (finding %s)",
        model.pk,
        name,
        mlflow_version,
        finding.pk,
    )
    return finding


def _check_drift(
    model: RegisteredModel,
    remote: RemoteModel,
    snapshot: dict[tuple[int, str], _AliasState],
    withdrawing: set[tuple[int, str, str]],
    protected: set[str],
    report: SyncReport,
) -> None:
    for name in sorted(protected & remote.aliases.keys()):
        mlflow_version = remote.aliases[name]
        state = snapshot.get((model.pk, name))
        if state is not None and (
            state.mlflow_version == mlflow_version or not state.settled
        ):
            continue
        if state is None and (model.pk, name, mlflow_version) in withdrawing:
            continue  # a suspension's withdrawal is on its way
        if _drift_record(model, name, mlflow_version, state) is not None:
            report.findings += 1


# --- The sync ---------------------------------------------------------------------------


def mlflow_import(
    *, connection: MlflowConnection, client: MlflowClient | None = None
) -> SyncReport:
    """Import new models and versions, then report protected aliases moved in MLflow.

    Idempotent: a second run imports nothing and repeats no finding. Records the
    outcome on the connection; an MlflowError is recorded, then raised.
    """
    if not connection.enabled:
        raise ApplicationError("The MLflow connection is disabled.", code="disabled")
    report = SyncReport()
    protected = services.protected_alias_names(connection.organization)
    # Tollgate's aliases are read before MLflow's, so a push that lands between the
    # two reads cannot look like drift.
    now = timezone.now()
    snapshot = _alias_snapshot(connection.organization_id, protected, now)
    withdrawing = _withdrawals_in_flight(connection.organization_id, protected, now)
    try:
        with _client(connection, client) as api:
            for remote in api.search_registered_models():
                model = _import_model(connection, remote, report)
                if model is not None:
                    _import_versions(connection, model, api, report)
                    _check_drift(
                        model, remote, snapshot, withdrawing, protected, report
                    )
    except MlflowError as exc:
        _record_outcome(connection, error=str(exc), synced=False)
        logger.warning(
            "MLflow sync of org %s failed: %s", connection.organization_id, exc
        )
        raise
    _record_outcome(connection, error=" ".join(report.problems), synced=True)
    return report


# --- Push -------------------------------------------------------------------------------


def _push_skip_reason(
    request: PromotionRequest, connection: MlflowConnection | None
) -> str:
    version = request.version
    if request.status != PromotionRequest.Status.APPLIED:
        return "not_applied"
    if connection is None:
        return "no_connection"
    if not version.model.mlflow_name or not version.mlflow_version:
        return "not_in_mlflow"
    holder = Alias.objects.filter(
        model_id=version.model_id, name=request.target
    ).first()
    if holder is None or holder.via_request_id != request.pk:
        # A later request (or a suspension) moved the alias: pushing would regress it.
        return "superseded"
    return ""


@transaction.atomic
def _record_once(
    request_id: int, action: str, outcomes: tuple[str, ...], **data: Any
) -> bool:
    """The request's one outcome among `outcomes`; False if one is already recorded.
    The request's row lock makes concurrent runs record one between them."""
    request = (
        PromotionRequest.objects.select_for_update(of=("self",))
        .select_related("version__model__organization")
        .get(pk=request_id)
    )
    model = request.version.model
    if _outcome_request_ids(model.organization_id, [request.pk], outcomes):
        return False
    record_event(
        organization=model.organization,
        actor=None,
        action=action,
        target=request,
        data={
            "request": request.pk,
            "model": model.pk,
            "mlflow_name": model.mlflow_name,
            "alias": request.target,
            "version": request.version.version,
            "mlflow_version": request.version.mlflow_version,
            **data,
        },
    )
    return True


def _push_record(request_id: int, action: str, **data: Any) -> bool:
    return _record_once(request_id, action, PUSH_OUTCOMES, **data)


def mlflow_alias_push(*, request_id: int, client: MlflowClient | None = None) -> str:
    """Set the applied request's alias in MLflow. Returns what happened. Raises
    MlflowError for the caller to retry; `mlflow_alias_push_failed` gives up."""
    request = PromotionRequest.objects.select_related(
        "version__model__organization"
    ).get(pk=request_id)
    model = request.version.model
    if _outcome_request_ids(model.organization_id, [request.pk], PUSH_OUTCOMES):
        return "already_recorded"
    connection = selectors.mlflow_connection_for(organization=model.organization)
    reason = _push_skip_reason(request, connection)
    if reason:
        _push_record(request.pk, PUSH_SKIPPED, reason=reason)
        return f"skipped:{reason}"
    with _client(connection, client) as api:
        api.set_alias(model.mlflow_name, request.target, request.version.mlflow_version)
    _push_record(request.pk, PUSHED, tracking_uri=safe_url(connection.tracking_uri))
    return "pushed"


def mlflow_alias_push_failed(*, request_id: int, error: str) -> None:
    """Give up on a push: record why (MlflowError messages carry no secrets)."""
    _push_record(request_id, PUSH_FAILED, error=error[:500])


# --- Withdrawal -------------------------------------------------------------------------


def _withdraw_record(request_id: int, action: str, **data: Any) -> bool:
    request = PromotionRequest.objects.only("retrospective_of_id").get(pk=request_id)
    data = {"break_glass_request": request.retrospective_of_id, **data}
    return _record_once(request_id, action, WITHDRAW_OUTCOMES, **data)


def _tollgate_holder(request: PromotionRequest) -> dict[str, Any]:
    """Who holds the alias in Tollgate now (after the suspension removed it, only a
    later applied request can): MLflow must then follow that, not lose the alias."""
    holder = (
        Alias.objects.filter(model_id=request.version.model_id, name=request.target)
        .values("version__version", "via_request_id")
        .first()
    )
    if holder is None:
        return {}
    return {
        "tollgate_version": holder["version__version"],
        "tollgate_request": holder["via_request_id"],
    }


def _withdraw_skip_reason(
    request: PromotionRequest, connection: MlflowConnection | None
) -> tuple[str, dict[str, Any]]:
    version = request.version
    if (
        request.retrospective_of_id is None
        or request.status
        not in (PromotionRequest.Status.REJECTED, PromotionRequest.Status.EXPIRED)
        or version.status != ModelVersion.Status.SUSPENDED
    ):
        return "not_suspended", {}
    if connection is None:
        return "no_connection", {}
    if not version.model.mlflow_name or not version.mlflow_version:
        return "not_in_mlflow", {}
    holder = _tollgate_holder(request)
    if holder:
        return "repromoted", holder
    return "", {}


def _mlflow_alias_version(api: MlflowClient, name: str, alias: str) -> str | None:
    """The MLflow version `alias` points at; None if MLflow has no such alias (or no
    such model any more)."""
    try:
        return api.get_registered_model(name).aliases.get(alias)
    except MlflowError as exc:
        if exc.error_code == "RESOURCE_DOES_NOT_EXIST":
            return None
        raise


def _delete_alias(api: MlflowClient, name: str, alias: str) -> str:
    """Delete the alias; "absent" if the model went meanwhile (MLflow deletes a missing
    alias of an existing model without complaint)."""
    try:
        api.delete_alias(name, alias)
    except MlflowError as exc:
        if exc.error_code == "RESOURCE_DOES_NOT_EXIST":
            return "absent"
        raise
    return ""


def mlflow_alias_withdraw(
    *, request_id: int, client: MlflowClient | None = None
) -> str:
    """After a suspension, delete the alias in MLflow if it still points at the
    suspended version. `request_id` is the retrospective request that suspended it.

    Never removes an alias moved since, in MLflow (`repointed`) or through a later
    applied request in Tollgate (`repromoted`, checked again just before the delete).
    MLflow has no conditional delete, so a move landing between the read and the
    delete (milliseconds) cannot be told apart. Returns what happened; raises
    MlflowError for the caller to retry; `mlflow_alias_withdraw_failed` gives up.
    """
    request = PromotionRequest.objects.select_related(
        "version__model__organization"
    ).get(pk=request_id)
    version = request.version
    model = version.model
    if _outcome_request_ids(model.organization_id, [request.pk], WITHDRAW_OUTCOMES):
        return "already_recorded"
    connection = selectors.mlflow_connection_for(organization=model.organization)
    reason, data = _withdraw_skip_reason(request, connection)
    if not reason:
        with _client(connection, client) as api:
            current = _mlflow_alias_version(api, model.mlflow_name, request.target)
            if current is None:
                reason = "absent"
            elif current != version.mlflow_version:
                reason, data = "repointed", {"mlflow_version_now": current}
            elif holder := _tollgate_holder(request):
                reason, data = "repromoted", holder
            else:
                reason = _delete_alias(api, model.mlflow_name, request.target)
    if reason:
        recorded = _withdraw_record(request.pk, WITHDRAW_SKIPPED, reason=reason, **data)
        return f"skipped:{reason}" if recorded else "already_recorded"
    recorded = _withdraw_record(
        request.pk, WITHDRAWN, tracking_uri=safe_url(connection.tracking_uri)
    )
    return "withdrawn" if recorded else "already_recorded"


def mlflow_alias_withdraw_failed(*, request_id: int, error: str) -> None:
    """Give up on a withdrawal: record why. The drift check then reports MLflow still
    serving the suspended version."""
    _withdraw_record(request_id, WITHDRAW_FAILED, error=error[:500])
