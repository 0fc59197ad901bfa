"""The one way to write to the audit trail."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils import timezone

from apps.audit.canonical import (
    FORMAT_VERSION,
    canonical_json,
    chain_hash,
    format_timestamp,
)
from apps.audit.models import AuditEvent, Chain
from apps.core.context import current_context

if TYPE_CHECKING:
    from apps.accounts.models import Organization, User

logger = logging.getLogger(__name__)

REDACTED = "[redacted]"
# Values under keys like these never reach the trail, whoever passes them. Anchored at
# the end, so "token_prefix" stays readable while "password2" (Django's forms) and
# "aws_secret_access_key" do not.
_SENSITIVE_KEY = re.compile(
    r"(pass(word|phrase)?|secret|token|credentials?|digest|authorization|cookie"
    r"|(api|private|secret|access)[_-]?key)\d*$",
    re.I,
)


class AuditOutsideTransactionError(RuntimeError):
    """record_event was called outside a transaction, so the event could not share it."""


def _redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: REDACTED if _SENSITIVE_KEY.search(str(key)) else _redact(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_redact(item) for item in value]
    return value


def _target(target: models.Model | tuple[str, Any] | None) -> tuple[str, str]:
    if target is None:
        return "", ""
    if isinstance(target, models.Model):
        return target._meta.label_lower, str(target.pk)
    object_type, object_id = target
    return object_type, str(object_id)


def _actor(actor: User | None, actor_type: str | None) -> tuple[int | None, str]:
    if actor is not None and actor.pk is not None:
        return actor.pk, AuditEvent.ActorType.USER
    return None, actor_type or AuditEvent.ActorType.SYSTEM


def record_event(
    *,
    organization: Organization | None,
    actor: User | None,
    action: str,
    target: models.Model | tuple[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    actor_type: str | None = None,
) -> AuditEvent:
    """Append one event to the organisation's chain (the platform chain if None).

    Must run inside the transaction of the change it records: the chain head row is
    locked until commit, and a rollback removes the event and restores the head.
    """
    if not transaction.get_connection().in_atomic_block:
        raise AuditOutsideTransactionError(
            f"record_event({action!r}) outside a transaction"
        )
    key = Chain.key_for(organization.pk if organization else None)
    chain_id, head_seq, prev_hash = _lock_head(key, organization)
    actor_id, kind = _actor(actor, actor_type)
    object_type, object_id = _target(target)
    ts = format_timestamp(timezone.now())
    seq = head_seq + 1
    canonical = canonical_json(
        {
            "v": FORMAT_VERSION,
            "chain": key,
            "seq": seq,
            "ts": ts,
            "actor": {"type": kind, "id": actor_id},
            "action": action,
            "object": {"type": object_type, "id": object_id},
            "data": _redact(data or {}),
            "ctx": current_context(),
        }
    )
    event = AuditEvent(
        chain_id=chain_id,
        seq=seq,
        canonical=canonical,
        prev_hash=prev_hash,
        hash=chain_hash(prev_hash, canonical),
    )
    # The database derives these from canonical; the caller's copy says the same.
    event.ts, event.actor_id, event.actor_type = ts, actor_id, kind
    event.action, event.object_type, event.object_id = action, object_type, object_id
    _append(event)
    return event


# Every audited change pays for the statements below, so they are plain SQL: the ORM
# spends more time building them than the database spends running them.
_CHAIN_TABLE = Chain._meta.db_table
_EVENT_TABLE = AuditEvent._meta.db_table
# The indexed columns are not among them: the database derives them from canonical.
_EVENT_COLUMNS = ("chain_id", "seq", "canonical", "prev_hash", "hash")
_SELECT_HEAD = f'SELECT id, head_seq, head_hash FROM {_CHAIN_TABLE} WHERE "key" = %s'  # noqa: S608
_INSERT_EVENT = (
    f"INSERT INTO {_EVENT_TABLE} ({', '.join(_EVENT_COLUMNS)}) "  # noqa: S608
    f"VALUES ({', '.join(['%s'] * len(_EVENT_COLUMNS))}) RETURNING id"
)
_MOVE_HEAD = (
    f"UPDATE {_CHAIN_TABLE} SET head_seq = %s, head_hash = %s, "  # noqa: S608
    "figures_hash = CASE WHEN %s THEN %s ELSE figures_hash END WHERE id = %s"
)
# PostgreSQL does both in one round trip; SQLite runs in-process and has no such CTE.
_INSERT_EVENT_MOVE_HEAD = (
    f"WITH event AS ({_INSERT_EVENT}) {_MOVE_HEAD} RETURNING (SELECT id FROM event)"  # noqa: S608
)

# Events that change no figure a dashboard shows: sign-ins, tokens, webhooks, reports,
# comments and versions registered (a version counts on a dashboard only once it holds
# an alias or is overdue, each its own event). Every other event moves the chain's
# figures_hash, which the dashboards' cache is keyed on (apps/dashboards/memo.py): an
# action missing here costs a recomputation, never a stale figure.
FIGURE_NEUTRAL_ACTIONS = frozenset(
    {
        *("auth.login_succeeded", "auth.login_failed", "auth.logged_out"),
        *("api_token.created", "api_token.revoked", "audit.chain_verified"),
        *("report.requested", "report.rendering", "report.rendered"),
        *("report.failed", "report.downloaded"),
        *("webhook_subscription.created", "webhook_subscription.updated"),
        *("webhook_subscription.deleted", "webhook_subscription.secret_rotated"),
        *("webhook_delivery.delivered", "webhook_delivery.failed"),
        *("webhook_delivery.redelivery_requested",),
        *("model_version.created", "comment.added"),
    }
)


def _lock_head(key: str, organization: Organization | None) -> tuple[int, int, bytes]:
    """Lock the chain's head row (creating the chain on its first event): id, seq, hash.

    SQLite has no row locks; its transactions start IMMEDIATE, holding the write lock.
    """
    connection = transaction.get_connection()
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(_SELECT_HEAD + lock, [key])
        head = cursor.fetchone()
    if head is None:
        chain, _ = Chain.objects.select_for_update().get_or_create(
            key=key, defaults={"organization": organization}
        )
        head = (chain.pk, chain.head_seq, chain.head_hash)
    chain_id, head_seq, head_hash = head
    return chain_id, head_seq, bytes(head_hash)


def _append(event: AuditEvent) -> None:
    """INSERT the event and move the chain head to it."""
    connection = transaction.get_connection()
    values = [getattr(event, column) for column in _EVENT_COLUMNS]
    moves_figures = event.action not in FIGURE_NEUTRAL_ACTIONS
    head = [event.seq, event.hash, moves_figures, event.hash, event.chain_id]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_INSERT_EVENT_MOVE_HEAD, [*values, *head])
            (event.pk,) = cursor.fetchone()
        else:
            cursor.execute(_INSERT_EVENT, values)
            (event.pk,) = cursor.fetchone()
            cursor.execute(_MOVE_HEAD, head)
    event._state.adding = False
    event._state.db = connection.alias


def chain_verify_and_record(*, chain_id: int) -> dict:
    """Verify a chain, then append the outcome to it as a `audit.chain_verified` event.

    The walk runs outside the transaction (it may take seconds); only the append locks.
    An intact result doubles as an in-chain checkpoint of the head it saw.
    """
    from apps.audit.integrity import chain_verify

    chain = Chain.objects.select_related("organization").get(pk=chain_id)
    result = chain_verify(chain=chain)
    finding = result.finding
    outcome = {
        "ok": result.ok,
        "head_seq": result.head_seq,
        "head_hash": result.head_hash,
        "first_bad_seq": finding.seq if finding else None,
        "reason": str(finding.reason) if finding else None,
    }
    if finding is not None:
        logger.error(
            "audit chain %s broken at seq %s: %s", chain.key, finding.seq, finding
        )
    with transaction.atomic():
        record_event(
            organization=chain.organization,
            actor=None,
            action="audit.chain_verified",
            target=chain,
            data=outcome,
        )
    return outcome
