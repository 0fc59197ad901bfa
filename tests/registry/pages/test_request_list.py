"""Request lists: everything visible, by status, and what awaits my decision."""

from __future__ import annotations

import pytest

from apps.registry import promotion
from tests.registry.pages.conftest import count_queries

pytestmark = pytest.mark.django_db

AWAITING = "/registry/requests/?awaiting=me"


def _ids(response) -> list[int]:
    return [r.pk for r in response.context["page"]]


def test_awaiting_me_lists_open_requests_the_approver_has_not_decided(
    registry, client_for
):
    waiting = registry.request(registry.version(registry.model(tier="medium")))
    decided = registry.request(registry.version(registry.model(tier="medium")))
    registry.approve(decided, registry.approvers[0])
    registry.approved()  # approved already: nothing left to decide

    response = client_for(registry.approvers[0]).get(AWAITING)

    assert _ids(response) == [waiting.pk]
    assert f'href="/registry/requests/{waiting.pk}/"' in response.content.decode()


def test_awaiting_me_leaves_out_a_retrospective_of_my_broken_glass(
    registry, client_for
):
    request = registry.request(registry.version(registry.model(tier="high")))
    officer = registry.risk_officers[0]
    promotion.promotion_apply(
        request=request, applied_by=officer, break_glass=True, reason="Outage."
    )

    assert _ids(client_for(officer).get(AWAITING)) == []
    other = client_for(registry.risk_officers[1]).get(AWAITING)
    assert _ids(other) == [request.retrospective.pk]


def test_awaiting_me_is_empty_for_someone_without_a_deciding_role(registry, client_for):
    registry.request(registry.version(registry.model()))

    response = client_for(registry.member).get(AWAITING)

    assert _ids(response) == []
    assert "You hold no approver or risk officer role" in response.content.decode()


def test_the_nav_links_to_what_awaits_my_decision(registry, client_for):
    html = client_for(registry.approvers[0]).get("/registry/").content.decode()

    assert '<a href="/registry/requests/?awaiting=me">Awaiting my decision</a>' in html


def test_requests_filter_by_status(registry, client_for):
    waiting = registry.request(registry.version(registry.model()))
    approved = registry.approved()
    client = client_for(registry.lead)

    assert _ids(client.get("/registry/requests/?status=open")) == [waiting.pk]
    assert _ids(client.get("/registry/requests/?status=approved")) == [approved.pk]
    assert sorted(_ids(client.get("/registry/requests/?status=bogus"))) == sorted(
        [waiting.pk, approved.pk]
    )


def test_requests_of_other_teams_and_organisations_are_not_listed(
    registry, client_for, stranger
):
    registry.request(registry.version(registry.model()))

    assert _ids(client_for(registry.outsider).get("/registry/requests/")) == []
    assert _ids(client_for(stranger).get(AWAITING)) == []


def test_awaiting_me_queries_do_not_grow_with_requests(registry, client_for):
    def open_requests(count: int) -> None:
        for _ in range(count):
            registry.request(registry.version(registry.model()))

    client = client_for(registry.approvers[0])
    client.get(AWAITING)
    open_requests(2)
    few = count_queries(client, AWAITING)
    open_requests(20)
    many = count_queries(client, AWAITING)

    # Session, user, roles, the paginator's count, the organisation (page header),
    # one page of requests (version, model, requester).
    assert few == many == 6
