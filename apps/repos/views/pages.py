"""Linked repository pages: the list with the link form, one repository (latest scan,
signals with evidence, CI runs, scans) with the actions posted from it, and the scan
progress its page polls. Reads go through the selectors, writes through the services,
which stay the authority on who may do what."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.models import Team, User
from apps.core.exceptions import ApplicationError
from apps.core.views import show_refusal
from apps.repos import policies, selectors, services
from apps.repos.forms import RepoLinkForm, RepoSettingsForm
from apps.repos.models import CIRun, LinkedRepo, Provider, Scan, Signal
from apps.repos.views.display import history_facts, signal_groups

# How far back the repository page lists CI runs and scans.
RUNS_SHOWN = 50
SCANS_SHOWN = 20
LIVE = (Scan.Status.QUEUED, Scan.Status.RUNNING)

# What each provider's webhook sends that Tollgate reads (apps.repos.hooks.USED_EVENTS),
# in the words of the provider's settings page.
WEBHOOK_EVENTS = {
    Provider.GITHUB: ["Pushes", "Workflow runs", "Deployment statuses"],
    Provider.GITLAB: ["Push events", "Pipeline events", "Deployment events"],
}


def _repo_or_404(request: HttpRequest, repo_id: int) -> LinkedRepo:
    repo = selectors.repo_get(fetched_by=request.user, repo_id=repo_id)
    if repo is None:
        raise Http404("No such repository.")
    return repo


def _no_store(response: HttpResponse) -> HttpResponse:
    # A response that shows a webhook secret is never cached, not even by the browser.
    response["Cache-Control"] = "no-store"
    return response


def _webhook(request: HttpRequest, repo: LinkedRepo) -> dict | None:
    """Where the provider delivers events for the repository, and which ones."""
    if repo.provider not in WEBHOOK_EVENTS:
        return None
    return {
        "url": request.build_absolute_uri(reverse(f"hooks:{repo.provider}")),
        "events": WEBHOOK_EVENTS[repo.provider],
    }


# --- The list and linking -----------------------------------------------------------


def _link_form(user: User, teams: list[Team], data=None) -> RepoLinkForm:
    local_paths = any(settings.REPOS_LOCAL_ROOTS) and policies.can_link_local_path(user)
    return RepoLinkForm(data, teams=teams, local_paths=local_paths, auto_id="link_%s")


def _by_team(repos: list[LinkedRepo]) -> list[dict]:
    """[{team, rows: [(repo, latest scan or None)]}] by team name, then repo name."""
    groups: dict[int, dict] = {}
    for repo in sorted(repos, key=lambda r: (r.team.name, r.team_id)):
        group = groups.setdefault(repo.team_id, {"team": repo.team, "rows": []})
        latest = repo.latest_scans[0] if repo.latest_scans else None
        group["rows"].append((repo, latest))
    return list(groups.values())


def _render_list(
    request: HttpRequest,
    teams: list[Team],
    form: RepoLinkForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    groups = _by_team(list(selectors.repo_list(fetched_by=user)))
    chosen = request.GET.get("team", "")
    shown = [g for g in groups if str(g["team"].pk) == chosen] or groups
    context = {
        "groups": groups,
        "shown": shown,
        "team_filter": shown[0]["team"].pk if len(shown) < len(groups) else None,
        "form": (form or _link_form(user, teams)) if teams else None,
    }
    return render(request, "repos/repo_list.html", context, status=status)


@login_required
@require_GET
def repo_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request, selectors.teams_for_linking(user=request.user))


@login_required
@require_POST
def repo_link(request: HttpRequest) -> HttpResponse:
    user = request.user
    teams = selectors.teams_for_linking(user=user)
    if not teams:
        messages.error(request, "Your roles do not allow you to link repositories.")
        return _render_list(request, teams, status=403)
    form = _link_form(user, teams, request.POST)
    if not form.is_valid():
        return _render_list(request, teams, form, status=400)
    try:
        repo, secret = services.repo_link(linked_by=user, **form.link_arguments())
    except ApplicationError as exc:
        return _render_list(
            request, teams, form, status=show_refusal(request, exc, form)
        )
    # The secret is in this response only: no redirect, nothing kept in the session.
    context = {"repo": repo, "secret": secret, "webhook": _webhook(request, repo)}
    return _no_store(render(request, "repos/repo_linked.html", context))


# --- One repository -------------------------------------------------------------------


@dataclass
class RepoPage:
    """What the repository page shows, loaded once, so a refused action re-renders
    it with its message, its form's input, or a new secret shown once."""

    repo: LinkedRepo
    scans: list[Scan]
    shown: Scan | None  # the latest successful scan: the signals on the page
    signals: list[Signal]
    runs: list[CIRun]
    settings_form: RepoSettingsForm | None = None
    secret: str = ""

    @classmethod
    def load(cls, repo: LinkedRepo) -> RepoPage:
        shown = selectors.scan_latest(repo=repo, succeeded=True)
        return cls(
            repo=repo,
            scans=list(selectors.scan_list(repo=repo)[:SCANS_SHOWN]),
            shown=shown,
            signals=list(selectors.signal_list(scan=shown)) if shown else [],
            runs=list(selectors.ci_run_list(repo=repo)[:RUNS_SHOWN]),
        )

    def render(self, request: HttpRequest, status: int = 200) -> HttpResponse:
        user, repo = request.user, self.repo
        latest = self.scans[0] if self.scans else None
        groups = signal_groups(
            repo, self.signals, self.shown.commit if self.shown else ""
        )
        manages = policies.can_manage_repos(user, repo.team)
        context = {
            "repo": repo,
            "latest": latest,
            "live": latest if latest and latest.status in LIVE else None,
            "shown": self.shown,
            "static_signals": groups.static,
            "runtime_signals": groups.runtime,
            "history": history_facts(groups.history) if groups.history else None,
            "runs": self.runs,
            "runs_shown": RUNS_SHOWN,
            "scans": self.scans,
            "scans_shown": SCANS_SHOWN,
            "can_scan": policies.can_scan(user, repo.team),
            "settings_form": (self.settings_form or RepoSettingsForm.for_repo(repo))
            if manages
            else None,
            "webhook": _webhook(request, repo) if manages else None,
            "secret": self.secret,
        }
        response = render(request, "repos/repo_detail.html", context, status=status)
        return _no_store(response) if self.secret else response


