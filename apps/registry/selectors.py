"""Reads of the registry. Row visibility: org readers, approvers and risk officers see
every model of the organisation; team members see their teams' models."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import (
    Case,
    CharField,
    Exists,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.accounts.models import Organization, Role, Team, User
from apps.accounts.selectors import user_roles, visible_team_ids
from apps.registry import gates, policies
from apps.registry.models import (
    Alias,
    Comment,
    Decision,
    EvidenceItem,
    EvidenceRequirement,
    Finding,
    MlflowConnection,
    ModelVersion,
    PromotionPolicy,
    PromotionRequest,
    RegisteredModel,
)


def _reads_whole_registry(user: User) -> bool:
    roles = user_roles(user=user)
    return roles.reads_whole_org or roles.has_org_role(Role.APPROVER, Role.RISK_OFFICER)


def visible_models(*, user: User) -> QuerySet[RegisteredModel]:
    if not user.is_authenticated or not user.organization_id:
        return RegisteredModel.objects.none()
    models = RegisteredModel.objects.filter(organization_id=user.organization_id)
    if not _reads_whole_registry(user):
        models = models.filter(team__in=visible_team_ids(user=user))
    return models


# --- One-row reads for hot paths ---------------------------------------------------
# visible_models() filters through nested subqueries, and building them costs more CPU
# than the database spends on a one-row read. model_get and alias_get judge the same
# rule in Python from the caller's roles (one query per request, cached on the user),
# so the row comes back in one flat query: about a third less CPU per read by alias
# (bench/registry.py). tests/registry/test_selectors_reads.py holds them to
# visible_models' answers.


def sees_model(user: User, *, organization_id: int, team_id: int) -> bool:
    """visible_models' rule for one model, from the user's roles."""
    if not user.is_authenticated or user.organization_id != organization_id:
        return False
    return _reads_whole_registry(user) or team_id in user_roles(user=user).team_roles


def _only_row(queryset: QuerySet):
    # The filter names at most one row: no ORDER BY to build or run.
    return next(iter(queryset.order_by()[:1]), None)


# --- Models ---------------------------------------------------------------------------


# A live version whose revalidation falls within this many days is "due soon".
DUE_SOON_DAYS = 30


def _with_revalidation_state(models: QuerySet[RegisteredModel]) -> QuerySet:
    """Annotate `revalidation_state` (overdue | due_soon | ok) and `next_revalidation`
    (the earliest due date). Only live versions count: a superseded version's date is
    history, not a duty."""
    live = ModelVersion.objects.filter(
        model=OuterRef("pk"), status=ModelVersion.Status.ACTIVE
    )
    overdue = ModelVersion.objects.filter(
        model=OuterRef("pk"), revalidation_overdue_since__isnull=False
    )
    soon = date.fromordinal(date.today().toordinal() + DUE_SOON_DAYS)
    due_soon = live.filter(revalidation_due__lte=soon)
    next_due = live.filter(revalidation_due__isnull=False).order_by("revalidation_due")
    return models.annotate(
        revalidation_state=Case(
            When(Exists(overdue), then=Value("overdue")),
            When(Exists(due_soon), then=Value("due_soon")),
            default=Value("ok"),
            output_field=CharField(),
        ),
        next_revalidation=Subquery(next_due.values("revalidation_due")[:1]),
    )


def model_list(
    *,
    fetched_by: User,
    team: int | None = None,
    risk_tier: str | None = None,
    alias: str | None = None,
    revalidation: str | None = None,
    q: str | None = None,
) -> QuerySet[RegisteredModel]:
    """Models with team, owner and aliases loaded. `revalidation`: overdue | due_soon | ok."""
    models = visible_models(user=fetched_by).select_related("team", "owner")
    if team:
        models = models.filter(team_id=team)
    if risk_tier:
        models = models.filter(risk_tier=risk_tier)
    if alias:
        models = models.filter(aliases__name=alias)
    if q:
        models = models.filter(Q(name__icontains=q) | Q(purpose__icontains=q))
    models = _with_revalidation_state(models)
    if revalidation:
        models = models.filter(revalidation_state=revalidation)
    return (
        models.order_by("name", "pk")
        .prefetch_related(
            Prefetch("aliases", queryset=Alias.objects.select_related("version"))
        )
        .distinct()
    )


def model_get(*, fetched_by: User, model_id: int) -> RegisteredModel | None:
    """One visible model with its team, owner and organisation, in one flat query."""
    model = _only_row(
        RegisteredModel.objects.filter(pk=model_id).select_related(
            "team", "owner", "organization"
        )
    )
    if model is None or not sees_model(
        fetched_by, organization_id=model.organization_id, team_id=model.team_id
    ):
        return None
    return model


def overdue_versions_of(*, model: RegisteredModel) -> list[ModelVersion]:
    return list(
        ModelVersion.objects.filter(
            model=model, revalidation_overdue_since__isnull=False
        ).order_by("version")
    )


# --- Versions -------------------------------------------------------------------------


def version_list(
    *,
    fetched_by: User,
    model: int | None = None,
    status: str | None = None,
    code_commit: str | None = None,
    artifact_sha256: str | None = None,
    alias: str | None = None,
    risk_tier: str | None = None,
    team: int | None = None,
) -> QuerySet[ModelVersion]:
    """Versions across the visible registry (the search endpoint), newest first."""
    versions = ModelVersion.objects.filter(
        model__in=visible_models(user=fetched_by)
    ).select_related("model")
    if model:
        versions = versions.filter(model_id=model)
    if status:
        versions = versions.filter(status=status)
    if code_commit:
        versions = versions.filter(code_commit__startswith=code_commit)
    if artifact_sha256:
        versions = versions.filter(artifact_sha256=artifact_sha256)
    if alias:
        versions = versions.filter(aliases__name=alias)
    if risk_tier:
        versions = versions.filter(model__risk_tier=risk_tier)
    if team:
        versions = versions.filter(model__team_id=team)
    return versions.prefetch_related("aliases")


def version_get(*, fetched_by: User, version_id: int) -> ModelVersion | None:
    return (
        ModelVersion.objects.filter(model__in=visible_models(user=fetched_by))
        .select_related("model__team", "model__organization", "created_by")
        .prefetch_related("aliases")
        .filter(pk=version_id)
        .first()
    )


def version_by_alias(
    *, fetched_by: User, model_id: int, alias: str
) -> ModelVersion | None:
    """The version an alias points at (what a serving system asks for)."""
    return (
        ModelVersion.objects.filter(
            model__in=visible_models(user=fetched_by),
            model_id=model_id,
            aliases__name=alias,
        )
        .select_related("model")
        .prefetch_related("aliases")
        .first()
    )


def version_evidence(*, version: ModelVersion) -> QuerySet[EvidenceItem]:
    return EvidenceItem.objects.filter(version=version).select_related(
        "submitted_by", "reviewed_by"
    )


def evidence_get(*, fetched_by: User, item_id: int) -> EvidenceItem | None:
    return (
        EvidenceItem.objects.filter(version__model__in=visible_models(user=fetched_by))
        .select_related("version__model__organization", "submitted_by")
        .filter(pk=item_id)
        .first()
    )


def _current_accepted(version: ModelVersion) -> list[gates.EvidenceFact]:
    """Accepted evidence not replaced by a newer item."""
    rows = (
        EvidenceItem.objects.filter(
            version=version, status=EvidenceItem.Status.ACCEPTED
        )
        .exclude(Exists(EvidenceItem.objects.filter(supersedes=OuterRef("pk"))))
        .values_list("requirement_key", "pk", "sha256", "url")
    )
    return [
        gates.EvidenceFact(key=key, item_id=pk, content=sha or url)
        for key, pk, sha, url in rows
    ]


def version_evidence_digest(*, version: ModelVersion) -> str:
    return gates.evidence_digest(_current_accepted(version))


def version_signal_facts(*, version: ModelVersion) -> dict[str, bool | None]:
    """What the repository signals say about the version, for the promotion gate:
    `ci_green` from the CI runs on its code commit in its team's repositories,
    `monitoring` from the team's monitoring signal while it is fresh. None where
    nothing is known: a policy requiring it cannot be met."""
    from apps.repos.selectors import commit_ci_green, team_signals

    team = version.model.team
    monitoring = team_signals(team=team, now=timezone.now()).get("monitoring")
    return {
        "ci_green": commit_ci_green(team_id=team.pk, commit=version.code_commit)
        if version.code_commit
        else None,
        "monitoring": None
        if monitoring is None or monitoring.stale
        else monitoring.value,
    }


# --- Requests -------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestFacts:
    decisions: list[gates.DecisionFact]
    accepted: list[gates.EvidenceFact]
    signals: dict[str, bool | None]


def request_facts(*, request: PromotionRequest) -> RequestFacts:
    """Everything the approval gate needs to judge a request, read in three queries."""
    decisions = [
        gates.DecisionFact(
            approver_id=d.approver_id,
            outcome=d.outcome,
            roles=d.roles,
            evidence_digest=d.evidence_digest,
            decided_at=d.decided_at,
        )
        for d in Decision.objects.filter(request=request)
    ]
    return RequestFacts(
        decisions=decisions,
        accepted=_current_accepted(request.version),
        signals=version_signal_facts(version=request.version),
    )


def request_readiness(*, request: PromotionRequest, now: datetime) -> gates.Readiness:
    facts = request_facts(request=request)
    return gates.readiness(
        policy=request.policy_snapshot,
        decisions=facts.decisions,
        accepted=facts.accepted,
        signals=facts.signals,
        now=now,
    )


def request_list(
    *,
    fetched_by: User,
    status: str | None = None,
    model: int | None = None,
    target: str | None = None,
    awaiting_me: bool = False,
) -> QuerySet[PromotionRequest]:
    requests = PromotionRequest.objects.filter(
        version__model__in=visible_models(user=fetched_by)
    ).select_related("version__model", "requested_by")
    if status:
        requests = requests.filter(status=status)
    if model:
        requests = requests.filter(version__model_id=model)
    if target:
        requests = requests.filter(target=target)
    if awaiting_me:
        requests = requests.filter(status=PromotionRequest.Status.OPEN).exclude(
            Q(decisions__approver=fetched_by)
            | Q(requested_by=fetched_by)
            | Q(on_behalf_of=fetched_by)
        )
    return requests


def request_get(*, fetched_by: User, request_id: int) -> PromotionRequest | None:
    return (
        PromotionRequest.objects.filter(
            version__model__in=visible_models(user=fetched_by)
        )
        .select_related(
            "version__model__team",
            "version__model__organization",
            "requested_by",
            "on_behalf_of",
            "applied_by",
            "policy",
        )
        .prefetch_related(
            Prefetch("decisions", queryset=Decision.objects.select_related("approver")),
            Prefetch(
                "comments",
                queryset=Comment.objects.select_related("author").order_by(
                    "created_at"
                ),
            ),
        )
        .filter(pk=request_id)
        .first()
    )


# --- Policies, findings, connections ----------------------------------------------------


def policy_list(
    *, fetched_by: User, current_only: bool = True
) -> QuerySet[PromotionPolicy]:
    if not fetched_by.organization_id:
        return PromotionPolicy.objects.none()
    policies = PromotionPolicy.objects.filter(
        organization_id=fetched_by.organization_id
    ).prefetch_related("requirements")
    if current_only:
        newer = PromotionPolicy.objects.filter(
            organization_id=OuterRef("organization_id"),
            risk_tier=OuterRef("risk_tier"),
            target=OuterRef("target"),
            version__gt=OuterRef("version"),
        )
        policies = policies.exclude(Exists(newer))
    return policies.order_by("target", "risk_tier", "-version")


def finding_list(*, fetched_by: User, status: str | None = None) -> QuerySet[Finding]:
    findings = Finding.objects.filter(
        model__in=visible_models(user=fetched_by)
    ).select_related("model")
    if status:
        findings = findings.filter(status=status)
    return findings


def mlflow_connection_for(*, organization: Organization) -> MlflowConnection | None:
    return MlflowConnection.objects.filter(
        organization=organization, enabled=True
    ).first()


# --- Sweeps -----------------------------------------------------------------------------


def stale_approved_request_ids(*, now: datetime) -> list[int]:
    return list(
        PromotionRequest.objects.filter(
            status=PromotionRequest.Status.APPROVED, approved_until__lte=now
        ).values_list("pk", flat=True)
    )


def newly_overdue_version_ids(*, today: date) -> list[int]:
    return list(
        ModelVersion.objects.filter(
            revalidation_due__lt=today,
            revalidation_overdue_since__isnull=True,
            status=ModelVersion.Status.ACTIVE,
        ).values_list("pk", flat=True)
    )


def overdue_retrospective_ids(*, now: datetime) -> list[int]:
    return list(
        PromotionRequest.objects.filter(
            retrospective_of__isnull=False,
            status__in=PromotionRequest.IN_FLIGHT,
            retrospective_due__lte=now,
        ).values_list("pk", flat=True)
    )


# --- Pages ------------------------------------------------------------------------------


def model_filter_teams(*, fetched_by: User) -> QuerySet[Team]:
    """Teams owning a model the user can see: the choices of the list's team filter."""
    return Team.objects.filter(
        pk__in=visible_models(user=fetched_by).values("team_id")
    ).order_by("name")


