"""Demo registry: 40 models across the demo teams and every risk tier, with versions,
evidence and promotion requests in every end state.

Everything goes through the registry services and the promotion workflow, so the
audit chain is the real thing. Two states need time to pass: approvals that lapse
unapplied and a revalidation that falls due. The daily sweeps take the clock as an
argument, so the seed runs them as of SWEEP_AHEAD from now, and only when they would
touch nothing but the rows this run created for them (never another organisation's).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from apps.accounts import services as accounts_services
from apps.accounts.demo import DEMO_PASSWORD, DemoLogin
from apps.accounts.models import Membership, Organization, Role, Team, User
from apps.registry import promotion, selectors, services
from apps.registry.models import (
    EvidenceItem,
    ModelVersion,
    PromotionRequest,
    RegisteredModel,
)

logger = logging.getLogger(__name__)

# Expired approvals and the overdue revalidation are swept as of a week from now: past
# the 7-day approval lifetime of high and critical production, short of the 14 days of
# the lower tiers (whose approved requests stay approved).
SWEEP_AHEAD = timedelta(days=8)
CONDITIONAL_REVALIDATION_DAYS = 7

# A second risk officer: a break-glass retrospective needs a risk officer other than
# the one who broke the glass.
EXTRA_PEOPLE = [("risk2", "Rafael", "Risk", Role.RISK_OFFICER)]


@dataclass(frozen=True)
class DemoModel:
    team: str  # team slug
    name: str
    tier: str
    kind: str  # what its metrics look like: see _metrics
    versions: int
    story: str  # see _steps
    purpose: str


# fmt: off
CATALOGUE = [
    DemoModel("credit-risk-scoring", "retail-pd-scorecard", "critical", "classifier", 5, "partial", "Probability of default for unsecured retail lending decisions."),
    DemoModel("credit-risk-scoring", "mortgage-lgd", "high", "regressor", 3, "live", "Loss given default for mortgage provisioning (IFRS 9)."),
    DemoModel("credit-risk-scoring", "affordability-income-estimator", "high", "regressor", 4, "rejected", "Estimates verified income from transaction history for affordability checks."),
    DemoModel("credit-risk-scoring", "collections-prioritiser", "medium", "classifier", 3, "staging_only", "Orders early-arrears accounts for collections outreach."),
    DemoModel("fraud-detection", "card-fraud-gbm", "critical", "classifier", 6, "break_glass", "Scores card authorisations for fraud in real time."),
    DemoModel("fraud-detection", "app-fraud-graph", "high", "classifier", 4, "expired", "Flags authorised push payment fraud from the payee graph."),
    DemoModel("fraud-detection", "mule-account-detector", "high", "classifier", 3, "awaiting", "Finds accounts receiving and forwarding stolen funds."),
    DemoModel("fraud-detection", "ato-login-risk", "medium", "classifier", 3, "upgraded", "Scores logins for account-takeover risk to trigger step-up authentication."),
    DemoModel("customer-churn", "churn-propensity", "medium", "classifier", 4, "live", "Monthly propensity of current-account customers to close or go dormant."),
    DemoModel("customer-churn", "retention-uplift", "medium", "regressor", 3, "withdrawn", "Uplift of a retention offer per customer, for targeting."),
    DemoModel("customer-churn", "complaint-escalation", "low", "classifier", 2, "approved", "Predicts which complaints will escalate to the ombudsman."),
    DemoModel("next-best-offer", "nbo-ranker", "medium", "ranker", 5, "upgraded", "Ranks eligible products for the app's offers carousel."),
    DemoModel("next-best-offer", "card-cross-sell", "low", "classifier", 3, "live", "Propensity to take a credit card, for marketing lists."),
    DemoModel("next-best-offer", "savings-nudge-timing", "low", "classifier", 2, "draft", "Picks the day a savings nudge is most likely to be acted on."),
    DemoModel("claims-triage", "claims-severity", "high", "regressor", 4, "live", "Predicts the final cost of a motor claim at first notification."),
    DemoModel("claims-triage", "claims-fraud-flag", "critical", "classifier", 3, "expired", "Refers suspicious claims to the special investigations unit."),
    DemoModel("claims-triage", "fast-track-classifier", "medium", "classifier", 3, "partial", "Routes simple claims to straight-through settlement."),
    DemoModel("pricing-models", "motor-pricing-glm", "critical", "regressor", 5, "live", "Risk premium for private motor policies."),
    DemoModel("pricing-models", "home-pricing-gbm", "critical", "regressor", 3, "rejected", "Risk premium for home buildings and contents cover."),
    DemoModel("pricing-models", "renewal-elasticity", "high", "regressor", 3, "withdrawn", "Price elasticity at renewal, for retention pricing within FCA rules."),
    DemoModel("underwriting-assist", "life-uw-risk", "critical", "classifier", 4, "awaiting", "Pre-underwriting risk class for term life applications."),
    DemoModel("underwriting-assist", "sme-uw-assist", "high", "classifier", 3, "staging_only", "Suggests referral reasons for small-business property risks."),
    DemoModel("underwriting-assist", "medical-disclosure-nlp", "high", "extractor", 2, "draft", "Extracts conditions and dates from medical disclosure letters."),
    DemoModel("document-intelligence", "invoice-extractor", "low", "extractor", 4, "live", "Reads supplier invoices into accounts payable."),
    DemoModel("document-intelligence", "id-document-ocr", "medium", "extractor", 3, "rejected", "Reads passports and driving licences during onboarding."),
    DemoModel("document-intelligence", "claim-form-parser", "low", "extractor", 3, "upgraded", "Turns scanned claim forms into structured claims."),
    DemoModel("ml-platform", "feature-drift-detector", "low", "classifier", 3, "live", "Flags features whose live distribution drifted from training."),
    DemoModel("ml-platform", "embedding-service", "low", "ranker", 4, "approved", "Sentence embeddings shared by search and support models."),
    DemoModel("ml-platform", "serving-anomaly-monitor", "low", "classifier", 2, "withdrawn", "Detects anomalous latency and error patterns in model serving."),
    DemoModel("search-ranking", "site-search-ltr", "low", "ranker", 6, "upgraded", "Learning-to-rank for the public website search."),
    DemoModel("search-ranking", "query-autocomplete", "low", "ranker", 3, "awaiting", "Completes search queries as customers type."),
    DemoModel("search-ranking", "faq-retrieval", "low", "ranker", 2, "staging_only", "Retrieves help articles for the chat assistant."),
    DemoModel("forecasting", "cash-demand-forecast", "medium", "forecaster", 4, "live", "Daily cash demand per branch and ATM."),
    DemoModel("forecasting", "call-volume-forecast", "medium", "forecaster", 3, "overdue", "Half-hourly contact-centre call volumes for staffing."),
    DemoModel("forecasting", "atm-replenishment", "medium", "forecaster", 3, "approved", "Replenishment amounts per ATM for the cash-in-transit schedule."),
    DemoModel("forecasting", "branch-footfall", "low", "forecaster", 2, "rejected", "Weekly branch footfall for opening-hours planning."),
    DemoModel("customer-support-nlp", "ticket-router", "medium", "classifier", 4, "live", "Routes support emails to the right queue."),
    DemoModel("customer-support-nlp", "intent-classifier", "low", "classifier", 3, "live", "Intent of chat messages, for the assistant's first reply."),
    DemoModel("customer-support-nlp", "complaint-sentiment", "low", "classifier", 2, "staging_only", "Sentiment of complaint letters for the weekly conduct report."),
    DemoModel("customer-support-nlp", "reply-suggester", "high", "generator", 3, "awaiting", "Drafts replies for agents from the knowledge base (agent reviews every reply)."),
]
# fmt: on

APPLIED, APPROVED, OPEN, PARTIAL = "applied", "approved", "open", "partial"
REJECTED, WITHDRAWN, EXPIRED, BREAK_GLASS = (
    "rejected",
    "withdrawn",
    "expired",
    "break_glass",
)


def _steps(story: str, n: int) -> list[tuple[int, str, str]]:
    """(version, target, outcome) in order, for a model with versions 1..n."""
    held = [(n - 1, "staging", APPLIED), (n - 1, "production", APPLIED)]
    return {
        "live": [*held, (n, "staging", APPLIED)],
        "upgraded": [
            (1, "production", APPLIED),
            (n, "staging", APPLIED),
            (n, "production", APPLIED),
        ],
        "staging_only": [(n, "staging", APPLIED)],
        "awaiting": [*held, (n, "production", OPEN)],
        "partial": [*held, (n, "production", PARTIAL)],
        "approved": [(n, "staging", APPLIED), (n, "production", APPROVED)],
        "rejected": [*held, (n, "production", REJECTED)],
        "withdrawn": [*held, (n, "staging", WITHDRAWN)],
        "expired": [*held, (n, "production", EXPIRED)],
        "break_glass": [*held, (n, "production", BREAK_GLASS)],
        "overdue": [(n, "staging", APPLIED), (n, "production", APPLIED)],
        "draft": [],
    }[story]


@dataclass
class People:
    approvers: list[User]
    risk_officers: list[User]
    leads: dict[int, User]
    members: dict[int, User]
    logins: list[DemoLogin] = field(default_factory=list)


@dataclass
class Pending:
    """Rows this run created for the sweeps to move, so they touch nothing else."""

    to_expire: set[int] = field(default_factory=set)
    to_flag: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class RegistrySeed:
    models_created: int
    expired: int
    revalidations_overdue: int
    logins: list[DemoLogin]


# --- People -------------------------------------------------------------------------


def _extra_people(organization: Organization) -> list[DemoLogin]:
    logins = []
    for username, first, last, role in EXTRA_PEOPLE:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = accounts_services.user_create(
                organization=organization,
                username=username,
                email=f"{username}@acme.example",
                password_hash=make_password(DEMO_PASSWORD),
                first_name=first,
                last_name=last,
            )
        if not Membership.objects.filter(user=user, role=role, team=None).exists():
            accounts_services.membership_grant(user=user, role=role)
        logins.append(DemoLogin(username, Role(role).label))
    return logins


def _people(organization: Organization) -> People:
    logins = _extra_people(organization)
    by_role: dict[str, list[User]] = {}
    leads: dict[int, User] = {}
    members: dict[int, User] = {}
    memberships = Membership.objects.filter(organization=organization).select_related(
        "user"
    )
    for m in memberships.order_by("user__username"):
        if m.team_id is None:
            by_role.setdefault(m.role, []).append(m.user)
        elif m.role == Role.TEAM_LEAD:
            leads.setdefault(m.team_id, m.user)
        elif m.role == Role.TEAM_MEMBER:
            members.setdefault(m.team_id, m.user)
    return People(
        approvers=by_role[Role.APPROVER],
        risk_officers=by_role[Role.RISK_OFFICER],
        leads=leads,
        members=members,
        logins=logins,
    )


def _deciders(people: People, snapshot: dict, turn: int) -> list[User]:
    """Enough distinct approvers for the policy, a risk officer first when it needs one."""
    a, r = people.approvers, people.risk_officers
    if "risk_officer" in snapshot["required_roles"]:
        ordered = [r[turn % len(r)], *a[turn % 2 :], *a[: turn % 2]]
    else:
        ordered = [*a[turn % 2 :], *a[: turn % 2], r[turn % len(r)]]
    return ordered[: snapshot["required_approvals"]]


# --- Versions -----------------------------------------------------------------------


def _hex(*parts: object, length: int = 64) -> str:
    return hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:length]


def _metrics(kind: str, n: int, rng: random.Random) -> dict[str, float]:
    gain = 0.008 * n + rng.uniform(-0.004, 0.004)
    if kind == "classifier":
        auc = 0.74 + rng.uniform(0, 0.1) + gain
        return {
            "auc": round(auc, 3),
            "precision": round(auc - 0.12, 3),
            "recall": round(auc - 0.2, 3),
        }
    if kind == "regressor":
        return {
            "gini": round(0.38 + gain + rng.uniform(0, 0.1), 3),
            "rmse": round(1480 - 40 * n + rng.uniform(-20, 20), 1),
        }
    if kind == "ranker":
        return {"ndcg_at_10": round(0.61 + gain, 3), "mrr": round(0.52 + gain, 3)}
    if kind == "forecaster":
        return {
            "mape": round(0.14 - gain / 2, 3),
            "bias": round(rng.uniform(-0.02, 0.02), 3),
        }
    if kind == "extractor":
        return {"field_f1": round(0.88 + gain, 3), "exact_match": round(0.79 + gain, 3)}
    return {
        "groundedness": round(0.86 + gain, 3),
        "toxicity_rate": round(0.004 - gain / 10, 4),
    }


def _content(spec: DemoModel, n: int) -> dict:
    rng = random.Random(f"tollgate-registry-{spec.name}-{n}")  # noqa: S311 (demo data)
    snapshot = (date(2025, 1, 31) + timedelta(days=61 * n)).isoformat()
    lake = f"s3://acme-lake/{spec.team}/{spec.name.split('-')[0]}"
    metrics = _metrics(spec.kind, n, rng)
    return {
        "source_uri": f"s3://acme-models/{spec.team}/{spec.name}/{n}/",
        "artifact_sha256": _hex(spec.name, n, "artifact"),
        "code_commit": _hex(spec.name, n, "commit", length=40),
        "repository": f"https://git.acme.example/{spec.team}/{spec.name}",
        "run_ref": f"mlflow:runs/{_hex(spec.name, n, 'run', length=32)}",
        "dataset_refs": [
            f"{lake}/training@{snapshot}",
            f"{lake}/out-of-time@{snapshot}",
        ],
        "metrics": metrics,
        "model_card": {
            "intended_use": spec.purpose,
            "out_of_scope": "Any decision outside the use above.",
            "training_data": f"{lake}/training@{snapshot}",
            "evaluation": f"Out-of-time sample to {snapshot}: {metrics}",
            "limitations": "Retrain when monitored drift exceeds the agreed threshold.",
            "risk_tier": spec.tier,
        },
    }


def _versions(spec: DemoModel, model: RegisteredModel, lead: User, member: User):
    versions = []
    for n in range(1, spec.versions + 1):
        version = services.version_create(
            model=model, created_by=lead, authors=[member.pk], **_content(spec, n)
        )
        if spec.story != "draft" or n < spec.versions:
            version = services.version_submit(version=version, submitted_by=lead)
        versions.append(version)
    return versions


# --- Evidence -----------------------------------------------------------------------

# Critical models had their first fairness test sent back, and replaced.
REWORK = ("fairness_test", "Omits applicants under 25; rerun with the full age bands.")


def _evidence(
    version: ModelVersion, snapshot: dict, people: People, *, complete: bool
) -> None:
    """Accepted evidence for every mandatory requirement the version lacks; with
    `complete` False the last one stays submitted, awaiting review."""
    have = set(
        version.evidence.filter(status="accepted").values_list(
            "requirement_key", flat=True
        )
    )
    needed = [
        r for r in snapshot["requirements"] if r["mandatory"] and r["key"] not in have
    ]
    for i, requirement in enumerate(needed):
        reviewer = people.risk_officers[-1] if i % 2 else people.approvers[-1]
        item = _evidence_item(version, requirement, people, reviewer)
        if complete or i < len(needed) - 1:
            services.evidence_review(item=item, reviewed_by=reviewer, accept=True)


def _evidence_item(
    version: ModelVersion, requirement: dict, people: People, reviewer: User
) -> EvidenceItem:
    key = requirement["key"]
    member = people.members[version.model.team_id]
    url = f"https://docs.acme.example/{version.model.name}/v{version.version}/{key}"
    add = functools.partial(
        services.evidence_add,
        version=version,
        requirement_key=key,
        kind=requirement["kind"],
        submitted_by=member,
    )
    replaced = None
    if key == REWORK[0] and version.model.risk_tier == "critical":
        replaced = services.evidence_review(
            item=add(url=f"{url}-draft"),
            reviewed_by=reviewer,
            accept=False,
            comment=REWORK[1],
        )
    return add(url=url, note=requirement["description"], supersedes=replaced)


# --- Requests -----------------------------------------------------------------------


def _justification(version: ModelVersion, target: str) -> str:
    metric, value = next(iter(version.metrics.items()))
    return (
        f"v{version.version} to {target}: {metric} {value} on the out-of-time "
        f"sample, lineage complete, evidence attached."
    )


def _approvals(outcome: str, snapshot: dict, people: People, turn: int) -> list[User]:
    """Who approves before the request reaches its outcome."""
    quorum = _deciders(people, snapshot, turn)
    if outcome in (APPLIED, APPROVED, EXPIRED):
        return quorum
    if outcome == PARTIAL:
        return quorum[:-1]
    if outcome == OPEN or len(quorum) == 1:
        return []
    # Rejected, withdrawn or glass broken after one approver had said yes.
    return [people.approvers[turn % 2]]


def _promote(
    version: ModelVersion, target: str, outcome: str, people: People, turn: int
) -> PromotionRequest:
    lead = people.leads[version.model.team_id]
    request = promotion.promotion_open(
        version=version,
        target=target,
        requested_by=lead,
        justification=_justification(version, target),
    )
    snapshot = request.policy_snapshot
    _evidence(version, snapshot, people, complete=outcome not in (OPEN, BREAK_GLASS))
    for person in _approvals(outcome, snapshot, people, turn):
        request = promotion.promotion_decide(
            request=request, approver=person, approve=True
        )
    if outcome == APPLIED:
        return promotion.promotion_apply(request=request, applied_by=lead)
    if outcome == REJECTED:
        return _reject(request, people, turn)
    if outcome == WITHDRAWN:
        return promotion.promotion_withdraw(
            request=request,
            withdrawn_by=lead,
            reason="Found target leakage in a tenure feature; fixing it first.",
        )
    if outcome == EXPIRED:
        services.comment_add(
            author=lead,
            request=request,
            body="Change freeze over the quarter-end close; applying after it.",
        )
    if outcome == BREAK_GLASS:
        return _break_glass(request, people)
    return request


def _reject(request: PromotionRequest, people: People, turn: int) -> PromotionRequest:
    request = promotion.promotion_decide(
        request=request,
        approver=people.risk_officers[turn % 2],
        approve=False,
        comment="The out-of-time sample predates the 2025 portfolio change; "
        "validate on recent data before this goes live.",
    )
    services.comment_add(
        author=people.leads[request.version.model.team_id],
        request=request,
        body="Agreed. Retraining on data to the latest quarter; a new version follows.",
    )
    return request


def _break_glass(request: PromotionRequest, people: People) -> PromotionRequest:
    """A risk officer applies alone; both approvers then ratify, and the retrospective
    waits for the other risk officer its policy needs."""
    request = promotion.promotion_apply(
        request=request,
        applied_by=people.risk_officers[0],
        break_glass=True,
        reason="A new card-testing attack pattern; the champion misses 40% of it.",
    )
    retrospective = PromotionRequest.objects.get(retrospective_of=request)
    for person in people.approvers:
        retrospective = promotion.promotion_decide(
            request=retrospective, approver=person, approve=True
        )
    return request


@transaction.atomic
def _seed_model(
    spec: DemoModel, index: int, team: Team, people: People, pending: Pending
) -> None:
    lead, member = people.leads[team.pk], people.members[team.pk]
    model = services.model_create(
        team=team,
        name=spec.name,
        risk_tier=spec.tier,
        owner=lead,
        created_by=lead,
        purpose=spec.purpose,
    )
    versions = _versions(spec, model, lead, member)
    for step, (n, target, outcome) in enumerate(_steps(spec.story, spec.versions)):
        request = _promote(versions[n - 1], target, outcome, people, index + step)
        if outcome == EXPIRED:
            pending.to_expire.add(request.pk)
    if spec.story == "overdue":
        version = services.version_revalidate(
            version=versions[-1],
            revalidated_by=people.risk_officers[0],
            note="Revalidated on condition: back-test against the July contact-centre "
            f"outage within {CONDITIONAL_REVALIDATION_DAYS} days.",
            interval_days=CONDITIONAL_REVALIDATION_DAYS,
        )
        pending.to_flag.add(version.pk)


# --- Sweeps and entry point -----------------------------------------------------------


def _sweep(pending: Pending) -> tuple[int, int]:
    """Run the daily sweeps as of SWEEP_AHEAD, each only if it would move exactly
    the rows this run made for it."""
    as_of = timezone.now() + SWEEP_AHEAD
    expired = flagged = 0
    stale = set(selectors.stale_approved_request_ids(now=as_of))
    if pending.to_expire and stale == pending.to_expire:
        expired = promotion.expire_stale_approvals(now=as_of)
    elif pending.to_expire:
        logger.warning("demo: not expiring requests %s: others are due", stale)
    overdue = set(selectors.newly_overdue_version_ids(today=as_of.date()))
    if pending.to_flag and overdue == pending.to_flag:
        flagged = promotion.mark_overdue_revalidations(today=as_of.date())
    elif pending.to_flag:
        logger.warning("demo: not flagging versions %s: others are due", overdue)
    return expired, flagged


def seed_demo_registry(*, organization: Organization) -> RegistrySeed:
    """Create the demo models that are missing, with their history (idempotent)."""
    with transaction.atomic():
        people = _people(organization)
    services.policy_defaults_install(organization=organization)
    teams = {team.slug: team for team in organization.teams.all()}
    existing = set(
        RegisteredModel.objects.filter(organization=organization).values_list(
            "name", flat=True
        )
    )
    pending = Pending()
    created = 0
    for index, spec in enumerate(CATALOGUE):
        if spec.name not in existing:
            _seed_model(spec, index, teams[spec.team], people, pending)
            created += 1
    expired, flagged = _sweep(pending)
    return RegistrySeed(created, expired, flagged, people.logins)