@login_required
@require_GET
def repo_detail(request: HttpRequest, repo_id: int) -> HttpResponse:
    return RepoPage.load(_repo_or_404(request, repo_id)).render(request)


@login_required
@require_POST
def repo_scan(request: HttpRequest, repo_id: int) -> HttpResponse:
    repo = _repo_or_404(request, repo_id)
    try:
        scan = services.scan_request(
            repo=repo, trigger=Scan.Trigger.MANUAL, requested_by=request.user
        )
    except ApplicationError as exc:
        status = show_refusal(request, exc, None)
        return RepoPage.load(repo).render(request, status=status)
    messages.success(
        request, f"Scan #{scan.pk} is {scan.get_status_display().lower()}."
    )
    return redirect("repos:repo-detail", repo_id=repo.pk)


@login_required
@require_POST
def repo_update(request: HttpRequest, repo_id: int) -> HttpResponse:
    repo = _repo_or_404(request, repo_id)
    form = RepoSettingsForm.for_repo(repo, request.POST)
    if not form.is_valid():
        page = RepoPage.load(repo)
        page.settings_form = form
        return page.render(request, status=400)
    changes = form.changes(repo)
    if not changes and policies.can_manage_repos(request.user, repo.team):
        messages.info(request, "Nothing changed.")
        return redirect("repos:repo-detail", repo_id=repo.pk)
    try:
        services.repo_update(repo=repo, updated_by=request.user, **changes)
    except ApplicationError as exc:
        page = RepoPage.load(repo)
        page.settings_form = form
        return page.render(request, status=show_refusal(request, exc, form))
    messages.success(request, "Settings saved.")
    return redirect("repos:repo-detail", repo_id=repo.pk)


@login_required
@require_POST
def webhook_secret_rotate(request: HttpRequest, repo_id: int) -> HttpResponse:
    repo = _repo_or_404(request, repo_id)
    try:
        secret = services.webhook_secret_rotate(repo=repo, rotated_by=request.user)
    except ApplicationError as exc:
        status = show_refusal(request, exc, None)
        return RepoPage.load(repo).render(request, status=status)
    # Shown in this response only, like the secret given when the repository was linked.
    page = RepoPage.load(repo)
    page.secret = secret
    return page.render(request)


@login_required
@require_GET
def scan_progress(request: HttpRequest, scan_id: int) -> JsonResponse:
    """The scan's state for the repository page's progress bar (polled)."""
    scan = selectors.scan_get(fetched_by=request.user, scan_id=scan_id)
    if scan is None:
        return JsonResponse({"detail": "No such scan."}, status=404)
    body = {
        "status": scan.status,
        "step": scan.step,
        "percent": scan.percent,
        "finished": scan.status not in LIVE,
    }
    response = JsonResponse(body)
    response["Cache-Control"] = "no-store"
    return response
