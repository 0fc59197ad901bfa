"""A model registry per team: versions, production aliases and promotion requests."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from apps.accounts.models import Role
from apps.dashboards.scale.world import (
    MODEL_KINDS,
    TEAMS_PER_ROUND,
    _chunks,
    _World,
)
from apps.registry import gates
from apps.registry.models import (
    Alias,
    Decision,
    ModelVersion,
    PromotionRequest,
    RegisteredModel,
)
from apps.registry.services import policy_defaults_install, policy_snapshot

TIERS, TIER_WEIGHTS = ("low", "medium", "high", "critical"), (35, 35, 20, 10)
EMPTY_DIGEST = gates.evidence_digest([])


@dataclass(frozen=True)
class _ModelPlan:
    """One model's story: its versions, which holds `production`, what is pending."""

    tier: str
    versions: int
    holder: int | None  # the version `production` points at
    draft_last: bool  # the newest version is still a draft
    overdue: bool  # the holder's revalidation is overdue
    in_flight: str | None  # "open" or "approved": a request for the newest version
    break_glass: bool  # the holder went live by break-glass
    applied_at: datetime | None


def _model_plan(world: _World, rng: random.Random) -> _ModelPlan:
    tier = rng.choices(TIERS, weights=TIER_WEIGHTS)[0]
    versions = rng.choices((1, 2, 3), weights=(35, 40, 25))[0]
    holder = None
    if rng.random() < 0.7:
        holder = versions if versions == 1 or rng.random() < 0.55 else versions - 1
    draft_last = holder != versions and rng.random() < 0.1
    break_glass = holder is not None and tier in TIERS[2:] and rng.random() < 0.05
    applied_at = None
    if break_glass and rng.random() < 0.3:
        applied_at = world.now - timedelta(hours=rng.uniform(0.5, 20))
    elif holder is not None:
        applied_at = world.now - timedelta(days=rng.uniform(3, 200))
    # Overdue: live for a while and not revalidated in time.
    old = applied_at is not None and applied_at < world.now - timedelta(days=30)
    overdue = old and rng.random() < 0.15
    in_flight = None
    # No promotion opens while a revalidation is overdue (the service refuses it).
    if holder != versions and not draft_last and not overdue and rng.random() < 0.13:
        in_flight = "approved" if rng.random() < 0.3 else "open"
    return _ModelPlan(
        tier, versions, holder, draft_last, overdue, in_flight, break_glass, applied_at
    )


@dataclass
class _ModelRows:
    """A model being written: its plan, generator and rows so far."""

    index: int  # its team's
    plan: _ModelPlan
    rng: random.Random
    model: RegisteredModel
    policy: dict  # the snapshot of its tier's production policy
    versions: list[ModelVersion] = field(default_factory=list)
    requests: list[tuple[PromotionRequest, str]] = field(default_factory=list)


def _registry(world: _World) -> None:
    """The default promotion policies (through their service), then per team its
    models, versions, production aliases and promotion requests."""
    installed = policy_defaults_install(organization=world.organization)
    world.writer.counts["promotion policies"] += len(installed)
    policies = {
        p.risk_tier: policy_snapshot(p) for p in installed if p.target == "production"
    }
    per_team = world.options.models_per_team
    bar = world.progress("registry", world.options.teams)
    for chunk in _chunks(world.options.teams, TEAMS_PER_ROUND):
        rows = []
        for index in chunk:
            rng = world.rng(index, "registry")
            for j in range(per_team):
                plan = _model_plan(world, rng)
                model = _model(world, index, j, plan)
                rows.append(_ModelRows(index, plan, rng, model, policies[plan.tier]))
        world.writer.create([r.model for r in rows])
        _versions(world, rows)
        _requests(world, rows)
        world.writer.flush()
        bar.update(len(chunk))
    bar.close()


def _model(world: _World, index: int, j: int, plan: _ModelPlan) -> RegisteredModel:
    team = world.teams[index]
    kind = MODEL_KINDS[j % len(MODEL_KINDS)]
    return RegisteredModel(
        organization=world.organization,
        team=team,
        name=f"{team.slug}-{kind}-{j + 1}",
        purpose=f"{team.name}: {kind} for day-to-day decisions.",
        owner_id=world.leads[index],
        risk_tier=plan.tier,
        next_version=plan.versions + 1,
    )


def _submitted_times(world: _World, rows: _ModelRows) -> list[datetime]:
    """When each version was submitted: the holder shortly before it went live, the
    others a month or two apart around it."""
    plan, rng = rows.plan, rows.rng
    gap = timedelta(days=rng.uniform(20, 60))
    if plan.holder is None:
        newest = world.now - timedelta(days=rng.uniform(5, 120))
        return [newest - gap * (plan.versions - n) for n in range(1, plan.versions + 1)]
    held = plan.applied_at - timedelta(days=rng.uniform(1, 10))
    after = plan.applied_at + (world.now - plan.applied_at) * rng.uniform(0.2, 0.9)
    return [
        held - gap * (plan.holder - n) if n <= plan.holder else after
        for n in range(1, plan.versions + 1)
    ]