def alias_names_in_use(*, fetched_by: User) -> list[str]:
    """Alias names set on any visible model, for the list's alias filter."""
    return list(
        Alias.objects.filter(model__in=visible_models(user=fetched_by))
        .order_by("name")
        .values_list("name", flat=True)
        .distinct()
    )


def _evidence_for_page() -> QuerySet[EvidenceItem]:
    replaced = EvidenceItem.objects.filter(supersedes=OuterRef("pk"))
    return (
        EvidenceItem.objects.select_related("submitted_by", "reviewed_by")
        .annotate(replaced=Exists(replaced))
        .order_by("requirement_key", "-created_at")
    )


def model_versions_with_history(*, model: RegisteredModel) -> list[ModelVersion]:
    """The model's versions, newest first, with their aliases, evidence (`replaced`
    when superseded) and promotion requests with decisions: five queries in all."""
    requests = (
        PromotionRequest.objects.select_related(
            "requested_by", "on_behalf_of", "applied_by"
        )
        .prefetch_related(
            Prefetch("decisions", queryset=Decision.objects.select_related("approver"))
        )
        .order_by("-opened_at", "-pk")
    )
    return list(
        ModelVersion.objects.filter(model=model)
        .select_related("created_by", "submitted_by")
        .prefetch_related(
            "aliases",
            Prefetch("evidence", queryset=_evidence_for_page()),
            Prefetch("promotion_requests", queryset=requests),
        )
        .order_by("-version")
    )


