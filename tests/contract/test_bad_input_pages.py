"""Every HTML form answers bad input with its page and a message, never a server error.

The forms are the POST rows of the page matrix (tests/core/test_page_permissions.py),
each sent by a caller it allows, with the row's valid data and one field holding a NUL,
a megabyte of text, or bytes that are not UTF-8 (a lone surrogate as WTF-8: browsers
cannot send one, so this is the nearest a form gets). None may be a 5xx, and no NUL
may be stored: PostgreSQL refuses one, and SQLite would keep it.
Forms that read fields the matrix does not post (an answer's notes, an evidence
link's description) get those fields too.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client

from tests.contract.bad_input import MEGABYTE, NUL, holds, snapshot
from tests.core.test_api_permissions import _path
from tests.core.test_page_permissions import (  # noqa: F401 (fixtures)
    CALLERS,
    PAGES,
    A,
    Page,
    _media_in_tmp,
    world,
)

pytestmark = pytest.mark.django_db

# A lone surrogate, encoded as UTF-8 would if it could (WTF-8): not UTF-8.
NOT_UTF8 = b"a\xed\xa0\x80b"
# Who sends the form: the first caller the matrix lets change something.
SENDERS = (
    "team_member",
    "team_lead",
    "org_admin",
    "assessor",
    "approver",
    "risk_officer",
)
# Fields the forms read that the matrix rows do not post.
EXTRA_FIELDS = {
    A + "d/<slug:dimension>/": lambda w: [f"q{w.question.pk}-notes"],
    A + "evidence/add/": lambda w: ["description"],
}


def _sender(page: Page) -> str:
    return next(
        name
        for name in SENDERS
        if page.expected[CALLERS.index(name)] in (200, 302, 400)
    )


FORMS = [
    pytest.param(page, id=f"{page.method} {page.route}")
    for page in PAGES
    if page.method == "POST" and page.data is not None
]


def _sent(client: Client, path: str, data: dict) -> tuple[int, bool, str]:
    """(status, whether a NUL got stored, the error) for one post, in a savepoint."""
    try:
        with transaction.atomic():
            response = client.post(path, data)
    except Exception as exc:  # a server error, reported with the other cases
        return 500, False, repr(exc)[:300]
    return response.status_code, holds(snapshot(), "\x00"), ""


@pytest.mark.parametrize("page", FORMS)
def test_form_refuses_nul_and_survives_huge_and_broken_text(page, world):  # noqa: F811
    path = _path(page, page.kwargs(world))
    valid = page.data(world) if callable(page.data) else page.data
    client = Client()
    client.force_login(world.actors[_sender(page)])
    extra = EXTRA_FIELDS.get(page.route, lambda w: [])(world)
    failures = []

    for field in [*valid, *extra]:
        for label, value in (("NUL", NUL), ("1 MB", MEGABYTE), ("not UTF-8", NOT_UTF8)):
            status, stored_nul, error = _sent(client, path, {**valid, field: value})
            if status >= 500:
                failures.append(f"{field}={label}: {status} {error}")
            elif stored_nul:
                failures.append(f"{field}={label}: {status}, and a NUL was stored")

    assert not failures, "\n".join(failures)
