"""Rows the roadmaps API acts on, read through the selectors. A team or item in the
URL that the caller cannot see is a 404, and so is a visible team with no roadmap."""

from __future__ import annotations

from typing import TypeVar

from rest_framework.exceptions import NotFound, ValidationError

from apps.accounts import selectors as accounts_selectors
from apps.accounts.models import Team, User
from apps.roadmaps import selectors
from apps.roadmaps.models import Roadmap, RoadmapItem

T = TypeVar("T")


def _found(row: T | None, missing: str, code: str = "not_found") -> T:
    if row is None:
        raise NotFound(missing, code=code)
    return row


def visible_team(request, team_id: int) -> Team:
    """A team whose roadmap the caller reads."""
    return _found(
        selectors.team_get(fetched_by=request.user, team_id=team_id), "No such team."
    )


def team_roadmap(team: Team) -> Roadmap:
    """The team's roadmap with its items loaded (selectors.roadmap_of)."""
    return _found(
        selectors.roadmap_of(team=team),
        "The team has no roadmap yet: generate one.",
        code="no_roadmap",
    )


def visible_item(request, item_id: int) -> RoadmapItem:
    """The item with its team, criterion and owner loaded."""
    return _found(
        selectors.item_get(fetched_by=request.user, item_id=item_id),
        "No such roadmap item.",
    )


def named_user(request, user_id: int, *, field: str) -> User:
    """A person of the caller's organisation named in the body; else a 400 on it."""
    user = accounts_selectors.user_get(fetched_by=request.user, user_id=user_id)
    if user is None:
        raise ValidationError({field: ["Unknown user."]})
    return user
