"""Every HTML page × every kind of caller, with the status each one must get.

The pages' half of the permission matrix (tests/core/test_api_permissions.py is the
API's). Rows name the URL route exactly as the URL conf spells it, once per method the
view accepts, so the guard test below fails when a page exists that this table forgot.
Callers hold one role each: the team roles on the team the objects belong to, plus a
member of another team of the organisation and an admin of another organisation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from apps.accounts import services as accounts_services
from apps.accounts.models import ApiToken, Role
from apps.assessments.models import Assessment
from apps.audit.models import AuditEvent
from apps.registry import promotion as registry_promotion
from apps.registry import services as registry_services
from apps.reports.models import Report
from apps.repos.models import LinkedRepo
from apps.roadmaps import services as roadmap_services
from tests.accounts.factories import (
    MembershipFactory,
    UserFactory,
)
from tests.assessments.factories import assessment_in, rubric_create
from tests.core import test_api_permissions as api_matrix
from tests.repos.factories import LinkedRepoFactory, scanned

pytestmark = pytest.mark.django_db

# The fixed order of the callers in every row's `expected`, as in the API's table: team
# roles on the objects' own team, another team's member, another organisation's admin.
CALLERS = api_matrix.ACTORS
# Callers outside the objects' team who must never change them.
OUTSIDERS = ("other_org_admin", "other_team_member")
TEAM_NAME = "Fraud models"

# Pages outside api/ and admin/ that have no row, and why.
EXCLUDED = {
    "accounts/login/": "signing in: open to everyone by design",
    "accounts/logout/": "signing out: open to everyone by design",
    "healthz": "load balancer probe: unauthenticated by design, no data",
    "hooks/github/": "provider webhook: authenticated by the payload's signature",
    "hooks/gitlab/": "provider webhook: authenticated by the payload's signature",
}

LOGIN = 302  # anonymous: redirected to the sign-in page


@dataclass(frozen=True)
class Page:
    method: str
    route: str
    # Expected status per caller, in the order of CALLERS.
    expected: tuple[int, ...]
    kwargs: Callable[[Any], dict[str, Any]] = field(default=lambda world: {})
    data: dict | Callable[[Any], dict] | None = None
    # The caller's own things (API tokens): another team's member writes their own.
    personal: bool = False


# --- Objects of the world's team, built per row -----------------------------------------


def _assessment(status: str, *, file: bool = False):
    """kwargs naming an assessment of the team in `status` (and its first dimension)."""

    def kwargs(world) -> dict[str, Any]:
        assessment = assessment_in(world.team, status, file=file)
        world.question = assessment.evidence.get().question
        world.target = assessment
        return {"pk": assessment.pk, "dimension": "data"}

    return kwargs


def _default_rubric(world) -> dict:
    rubric_create(slug=settings.DEFAULT_RUBRIC_SLUG)
    return {}


def _answer(world) -> dict:
    """A "no" to the question the assessment's evidence hangs on (it said yes)."""
    pk = world.question.pk
    return {"questions": str(pk), f"q{pk}-value": "no"}


LINEAGE = {
    "artifact_sha256": "a" * 64,
    "code_commit": "0123456789abcdef0123456789abcdef01234567",
    "run_ref": "runs:/abc123",
}


def _model(world) -> dict[str, int]:
    registry_services.policy_defaults_install(organization=world.team.organization)
    model = registry_services.model_create(
        team=world.team,
        name="fraud",
        risk_tier="low",
        owner=world.actors["team_member"],
        created_by=world.actors["team_member"],
    )
    version = registry_services.version_create(
        model=model, created_by=world.actors["team_member"], **LINEAGE
    )
    world.version = registry_services.version_submit(
        version=version, submitted_by=world.actors["team_member"]
    )
    world.target = model
    return {"model_id": model.pk}


def _evidence(world) -> dict[str, int]:
    kwargs = _model(world)
    item = registry_services.evidence_add(
        version=world.version,
        requirement_key="model_card",
        kind="model_card",
        submitted_by=world.actors["team_member"],
        upload=SimpleUploadedFile("card.pdf", b"%PDF-1.7 card"),
    )
    world.target = item
    return {**kwargs, "item_id": item.pk}


def _request(world) -> dict[str, int]:
    """A request to put the version on staging, opened by the team member."""
    kwargs = _evidence(world)
    request = registry_promotion.promotion_open(
        version=world.version,
        target="staging",
        requested_by=world.actors["team_member"],
        justification="Ready for shadow traffic.",
    )
    world.target = request
    return {**kwargs, "request_id": request.pk}


