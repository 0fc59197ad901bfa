"""Reads of linked repositories and their signals. Org readers (and approvers, risk
officers, who judge promotions by these signals) see every repository of the
organisation; team members see their teams'."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from apps.accounts.models import Role, Team, User
from apps.accounts.selectors import user_roles, visible_team_ids
from apps.repos import policies
from apps.repos.models import CIRun, LinkedRepo, Scan, Signal

# Strongest first: the order a team's signal takes its strength from its repositories.
STRENGTH_ORDER = [
    Signal.Strength.RUNNING,
    Signal.Strength.WIRED,
    Signal.Strength.DECLARED,
    "",
]


def _reads_every_repo(user: User) -> bool:
    roles = user_roles(user=user)
    return roles.reads_whole_org or roles.has_org_role(Role.APPROVER, Role.RISK_OFFICER)


def visible_repos(*, user: User) -> QuerySet[LinkedRepo]:
    if not user.is_authenticated or not user.organization_id:
        return LinkedRepo.objects.none()
    repos = LinkedRepo.objects.filter(organization_id=user.organization_id)
    if not _reads_every_repo(user):
        repos = repos.filter(team__in=visible_team_ids(user=user))
    return repos


def _latest_scan_of(status: str | None = None) -> Subquery:
    scans = Scan.objects.filter(repo=OuterRef("pk"))
    if status:
        scans = scans.filter(status=status)
    return Subquery(scans.order_by("-created_at", "-pk").values("pk")[:1])


def repo_list(*, fetched_by: User, team: int | None = None) -> QuerySet[LinkedRepo]:
    """Visible repositories with their team and `latest_scan` (the newest scan, of any
    status), in two queries."""
    repos = visible_repos(user=fetched_by).select_related("team")
    if team is not None:
        repos = repos.filter(team_id=team)
    repos = repos.annotate(latest_scan_id=_latest_scan_of())
    return repos.prefetch_related(
        Prefetch(
            "scans",
            queryset=Scan.objects.filter(
                pk__in=Subquery(repos.values("latest_scan_id"))
            ),
            to_attr="latest_scans",
        )
    )


def repo_detail(*, fetched_by: User, repo_id: int) -> LinkedRepo | None:
    """One visible repository as repo_list shows it (`latest_scans` holds its newest
    scan, or nothing), in two queries."""
    repo = (
        visible_repos(user=fetched_by).select_related("team").filter(pk=repo_id).first()
    )
    if repo is not None:
        repo.latest_scans = list(
            Scan.objects.filter(repo=repo).order_by("-created_at", "-pk")[:1]
        )
    return repo


def repo_get(*, fetched_by: User, repo_id: int) -> LinkedRepo | None:
    return (
        visible_repos(user=fetched_by)
        .select_related("team", "organization", "created_by")
        .filter(pk=repo_id)
        .first()
    )


def teams_for_linking(*, user: User) -> list[Team]:
    """Teams the user may link repositories to: the organisation's teams (one query),
    judged by the policy on the roles read once per request."""
    if not user.is_authenticated or not user.organization_id:
        return []
    teams = Team.objects.filter(organization_id=user.organization_id).order_by("name")
    return [team for team in teams if policies.can_manage_repos(user, team)]


def scan_list(*, repo: LinkedRepo) -> QuerySet[Scan]:
    return Scan.objects.filter(repo=repo).select_related("requested_by")


def scan_latest(*, repo: LinkedRepo, succeeded: bool = False) -> Scan | None:
    scans = Scan.objects.filter(repo=repo)
    if succeeded:
        scans = scans.filter(status=Scan.Status.SUCCEEDED)
    return scans.order_by("-created_at", "-pk").first()


def scan_get(*, fetched_by: User, scan_id: int) -> Scan | None:
    return (
        Scan.objects.filter(repo__in=visible_repos(user=fetched_by), pk=scan_id)
        .select_related("repo")
        .first()
    )


def signal_list(*, scan: Scan) -> QuerySet[Signal]:
    return Signal.objects.filter(scan=scan).order_by("key", "source")


def ci_run_list(
    *, repo: LinkedRepo, event: str | None = None, conclusion: str | None = None
) -> QuerySet[CIRun]:
    runs = CIRun.objects.filter(repo=repo)
    if event:
        runs = runs.filter(event=event)
    if conclusion:
        runs = runs.filter(conclusion=conclusion)
    return runs


def signal_team_get(*, fetched_by: User, team_id: int) -> Team | None:
    """A team whose repositories and signals the user reads (visible_repos' rule)."""
    if not fetched_by.is_authenticated or not fetched_by.organization_id:
        return None
    teams = Team.objects.filter(organization_id=fetched_by.organization_id)
    if not _reads_every_repo(fetched_by):
        teams = teams.filter(pk__in=visible_team_ids(user=fetched_by))
    return teams.filter(pk=team_id).first()


# --- Signals of a team ----------------------------------------------------------------


@dataclass(frozen=True)
class TeamSignal:
    """One key across a team's repositories: it holds if any repository shows it."""

    key: str
    value: bool
    strength: str
    observed_at: datetime
    stale: bool
    evidence: list[tuple[str, str]] = field(default_factory=list)  # (repo, item)
    # Each repository's observation: {repo, commit, observed_at, value, evidence}.
    sources: list[dict] = field(default_factory=list)


def current_signals(repos: QuerySet[LinkedRepo]) -> QuerySet[Signal]:
    """The signals of each repository's latest successful scan."""
    return Signal.objects.filter(
        repo__in=repos,
        scan_id__in=Subquery(
            repos.annotate(done=_latest_scan_of(Scan.Status.SUCCEEDED)).values("done")
        ),
    ).select_related("repo")


def team_signals(*, team: Team, now: datetime) -> dict[str, TeamSignal]:
    """Signal key → what the team's enabled repositories say, from each one's latest
    successful scan (one query). A signal observed before the freshness window
    (REPOS_SIGNAL_FRESHNESS_DAYS) is stale."""
    repos = LinkedRepo.objects.filter(team=team, enabled=True)
    horizon = now - timedelta(days=settings.REPOS_SIGNAL_FRESHNESS_DAYS)
    by_key: dict[str, list[Signal]] = {}
    for signal in current_signals(repos):
        by_key.setdefault(signal.key, []).append(signal)
    found = {}
    for key, signals in by_key.items():
        holding = [s for s in signals if s.value]
        chosen = holding or signals
        best = min(
            chosen,
            key=lambda s: (
                STRENGTH_ORDER.index(s.strength),
                -s.observed_at.timestamp(),
            ),
        )
        found[key] = TeamSignal(
            key=key,
            value=bool(holding),
            strength=best.strength,
            observed_at=max(s.observed_at for s in chosen),
            stale=max(s.observed_at for s in chosen) < horizon,
            evidence=[(s.repo.name, item) for s in holding for item in s.evidence][:20],
            sources=[
                {
                    "repo": s.repo.name,
                    "commit": s.commit,
                    "observed_at": s.observed_at.isoformat(),
                    "value": s.value,
                    "evidence": list(s.evidence)[:20],
                }
                for s in sorted(signals, key=lambda s: s.repo.name)
            ],
        )
    return found


def commit_ci_green(*, team_id: int, commit: str) -> bool | None:
    """Did CI pass on this commit in the team's repositories? True when every
    finished run's latest attempt on it succeeded, False when one did not, None when
    no finished run is known (a commit given by its prefix matches too)."""
    if len(commit) < 7:
        return None
    runs = CIRun.objects.filter(
        repo__team_id=team_id,
        repo__enabled=True,
        head_sha__startswith=commit.lower(),
        status="completed",
    ).values_list("provider_run_id", "workflow", "attempt", "conclusion")
    latest: dict[tuple[str, str], tuple[int, str]] = {}
    for run_id, workflow, attempt, conclusion in runs:
        if (run_id, workflow) not in latest or attempt > latest[(run_id, workflow)][0]:
            latest[(run_id, workflow)] = (attempt, conclusion)
    decided = [
        c for _, c in latest.values() if c not in ("cancelled", "skipped", "neutral")
    ]
    if not decided:
        return None
    return all(c == "success" for c in decided)
