"""What every browser test does first."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.accounts.factories import TEST_PASSWORD


def sign_in(
    page: Page, base_url: str, username: str, password: str = TEST_PASSWORD
) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
