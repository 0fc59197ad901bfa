"""`manage.py roadmap TEAM_SLUG [--org ORG] [--regenerate] [--json]`."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.roadmaps import services
from apps.roadmaps.models import Roadmap
from tests.accounts.factories import OrganizationFactory, TeamFactory

pytestmark = pytest.mark.django_db


def roadmap_command(*args: str) -> str:
    out = StringIO()
    call_command("roadmap", *args, stdout=out)
    return out.getvalue()


def test_json_lists_items_with_why_and_what_they_unblock(submitted, target):
    target("ops", 3)
    services.roadmap_generate(team=submitted.team)

    data = json.loads(roadmap_command(submitted.team.slug, "--json"))

    assert (data["team"], data["revision"]) == (submitted.team.slug, 1)
    items = {item["criterion"]: item for item in data["items"]}
    tools = items["ops.l2.tools"]
    assert (tools["phase"], tools["status"], tools["rank"]) == ("now", "planned", 1)
    assert tools["priority"] > 0
    assert tools["factors"]["raises_floor"] is True
    assert tools["unblocks"] == ["ops.l3.retraining"]
    assert items["ops.l3.retraining"]["requires"] == ["ops.l2.tools"]


def test_text_names_each_item_in_rank_order(submitted):
    services.roadmap_generate(team=submitted.team)

    lines = roadmap_command(submitted.team.slug).splitlines()

    assert lines[0] == "Roadmap of Fraud models (revision 1, floor 1)"
    assert "ops.l2.tools" in lines[1]
    assert "planned" in lines[1]
    assert "data.l3.validated" in lines[2]


def test_regenerate_creates_the_first_roadmap(submitted):
    data = json.loads(roadmap_command(submitted.team.slug, "--regenerate", "--json"))

    roadmap = Roadmap.objects.get(team=submitted.team)
    assert data["revision"] == roadmap.revision == 1
    assert roadmap.generated_by is None
    assert len(data["items"]) == roadmap.items.count() == 2


def test_regenerate_updates_the_roadmap(submitted, target):
    services.roadmap_generate(team=submitted.team)
    target("ops", 3)

    data = json.loads(roadmap_command(submitted.team.slug, "--regenerate", "--json"))

    assert data["revision"] == 2 == Roadmap.objects.get().revision
    assert "ops.l3.retraining" in {item["criterion"] for item in data["items"]}


def test_unknown_team_is_an_error():
    with pytest.raises(CommandError, match="No team with the slug 'nobody'"):
        roadmap_command("nobody")


def test_team_without_a_roadmap_is_an_error(submitted):
    with pytest.raises(CommandError, match="has no roadmap yet: pass --regenerate"):
        roadmap_command(submitted.team.slug)


def test_regenerate_without_a_submitted_assessment_is_an_error(draft):
    with pytest.raises(CommandError, match="no submitted assessment"):
        roadmap_command(draft.team.slug, "--regenerate")
    assert not Roadmap.objects.exists()


def test_a_slug_in_two_organisations_needs_org(submitted):
    slug = submitted.team.slug
    other = OrganizationFactory(slug="globex")
    TeamFactory(business_unit__organization=other, slug=slug)
    services.roadmap_generate(team=submitted.team)

    with pytest.raises(CommandError, match=r"Several organisations .* pass --org"):
        roadmap_command(slug)
    data = json.loads(roadmap_command(slug, "--org", "acme", "--json"))
    assert data["team"] == slug
    assert len(data["items"]) == 2


def test_org_that_does_not_have_the_team_is_an_error(submitted):
    OrganizationFactory(slug="globex")

    with pytest.raises(CommandError, match="No team with the slug"):
        roadmap_command(submitted.team.slug, "--org", "globex")
