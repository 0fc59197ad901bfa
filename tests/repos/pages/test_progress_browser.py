"""The progress bar in a real browser: it follows a running scan without a reload, then
the page reloads itself once the scan has finished."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from apps.repos.models import Scan
from tests.accounts.factories import TEST_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_the_progress_bar_follows_the_scan_then_shows_the_result(
    page, live_server, people
):
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    repo = people.repo(name="acme/fraud")
    scan = Scan.objects.create(
        repo=repo, trigger="manual", status="running", step="cloning", percent=10
    )
    _sign_in(page, live_server.url, people.member.username)
    page.goto(f"{live_server.url}/repos/{repo.pk}/")
    bar = page.locator("#scan-progress-bar")
    expect(bar).to_have_attribute("value", "10")

    Scan.objects.filter(pk=scan.pk).update(step="reading files", percent=60)

    expect(page.locator("#scan-progress-text")).to_have_text(
        "Running: reading files (60 %)", timeout=6000
    )
    expect(bar).to_have_js_property("value", 60)

    Scan.objects.filter(pk=scan.pk).update(status="succeeded", step="done", percent=100)

    expect(page.locator("#latest-status")).to_contain_text("Succeeded", timeout=6000)
    expect(page.locator("#scan-progress")).to_have_count(0)
    assert errors == []