def model_aliases(*, model: RegisteredModel) -> QuerySet[Alias]:
    return Alias.objects.filter(model=model).select_related("version", "set_by")


def model_open_findings(*, model: RegisteredModel) -> QuerySet[Finding]:
    return Finding.objects.filter(model=model, status=Finding.Status.OPEN).order_by(
        "-created_at"
    )


def model_evidence_requirements(*, model: RegisteredModel) -> list[EvidenceRequirement]:
    """What the current policies for the model's tier ask for, over every target, one
    requirement per key (the first target's wording, by target name)."""
    newer = PromotionPolicy.objects.filter(
        organization_id=OuterRef("policy__organization_id"),
        risk_tier=OuterRef("policy__risk_tier"),
        target=OuterRef("policy__target"),
        version__gt=OuterRef("policy__version"),
    )
    rows = (
        EvidenceRequirement.objects.filter(
            policy__organization_id=model.organization_id,
            policy__risk_tier=model.risk_tier,
        )
        .exclude(Exists(newer))
        .order_by("key", "policy__target")
    )
    by_key: dict[str, EvidenceRequirement] = {}
    for requirement in rows:
        by_key.setdefault(requirement.key, requirement)
    return list(by_key.values())


def request_evidence(*, request: PromotionRequest) -> QuerySet[EvidenceItem]:
    """The evidence of the request's version, as the request page lists it."""
    return _evidence_for_page().filter(version_id=request.version_id)


