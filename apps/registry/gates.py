"""When is a promotion request approved? Pure functions over plain values, no ORM.

The promotion service gathers the facts (decisions, accepted evidence, signals) under
row locks and asks `readiness`; the request page asks the same function to explain
what is still missing. Keeping the rule here means there is one answer to "may this
version move" and it can be tested exhaustively without a database.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

# Signals a policy may require, and what each one means. The repository-signals
# collector supplies the facts; until it reports one, the fact is unknown and a policy
# that requires it cannot be met.
SIGNAL_CHECKS: dict[str, str] = {
    "ci_green": "CI passed on the version's code commit",
    "monitoring": "Production monitoring is running for the model's team",
}


@dataclass(frozen=True)
class EvidenceFact:
    key: str
    item_id: int
    content: str  # the file's SHA-256 or the URL


@dataclass(frozen=True)
class DecisionFact:
    approver_id: int
    outcome: str  # "approve" | "reject"
    roles: Sequence[str]
    evidence_digest: str
    decided_at: datetime


@dataclass(frozen=True)
class Readiness:
    approved: bool
    valid_approvals: int
    covered_roles: frozenset[str]
    blockers: list[str] = field(default_factory=list)


def evidence_digest(accepted: Iterable[EvidenceFact]) -> str:
    """SHA-256 over the accepted evidence set: any change to it changes the digest."""
    lines = sorted(f"{e.key}\t{e.item_id}\t{e.content}" for e in accepted)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def approval_is_current(
    decision: DecisionFact, *, digest: str, ttl_days: int, now: datetime
) -> bool:
    """An approval counts while the evidence is unchanged and it is younger than the TTL."""
    return (
        decision.outcome == "approve"
        and decision.evidence_digest == digest
        and decision.decided_at + timedelta(days=ttl_days) > now
    )


def readiness(
    *,
    policy: Mapping,
    decisions: Sequence[DecisionFact],
    accepted: Sequence[EvidenceFact],
    signals: Mapping[str, bool | None],
    now: datetime,
) -> Readiness:
    """Whether the request meets its policy snapshot, and if not, every reason why."""
    digest = evidence_digest(accepted)
    blockers: list[str] = []
    rejects = [d for d in decisions if d.outcome == "reject"]
    if rejects:
        blockers.append(f"{len(rejects)} reject(s) recorded.")

    current = [
        d
        for d in decisions
        if approval_is_current(
            d, digest=digest, ttl_days=policy["approval_ttl_days"], now=now
        )
    ]
    stale = sum(1 for d in decisions if d.outcome == "approve") - len(current)
    needed = policy["required_approvals"]
    if len(current) < needed:
        message = f"{len(current)} of {needed} approvals."
        if stale:
            message += f" {stale} went stale (evidence changed or approval expired)."
        blockers.append(message)

    covered = frozenset(role for d in current for role in d.roles)
    for role in policy.get("required_roles", []):
        if role not in covered:
            blockers.append(f"No approval yet from a {role.replace('_', ' ')}.")

    have = {e.key for e in accepted}
    for requirement in policy.get("requirements", []):
        if requirement["mandatory"] and requirement["key"] not in have:
            blockers.append(f"No accepted evidence for {requirement['key']}.")

    for key in policy.get("required_signals", []):
        state = signals.get(key)
        if state is None:
            blockers.append(f"Signal {key} is not reported yet: {SIGNAL_CHECKS[key]}.")
        elif not state:
            blockers.append(f"Signal {key} does not hold: {SIGNAL_CHECKS[key]}.")

    return Readiness(
        approved=not blockers,
        valid_approvals=len(current),
        covered_roles=covered,
        blockers=blockers,
    )