def _approved_request(world) -> dict[str, int]:
    """The request, approved by an approver who is none of the callers."""
    kwargs = _request(world)
    approver = UserFactory(organization=world.team.organization)
    MembershipFactory(
        user=approver, organization=approver.organization, role=Role.APPROVER
    )
    registry_promotion.promotion_decide(
        request=world.target, approver=approver, approve=True
    )
    return kwargs


def _request_evidence(world) -> dict[str, int]:
    kwargs = _request(world)
    world.target = world.version.evidence.get()
    return kwargs


def _repo(world) -> dict[str, int]:
    """The team's repository, scanned once."""
    repo = LinkedRepoFactory(team=world.team)
    scan = scanned(repo, {"ci_config": (True, "wired")})
    world.target = repo
    return {"repo_id": repo.pk, "scan_id": scan.pk}


def _roadmap(world) -> dict[str, int]:
    """The team's roadmap, planned from a submitted assessment; its first item."""
    assessment_in(world.team, "submitted")
    roadmap = roadmap_services.roadmap_generate(team=world.team)
    item = roadmap.items.first()
    world.target = item
    return {"team_id": world.team.pk, "item_id": item.pk}


def _team(world) -> dict[str, int]:
    return {"team_id": world.team.pk}


def _report(world) -> dict[str, int]:
    """A finished report on the team, as the API matrix makes it."""
    kwargs = api_matrix._report(world, None)
    world.target = Report.objects.get(pk=kwargs["report_id"])
    return kwargs


def _member_token(world) -> dict[str, int]:
    """The team member's token: only they may revoke it."""
    token, _ = accounts_services.api_token_create(
        user=world.actors["team_member"], name="mine"
    )
    world.target = token
    return {"token_id": token.pk}


A = "assessments/<int:pk>/"
RM = "registry/models/<int:model_id>/"
RQ = "registry/requests/<int:request_id>/"
REPO = "repos/<int:repo_id>/"
ROADMAP = "roadmaps/teams/<int:team_id>/"