def _version_status(plan: _ModelPlan, n: int) -> str:
    Status = ModelVersion.Status
    if plan.holder is None or n > plan.holder:
        draft = plan.draft_last and n == plan.versions
        return Status.DRAFT if draft else Status.SUBMITTED
    return Status.ACTIVE if n == plan.holder else Status.SUPERSEDED


def _versions(world: _World, rows: list[_ModelRows]) -> None:
    for r in rows:
        for n, submitted in enumerate(_submitted_times(world, r), start=1):
            r.versions.append(_version(world, r, n, submitted))
    world.writer.create([v for r in rows for v in r.versions])


def _version(
    world: _World, rows: _ModelRows, n: int, submitted: datetime
) -> ModelVersion:
    model, plan, rng = rows.model, rows.plan, rows.rng
    status = _version_status(plan, n)
    lead = world.leads[rows.index]
    frozen = status != ModelVersion.Status.DRAFT
    version = ModelVersion(
        model=model,
        version=n,
        status=status,
        source_uri=f"s3://{world.options.org_slug}-models/{model.name}/{n}/",
        artifact_sha256=world.hex(model.name, n, "artifact"),
        code_commit=world.hex(model.name, n, "commit", length=40),
        repository=f"https://git.example.com/{model.team.slug}/{model.name}",
        run_ref=f"mlflow:runs/{world.hex(model.name, n, 'run', length=32)}",
        dataset_refs=[f"s3://lake/{model.team.slug}/training@{submitted:%Y-%m-%d}"],
        metrics={"auc": round(0.7 + 0.015 * n + rng.uniform(0, 0.12), 3)},
        model_card={"intended_use": model.purpose, "risk_tier": plan.tier},
        authors=[world.members[rows.index]],
        created_by_id=lead,
        submitted_at=submitted if frozen else None,
        submitted_by_id=lead if frozen else None,
    )
    if n == plan.holder:
        _revalidation(world, version, rows)
    return version


def _revalidation(world: _World, version: ModelVersion, rows: _ModelRows) -> None:
    """Due within the policy's interval, or overdue (flagged the morning after, as
    the daily sweep does)."""
    plan, rng, today = rows.plan, rows.rng, world.now.date()
    interval = rows.policy["revalidation_interval_days"] or 365
    if plan.overdue:
        due = today - timedelta(days=rng.randint(1, 60))
        flagged = datetime.combine(due + timedelta(days=1), datetime.min.time(), UTC)
        version.revalidation_overdue_since = flagged + timedelta(hours=6)
    else:
        due = today + timedelta(days=rng.randint(1, interval))
    version.revalidation_due = due


def _requests(world: _World, rows: list[_ModelRows]) -> None:
    """The applied request behind each production alias, requests in flight for
    newer versions, and break-glass retrospectives; then decisions and aliases."""
    for r in rows:
        if r.plan.holder is not None:
            r.requests.append(_applied(world, r))
        if r.plan.in_flight:
            r.requests.append(_in_flight(world, r))
    world.writer.create([req for r in rows for req, _ in r.requests])
    retrospectives = [
        (r, _retrospective(world, r, req))
        for r in rows
        for req, _ in r.requests
        if req.break_glass
    ]
    world.writer.create([req for _, (req, _) in retrospectives])
    for r, pair in retrospectives:
        r.requests.append(pair)
    for turn, r in enumerate(rows):
        for request, decided in r.requests:
            _decisions(world, request, decided, turn)
        if r.plan.holder is not None:
            _alias(world, r)


def _request(
    world: _World, rows: _ModelRows, n: int, opened: datetime
) -> PromotionRequest:
    version = rows.versions[n - 1]
    metric, value = next(iter(version.metrics.items()))
    return PromotionRequest(
        version=version,
        target="production",
        requested_by_id=world.leads[rows.index],
        justification=f"v{n} to production: {metric} {value} on the out-of-time "
        "sample, lineage complete.",
        policy_id=rows.policy["policy_id"],
        policy_snapshot=rows.policy,
        evidence_digest_at_open=EMPTY_DIGEST,
        opened_at=opened,
    )


