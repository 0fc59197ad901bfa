"""The audit admin: read-only, the columns as the database derived them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import Role
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/audit/auditevent/"


@pytest.fixture
def signed_in(client, org):
    client.force_login(UserFactory(organization=org, is_staff=True, is_superuser=True))
    return client


def test_admin_changelist_shows_events_with_their_actors(
    signed_in, append_events, make_user
):
    actor = make_user(Role.ORG_ADMIN)
    append_events(2, actor=actor)
    append_events(1)

    response = signed_in.get(CHANGELIST, {"q": "test.event"})

    assert response.status_code == 200
    page = response.content.decode()
    assert actor.username in page
    assert page.count("test.thing") == 3


def test_admin_changelist_query_count_does_not_grow_with_events(
    signed_in, append_events, make_user
):
    actors = [make_user(Role.ORG_ADMIN) for _ in range(3)]

    def queries_for_a_page() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert signed_in.get(CHANGELIST).status_code == 200
        return len(queries)

    append_events(1, actor=actors[0])
    few = queries_for_a_page()
    for n in range(30):
        append_events(1, actor=actors[n % 3])

    # The usernames come with the page, in a subquery: no query per actor.
    assert queries_for_a_page() == few


def test_admin_event_page_renders(signed_in, append_events):
    (event,) = append_events(1)

    response = signed_in.get(f"{CHANGELIST}{event.pk}/change/")

    assert response.status_code == 200
    assert "test.event" in response.content.decode()