# Callers:  anon, other org admin, other team member, team member, team lead, org admin,
#           executive, assessor, approver, risk officer, auditor.
PAGES: list[Page] = [
    # --- Accounts -------------------------------------------------------------------
    # The directory and a team's page are the whole organisation's (so another team's
    # member reads them too); another organisation's team does not exist. These views
    # take any method: a POST renders the page as a GET does. Tokens are each caller's
    # own: only the member who made the token revokes it.
    Page("GET", "", (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    Page("POST", "", (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    Page(
        "GET",
        "teams/<int:team_id>/",
        (LOGIN, 404, 200, 200, 200, 200, 200, 200, 200, 200, 200),
        kwargs=_team,
    ),
    Page(
        "POST",
        "teams/<int:team_id>/",
        (LOGIN, 404, 200, 200, 200, 200, 200, 200, 200, 200, 200),
        kwargs=_team,
    ),
    Page(
        "GET",
        "account/tokens/",
        (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
        personal=True,
    ),
    Page(
        "POST",
        "account/tokens/",
        (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
        data={"name": "ci"},
        personal=True,
    ),
    Page(
        "POST",
        "account/tokens/<int:token_id>/revoke/",
        (LOGIN, 404, 404, 302, 404, 404, 404, 404, 404, 404, 404),
        kwargs=_member_token,
    ),
    # --- Assessments ----------------------------------------------------------------
    # Readers: the team's people and org-wide readers (org admin, executive, assessor,
    # auditor); approvers, risk officers and other teams get a 404. The team's people
    # answer and add evidence, its lead submits, the lead or an org admin starts one
    # (others' forms offer no team: 400), assessors review. The list, overview and
    # results pages take any method (a POST renders them).
    Page(
        "GET", "assessments/", (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)
    ),
    Page(
        "POST",
        "assessments/",
        (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ),
    Page(
        "POST",
        "assessments/start/",
        (LOGIN, 400, 400, 400, 302, 302, 400, 400, 400, 400, 400),
        kwargs=_default_rubric,
        data=lambda w: {"team": w.team.pk, "period": "2026-Q4"},
    ),
    Page(
        "GET",
        A,
        (LOGIN, 404, 404, 200, 200, 200, 200, 200, 404, 404, 200),
        kwargs=_assessment("draft"),
    ),
    Page(
        "POST",
        A,
        (LOGIN, 404, 404, 200, 200, 200, 200, 200, 404, 404, 200),
        kwargs=_assessment("draft"),
    ),
    Page(
        "GET",
        A + "d/<slug:dimension>/",
        (LOGIN, 404, 404, 200, 200, 200, 200, 200, 404, 404, 200),
        kwargs=_assessment("draft"),
    ),
    Page(
        "POST",
        A + "d/<slug:dimension>/",
        (LOGIN, 404, 404, 302, 302, 403, 403, 403, 404, 404, 403),
        kwargs=_assessment("draft"),
        data=_answer,
    ),
    Page(
        "POST",
        A + "evidence/add/",
        (LOGIN, 404, 404, 302, 302, 403, 403, 403, 404, 404, 403),
        kwargs=_assessment("draft"),
        data=lambda w: {"question": w.question.pk, "url": "https://example.com/x"},
    ),
    Page(
        "GET",
        A + "submit/",
        (LOGIN, 404, 404, 200, 200, 200, 200, 200, 404, 404, 200),
        kwargs=_assessment("draft"),
    ),
    Page(
        "POST",
        A + "submit/",
        (LOGIN, 404, 404, 403, 302, 403, 403, 403, 404, 404, 403),
        kwargs=_assessment("draft"),
    ),
    Page(
        "GET",
        A + "results/",
        (LOGIN, 404, 404, 200, 200, 200, 200, 200, 404, 404, 200),
        kwargs=_assessment("submitted"),
    ),
    Page(
        "POST",
        A + "results/",
        (LOGIN, 404, 404, 200, 200, 200, 200, 200, 404, 404, 200),
        kwargs=_assessment("submitted"),
    ),
    Page(
        "GET",
        A + "assess/",
        (LOGIN, 404, 404, 200, 200, 200, 200, 200, 404, 404, 200),
        kwargs=_assessment("submitted"),
    ),
    Page(
        "POST",
        A + "assess/",
        (LOGIN, 404, 404, 403, 403, 403, 403, 302, 404, 404, 403),
        kwargs=_assessment("submitted"),
        data={"action": "start"},
    ),
    # --- Dashboards -----------------------------------------------------------------
    # The organisation's dashboard and its downloads show each caller what they read
    # (another organisation's admin sees their own, empty one); a team's dashboard is
    # for that team's readers.
    Page(
        "GET", "dashboards/", (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)
    ),
    Page(
        "GET",
        "dashboards/teams/<int:team_id>/",
        (LOGIN, 404, 404, 200, 200, 200, 200, 200, 404, 404, 200),
        kwargs=_team,
    ),
    Page(
        "GET",
        "dashboards/data/<slug:panel>.csv",
        (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
        kwargs=lambda w: {"panel": "heatmap"},
    ),
    Page(
        "GET",
        "dashboards/data/<slug:panel>.xlsx",
        (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
        kwargs=lambda w: {"panel": "heatmap"},
    ),
    # --- Registry -------------------------------------------------------------------
    # Readers: the team's people and the whole organisation's readers, approvers and
    # risk officers included. The team's people open requests and attach evidence;
    # approvers and risk officers review evidence and decide; only the requester (the
    # member) withdraws; the team's people apply an approved request. Break-glass is
    # the risk officer's, whom the low-tier staging policy refuses (400). Anyone who
    # reads a request comments on it.
    Page(
        "GET",
        "registry/",
        (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
        kwargs=_model,
    ),
    Page(
        "GET",
        RM,
        (LOGIN, 404, 404, 200, 200, 200, 200, 200, 200, 200, 200),
        kwargs=_model,
    ),
    Page(
        "POST",
        RM + "requests/",
        (LOGIN, 404, 404, 302, 302, 403, 403, 403, 403, 403, 403),
        kwargs=_model,
        data=lambda w: {
            "version": w.version.pk,
            "target": "staging",
            "justification": "Ready for shadow traffic.",
        },
    ),
    Page(
        "POST",
        RM + "evidence/",
        (LOGIN, 404, 404, 302, 302, 403, 403, 403, 403, 403, 403),
        kwargs=_model,
        data=lambda w: {
            "version": w.version.pk,
            "requirement": "model_card",
            "url": "https://example.com/card",
        },
    ),
    Page(
        "POST",
        RM + "evidence/<int:item_id>/review/",
        (LOGIN, 404, 404, 403, 403, 403, 403, 403, 302, 302, 403),
        kwargs=_evidence,
        data={"outcome": "accept"},
    ),
    Page(
        "GET",
        "registry/evidence/<int:item_id>/file/",
        (LOGIN, 404, 404, 200, 200, 200, 200, 200, 200, 200, 200),
        kwargs=_evidence,
    ),
    Page(
        "GET",
        "registry/requests/",
        (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
        kwargs=_request,
    ),
    Page(
        "GET",
        RQ,
        (LOGIN, 404, 404, 200, 200, 200, 200, 200, 200, 200, 200),
        kwargs=_request,
    ),
    Page(
        "POST",
        RQ + "decide/",
        (LOGIN, 404, 404, 403, 403, 403, 403, 403, 302, 302, 403),
        kwargs=_request,
        data={"outcome": "approve"},
    ),
    Page(
        "POST",
        RQ + "withdraw/",
        (LOGIN, 404, 404, 302, 403, 403, 403, 403, 403, 403, 403),
        kwargs=_request,
        data={"reason": "Not yet."},
    ),
    Page(
        "POST",
        RQ + "apply/",
        (LOGIN, 404, 404, 302, 302, 403, 403, 403, 403, 403, 403),
        kwargs=_approved_request,
    ),
    Page(
        "POST",
        RQ + "break-glass/",
        (LOGIN, 404, 404, 403, 403, 403, 403, 403, 403, 400, 403),
        kwargs=_request,
        data={"reason": "Outage."},
    ),
    Page(
        "POST",
        RQ + "comments/",
        (LOGIN, 404, 404, 302, 302, 302, 302, 302, 302, 302, 302),
        kwargs=_request,
        data={"body": "Shadow first."},
    ),
    Page(
        "POST",
        RQ + "evidence/<int:item_id>/review/",
        (LOGIN, 404, 404, 403, 403, 403, 403, 403, 302, 302, 403),
        kwargs=_request_evidence,
        data={"outcome": "accept"},
    ),
    # --- Reports --------------------------------------------------------------------
    # The team's readers read its reports and request one on it; approvers and risk
    # officers read governance reports only, and their form offers no team (400).
    Page(
        "GET",
        "reports/",
        (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
        kwargs=_report,
    ),
    Page(
        "POST",
        "reports/",
        (LOGIN, 400, 400, 302, 302, 302, 302, 302, 400, 400, 302),
        data=lambda w: {
            "kind": "team_assessment",
            "team": w.team.pk,
            "page_size": "A4",
        },
    ),
    Page(
        "GET",
        "reports/<int:report_id>/",
        (LOGIN, 404, 404, 200, 200, 200, 200, 200, 404, 404, 200),
        kwargs=_report,
    ),
    Page(
        "GET",
        "reports/<int:report_id>/status/",
        (LOGIN, 404, 404, 200, 200, 200, 200, 200, 404, 404, 200),
        kwargs=_report,
    ),
    Page(
        "GET",
        "reports/<int:report_id>/download/",
        (LOGIN, 404, 404, 200, 200, 200, 200, 200, 404, 404, 200),
        kwargs=_report,
    ),
    # --- Repositories ---------------------------------------------------------------
    # Readers as the registry's. The team lead or an org admin links repositories,
    # changes settings and rotates the webhook secret (shown once: 200, no redirect);
    # the team's people or an org admin ask for a scan.
    Page(
        "GET",
        "repos/",
        (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
        kwargs=_repo,
    ),
    Page(
        "POST",
        "repos/link/",
        (LOGIN, 403, 403, 403, 200, 200, 403, 403, 403, 403, 403),
        data=lambda w: {
            "team": w.team.pk,
            "name": "acme/churn",
            "provider": "github",
            "clone_url": "https://github.com/acme/churn.git",
        },
    ),
    Page(
        "GET",
        REPO,
        (LOGIN, 404, 404, 200, 200, 200, 200, 200, 200, 200, 200),
        kwargs=_repo,
    ),
    Page(
        "POST",
        REPO + "scan/",
        (LOGIN, 404, 404, 302, 302, 302, 403, 403, 403, 403, 403),
        kwargs=_repo,
    ),
    Page(
        "POST",
        REPO + "settings/",
        (LOGIN, 404, 404, 403, 302, 302, 403, 403, 403, 403, 403),
        kwargs=_repo,
        data={"name": "acme/renamed", "enabled": "on"},
    ),
    Page(
        "POST",
        REPO + "webhook-secret/",
        (LOGIN, 404, 404, 403, 200, 200, 403, 403, 403, 403, 403),
        kwargs=_repo,
    ),
    Page(
        "GET",
        "repos/scans/<int:scan_id>/progress.json",
        (LOGIN, 404, 404, 200, 200, 200, 200, 200, 200, 200, 200),
        kwargs=_repo,
    ),
    # --- Roadmaps -------------------------------------------------------------------
    # Readers as the assessments'. The team's people or an org admin plan: regenerate
    # and edit items.
    Page(
        "GET",
        "roadmaps/",
        (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
        kwargs=_roadmap,
    ),
    Page(
        "GET",
        ROADMAP,
        (LOGIN, 404, 404, 200, 200, 200, 200, 200, 404, 404, 200),
        kwargs=_roadmap,
    ),
    Page(
        "POST",
        ROADMAP + "generate/",
        (LOGIN, 404, 404, 302, 302, 302, 403, 403, 404, 404, 403),
        kwargs=_roadmap,
    ),
    Page(
        "GET",
        ROADMAP + "roadmap.csv",
        (LOGIN, 404, 404, 200, 200, 200, 200, 200, 404, 404, 200),
        kwargs=_roadmap,
    ),
    Page(
        "GET",
        ROADMAP + "roadmap.md",
        (LOGIN, 404, 404, 200, 200, 200, 200, 200, 404, 404, 200),
        kwargs=_roadmap,
    ),
    Page(
        "POST",
        "roadmaps/items/<int:item_id>/",
        (LOGIN, 404, 404, 302, 302, 302, 403, 403, 404, 404, 403),
        kwargs=_roadmap,
        data={"status": "in_progress"},
    ),
]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Evidence and report files go to a per-test directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(org, team, make_user):
    """This organisation with one caller per role, another team's member, and another
    organisation's admin."""
    team.name = TEAM_NAME
    team.save(update_fields=["name"])
    actors = api_matrix.one_of_each(team, make_user)
    return SimpleNamespace(team=team, actors=actors, target=None)


def _state(target: Model | None) -> dict | None:
    if target is None:
        return None
    return model_to_dict(type(target).objects.get(pk=target.pk))


def _counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Assessment, LinkedRepo, Report, ApiToken))


@pytest.mark.parametrize(
    ("page", "caller", "expected"),
    [
        pytest.param(p, caller, p.expected[i], id=f"{p.method} {p.route} as {caller}")
        for p in PAGES
        for i, caller in enumerate(CALLERS)
    ],
)
def test_page_answers_each_caller_with_expected_status(page, caller, expected, world):
    path = api_matrix._path(page, page.kwargs(world))
    data = page.data(world) if callable(page.data) else page.data
    client = Client()
    if world.actors[caller] is not None:
        client.force_login(world.actors[caller])
    before = (_state(world.target), AuditEvent.objects.count(), _counts())

    response = getattr(client, page.method.lower())(path, data or {})

    assert response.status_code == expected, response.content[:300]
    if caller == "anonymous":
        assert response["Location"].startswith("/accounts/login/?next=")
    if caller == "other_org_admin" and expected == 200:
        assert TEAM_NAME.encode() not in b"".join(response), "another org's data shown"
    if page.method == "POST" and caller in OUTSIDERS and not page.personal:
        after = (_state(world.target), AuditEvent.objects.count(), _counts())
        assert after == before, "an outsider changed something"


def test_team_name_shows_in_this_organisations_directory(world):
    """The marker the matrix looks for in another organisation's pages is one a page
    does show to this organisation."""
    client = Client()
    client.force_login(world.actors["org_admin"])

    response = client.get("/")

    assert TEAM_NAME in response.content.decode()


def _accepted_methods(view) -> tuple[str, ...]:
    """GET and/or POST, from the view's require_http_methods decorator (both if none)."""
    while view is not None:
        for cell in view.__closure__ or ():
            value = cell.cell_contents
            if (
                isinstance(value, list)
                and value
                and all(isinstance(m, str) and m.isupper() for m in value)
            ):
                return tuple(m for m in ("GET", "POST") if m in value)
        view = getattr(view, "__wrapped__", None)
    return ("GET", "POST")


def _served(patterns, prefix: str = ""):
    """(view, route) for every URL pattern, nested ones included."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _served(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield pattern.callback, route


def _page_routes():
    for view, route in _served(get_resolver().url_patterns):
        if not route.startswith(("api/", "admin/")) and route not in EXCLUDED:
            for method in _accepted_methods(view):
                yield method, route


def test_page_permission_table_lists_every_page():
    served = set(_page_routes())

    listed = {(p.method, p.route) for p in PAGES}

    assert served - listed == set(), "add these pages to PAGES"
    assert listed - served == set(), "these table rows match no page"


def test_page_permission_exclusions_name_served_routes():
    routes = {route for _, route in _served(get_resolver().url_patterns)}

    assert set(EXCLUDED) <= routes, "an excluded route no longer exists"