def _applied(world: _World, rows: _ModelRows) -> tuple[PromotionRequest, str]:
    """The request that moved `production` to the holder: approved then applied by
    the team, or applied by a risk officer breaking the glass."""
    plan, rng = rows.plan, rows.rng
    applied = plan.applied_at
    request = _request(world, rows, plan.holder, applied)
    request.status, request.closed_at = PromotionRequest.Status.APPLIED, applied
    if plan.break_glass:
        request.opened_at = applied - timedelta(hours=rng.uniform(0.2, 6))
        request.break_glass = True
        request.applied_by_id = world.people[Role.RISK_OFFICER][0]
        return request, ""
    request.opened_at = applied - timedelta(days=rng.uniform(1, 6))
    request.approved_at = applied - (applied - request.opened_at) * rng.uniform(0, 0.5)
    ttl = timedelta(days=rows.policy["approval_ttl_days"])
    request.approved_until = request.approved_at + ttl
    request.applied_by_id = world.leads[rows.index]
    return request, "quorum"


def _in_flight(world: _World, rows: _ModelRows) -> tuple[PromotionRequest, str]:
    """A request for the newest version, opened in the last eight weeks: approved
    (not yet expired) or still open with some of its approvals."""
    plan, rng, now = rows.plan, rows.rng, world.now
    submitted = rows.versions[-1].submitted_at
    since = max(submitted, now - timedelta(days=56))
    opened = since + (now - since) * rng.uniform(0.05, 1)
    request = _request(world, rows, plan.versions, opened)
    if plan.in_flight == "open":
        return request, "partial"
    ttl = timedelta(days=rows.policy["approval_ttl_days"])
    request.status = PromotionRequest.Status.APPROVED
    request.approved_at = max(opened, now - ttl * 0.8) + timedelta(minutes=5)
    request.approved_until = request.approved_at + ttl
    return request, "quorum"


def _retrospective(
    world: _World, rows: _ModelRows, glass: PromotionRequest
) -> tuple[PromotionRequest, str]:
    """The review a break-glass apply opens: still open within its deadline,
    ratified by a quorum (without the officer who broke the glass) after it."""
    hours = glass.policy_snapshot["retrospective_hours"]
    request = _request(world, rows, rows.plan.holder, glass.closed_at)
    request.justification = (
        f"Retrospective review of break-glass apply #{glass.pk}: an attack pattern "
        "the champion model missed."
    )
    request.retrospective_of = glass
    request.retrospective_due = glass.closed_at + timedelta(hours=hours)
    if request.retrospective_due > world.now:
        return request, ""
    request.status = PromotionRequest.Status.APPLIED
    request.closed_at = glass.closed_at + timedelta(
        hours=hours * rows.rng.uniform(0.2, 0.9)
    )
    return request, "quorum"


def _deciders(
    world: _World, snapshot: dict, turn: int, exclude: int | None
) -> list[tuple[int, str]]:
    """(user id, role) of enough distinct approvers for the policy, a risk officer
    first when it needs one."""
    approvers = [(pk, Role.APPROVER) for pk in world.people[Role.APPROVER]]
    officers = [
        (pk, Role.RISK_OFFICER)
        for pk in world.people[Role.RISK_OFFICER]
        if pk != exclude
    ]
    turn %= len(approvers)
    ordered = approvers[turn:] + approvers[:turn]
    if Role.RISK_OFFICER in snapshot["required_roles"]:
        ordered = [officers[turn % len(officers)], *ordered]
    return ordered[: snapshot["required_approvals"]]


def _decisions(
    world: _World, request: PromotionRequest, decided: str, turn: int
) -> None:
    """Approvals spread up to approval (or now), recent enough to count under the
    policy's time-to-live: its quorum, or fewer for a request still open."""
    if not decided:
        return
    glass = request.retrospective_of if request.retrospective_of_id else None
    breaker = glass.applied_by_id if glass else None
    deciders = _deciders(world, request.policy_snapshot, turn, breaker)
    if decided == "partial":
        deciders = deciders[: turn % len(deciders)]
    end = request.approved_at or request.closed_at or world.now
    ttl = timedelta(days=request.policy_snapshot["approval_ttl_days"])
    start = max(request.opened_at, end - ttl / 2)
    step = (end - start) / (len(deciders) + 1)
    for i, (pk, role) in enumerate(deciders, start=1):
        world.writer.add(
            Decision(
                request=request,
                approver_id=pk,
                outcome=Decision.Outcome.APPROVE,
                roles=[str(role)],
                evidence_digest=EMPTY_DIGEST,
                decided_at=start + step * i,
            )
        )


def _alias(world: _World, rows: _ModelRows) -> None:
    request = next(
        req
        for req, _ in rows.requests
        if req.status == PromotionRequest.Status.APPLIED
        and req.retrospective_of_id is None
    )
    world.writer.add(
        Alias(
            model=rows.model,
            name="production",
            version=rows.versions[rows.plan.holder - 1],
            protected=True,
            set_by_id=request.applied_by_id,
            set_at=request.closed_at,
            via_request=request,
        )
    )