def requests_awaiting_decision(*, fetched_by: User) -> QuerySet[PromotionRequest]:
    """Open requests the user could decide: none unless they hold a deciding role, and
    never their own requests or the review of a glass they broke."""
    if not policies.approver_roles(fetched_by):
        return PromotionRequest.objects.none()
    return request_list(fetched_by=fetched_by, awaiting_me=True).exclude(
        retrospective_of__applied_by=fetched_by
    )


# --- API reads ----------------------------------------------------------------------------


def _count(rows: QuerySet) -> Coalesce:
    """COUNT(*) of `rows` as a correlated subquery: one per model row, no GROUP BY."""
    counted = rows.order_by().annotate(n=Func("pk", function="COUNT")).values("n")
    return Coalesce(Subquery(counted[:1]), 0)


def model_detail(*, fetched_by: User, model_id: int) -> RegisteredModel | None:
    """One visible model with its aliases (and their versions) and the annotations
    `version_count`, `requests_in_flight` and `open_findings`."""
    return (
        visible_models(user=fetched_by)
        .select_related("team", "owner")
        .annotate(
            version_count=_count(ModelVersion.objects.filter(model=OuterRef("pk"))),
            requests_in_flight=_count(
                PromotionRequest.objects.filter(
                    version__model=OuterRef("pk"),
                    status__in=PromotionRequest.IN_FLIGHT,
                )
            ),
            open_findings=_count(
                Finding.objects.filter(model=OuterRef("pk"), status=Finding.Status.OPEN)
            ),
        )
        .prefetch_related(
            Prefetch("aliases", queryset=Alias.objects.select_related("version"))
        )
        .filter(pk=model_id)
        .first()
    )


