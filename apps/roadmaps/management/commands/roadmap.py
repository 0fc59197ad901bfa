"""`manage.py roadmap TEAM_SLUG [--org ORG_SLUG] [--regenerate] [--json]`.

Prints the team's current roadmap: items with criterion, phase, priority and its
factors, status and what each unblocks. --regenerate plans it again first (as the
system, like a new assessment or scan would). Failures are one-line CommandErrors.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import Team
from apps.core.exceptions import ApplicationError
from apps.roadmaps import selectors, services
from apps.roadmaps.models import Roadmap


def roadmap_data(roadmap: Roadmap) -> dict:
    return {
        "team": roadmap.team.slug,
        "revision": roadmap.revision,
        "generated_at": roadmap.generated_at.isoformat(),
        "engine_version": roadmap.engine_version,
        "assessment": roadmap.assessment_id,
        "signals_as_of": roadmap.signals_as_of.isoformat()
        if roadmap.signals_as_of
        else None,
        "floor": roadmap.floor,
        "items": [
            {
                "criterion": item.criterion_key,
                "dimension": item.dimension_key,
                "level": item.target_level,
                "kind": item.kind,
                "phase": item.phase if item.in_plan else None,
                "rank": item.rank if item.in_plan else None,
                "priority": item.priority,
                "factors": item.factors,
                "status": item.status,
                "closed_by": item.closed_by or None,
                "owner": item.owner.get_username() if item.owner_id else None,
                "due_quarter": item.due_quarter or None,
                "requires": item.requires,
                "unblocks": item.unblocks,
                "blocked_by_target": item.blocked_by_target,
            }
            for item in roadmap.items.all()
        ],
    }


class Command(BaseCommand):
    help = "Print a team's improvement roadmap; --regenerate plans it again first."

    def add_arguments(self, parser):
        parser.add_argument("team", metavar="TEAM_SLUG")
        parser.add_argument(
            "--org", help="The organisation's slug, when several have the team slug."
        )
        parser.add_argument(
            "--regenerate", action="store_true", help="Plan the roadmap again first."
        )
        parser.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args, team, org=None, regenerate=False, **options):
        found = _team(team, org)
        if regenerate:
            try:
                services.roadmap_generate(team=found)
            except ApplicationError as exc:
                raise CommandError(exc.message) from None
        roadmap = selectors.roadmap_of(team=found)
        if roadmap is None:
            raise CommandError(
                f"Team {team!r} has no roadmap yet: pass --regenerate to plan one."
            )
        data = roadmap_data(roadmap)
        if options["json"]:
            self.stdout.write(json.dumps(data, indent=2))
            return
        self.stdout.write(
            f"Roadmap of {found.name} (revision {data['revision']}, floor {data['floor']})"
        )
        for item in data["items"]:
            where = item["phase"] or "out of plan"
            self.stdout.write(
                f"  {item['rank'] or '-':>3} {where:<6} {item['criterion']:<40} "
                f"priority {item['priority']:<6g} {item['status']}"
                + (
                    f"  unblocks {', '.join(item['unblocks'])}"
                    if item["unblocks"]
                    else ""
                )
            )


def _team(slug: str, org: str | None) -> Team:
    found = selectors.teams_by_slug(slug=slug, organization_slug=org)
    if not found:
        raise CommandError(f"No team with the slug {slug!r}.")
    if len(found) > 1:
        raise CommandError(f"Several organisations have a team {slug!r}: pass --org.")
    return found[0]
