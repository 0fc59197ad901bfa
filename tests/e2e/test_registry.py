"""A promotion in a real browser: the lead opens a request, an approver approves it on
the request page, the lead applies it, and the model page shows the new production."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from apps.accounts.models import Role
from apps.registry import services
from apps.registry.models import Alias, PromotionRequest
from tests.accounts.factories import (
    BusinessUnitFactory,
    MembershipFactory,
    OrganizationFactory,
    TeamFactory,
    UserFactory,
)
from tests.e2e.helpers import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people():
    """A governed organisation: a team lead with one submitted version, an approver."""
    org = OrganizationFactory(name="Acme Analytics")
    team = TeamFactory(
        business_unit=BusinessUnitFactory(organization=org), name="Fraud Detection"
    )
    lead = UserFactory(organization=org, username="lead-fraud")
    MembershipFactory(user=lead, role=Role.TEAM_LEAD, team=team)
    approver = UserFactory(organization=org, username="approver-1")
    MembershipFactory(user=approver, role=Role.APPROVER)
    services.policy_defaults_install(organization=org)
    model = services.model_create(
        team=team,
        name="card-fraud",
        risk_tier="low",
        owner=lead,
        created_by=lead,
        purpose="Scores card payments for fraud.",
    )
    version = services.version_create(
        model=model,
        created_by=lead,
        artifact_sha256="b" * 64,
        code_commit="0123456789abcdef0123456789abcdef01234567",
        run_ref="runs:/e2e",
    )
    services.version_submit(version=version, submitted_by=lead)
    return {"lead": lead, "approver": approver, "model": model}


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_lead_requests_approver_approves_lead_applies(
    page, live_server, people, tmp_path
):
    errors: list[str] = []
    page.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" else None,
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    base, model = live_server.url, people["model"]

    sign_in(page, base, people["lead"].username)
    page.get_by_role("link", name="Registry").click()
    page.get_by_role("link", name="card-fraud").click()
    form = page.locator("#open-request")
    form.get_by_label("Version").select_option(label="v1 (submitted)")
    form.get_by_label("Target").select_option("production")
    form.get_by_label("Justification").fill("Better recall at equal precision.")
    form.get_by_role("button", name="Open request").click()
    request = PromotionRequest.objects.get()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Request #{request.pk}: card-fraud v1 → production"
    )
    expect(page.locator("#request-status")).to_have_text("Open")
    _sign_out(page)

    sign_in(page, base, people["approver"].username)
    page.get_by_role("link", name="Awaiting my decision").click()
    page.get_by_role("link", name=f"#{request.pk}", exact=True).click()
    page.get_by_label("Decision comment").fill("Holdout results check out.")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#request-status")).to_have_text("Approved")
    _sign_out(page)

    sign_in(page, base, people["lead"].username)
    page.goto(f"{base}/registry/requests/{request.pk}/")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("status")).to_contain_text("Applied: production → v1.")
    page.get_by_role("link", name="card-fraud").first.click()

    expect(page.locator("#aliases")).to_contain_text("production → v1")
    timeline = page.locator(f"ol[aria-label='Timeline of request #{request.pk}']")
    expect(timeline).to_contain_text("Opened by")
    expect(timeline).to_contain_text("Holdout results check out.")
    expect(timeline.locator("li.applied")).to_contain_text("production → v1")
    page.screenshot(path=str(tmp_path / "model-page.png"), full_page=True)
    assert (tmp_path / "model-page.png").stat().st_size > 0
    assert Alias.objects.get(model=model, name="production").version.version == 1
    assert errors == []