def version_of_model(*, model: RegisteredModel, number: int) -> ModelVersion | None:
    """The model's version with that number (e.g. 3 for v3), or None."""
    return ModelVersion.objects.filter(model=model, version=number).first()


def alias_get(*, fetched_by: User, model_id: int, name: str) -> Alias | None:
    """A visible model's alias with its model and the version it points at, in one
    flat query: the read path a serving system polls."""
    # The id is filtered on the model's primary key, not on Alias.model_id: a pk
    # lookup matches nothing for an id beyond the column's range, where a foreign-key
    # lookup would overflow on SQLite.
    alias = _only_row(
        Alias.objects.filter(model__pk=model_id, name=name).select_related(
            "model", "version"
        )
    )
    if alias is None or not sees_model(
        fetched_by,
        organization_id=alias.model.organization_id,
        team_id=alias.model.team_id,
    ):
        return None
    return alias


def version_detail(*, fetched_by: User, version_id: int) -> ModelVersion | None:
    """One visible version with its aliases, evidence counts by status (annotations
    `evidence_<status>`), `author_users` (the authors, by username) and
    `accepted_requirements` (requirement keys with current accepted evidence)."""
    counts = {
        f"evidence_{status}": _count(
            EvidenceItem.objects.filter(version=OuterRef("pk"), status=status)
        )
        for status in EvidenceItem.Status.values
    }
    version = (
        ModelVersion.objects.filter(model__in=visible_models(user=fetched_by))
        .select_related("model__team", "created_by")
        .prefetch_related("aliases")
        .annotate(**counts)
        .filter(pk=version_id)
        .first()
    )
    if version is None:
        return None
    version.author_users = list(
        User.objects.filter(pk__in=version.authors).order_by("username")
    )
    version.accepted_requirements = sorted({f.key for f in _current_accepted(version)})
    return version


def version_detail_of_new(*, version: ModelVersion) -> ModelVersion:
    """version_detail for a version its creator has just made, without reading it
    back: it has no evidence and no aliases yet, so at most its other authors are read. Answers a create a third faster (bench/registry.py)."""
    for status in EvidenceItem.Status.values:
        setattr(version, f"evidence_{status}", 0)
    version.accepted_requirements = []
    creator = [version.created_by] if version.created_by_id in version.authors else []
    others = [pk for pk in version.authors if pk != version.created_by_id]
    version.author_users = sorted(
        [*creator, *(User.objects.filter(pk__in=others) if others else [])],
        key=lambda user: user.username,
    )
    # What prefetch_related would store, without the query: a new version has no
    # aliases (an alias moves only to a version that exists).
    aliases = version.aliases.none()
    aliases._result_cache, aliases._prefetch_done = [], True
    version._prefetched_objects_cache = {"aliases": aliases}
    return version


def request_detail(
    *, fetched_by: User, request_id: int, now: datetime
) -> PromotionRequest | None:
    """One visible request with its decisions and comments, its `readiness` under the
    policy snapshot, and on each decision `still_valid`: an approval counts while the
    evidence is unchanged and within the TTL; a reject always counts."""
    request = request_get(fetched_by=fetched_by, request_id=request_id)
    if request is None:
        return None
    request.readiness = request_readiness(request=request, now=now)
    digest = version_evidence_digest(version=request.version)
    ttl = request.policy_snapshot["approval_ttl_days"]
    for decision in request.decisions.all():
        fact = gates.DecisionFact(
            approver_id=decision.approver_id,
            outcome=decision.outcome,
            roles=decision.roles,
            evidence_digest=decision.evidence_digest,
            decided_at=decision.decided_at,
        )
        decision.still_valid = (
            decision.outcome == Decision.Outcome.REJECT
            or gates.approval_is_current(fact, digest=digest, ttl_days=ttl, now=now)
        )
    return request


def finding_get(*, fetched_by: User, finding_id: int) -> Finding | None:
    return finding_list(fetched_by=fetched_by).filter(pk=finding_id).first()


def mlflow_connection_get(*, fetched_by: User) -> MlflowConnection | None:
    """The fetcher's organisation's MLflow connection, enabled or not."""
    if not fetched_by.organization_id:
        return None
    return (
        MlflowConnection.objects.filter(organization_id=fetched_by.organization_id)
        .select_related("default_team", "configured_by")
        .first()
    )
