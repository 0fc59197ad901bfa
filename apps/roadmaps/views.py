"""Roadmap pages: the organisation's view across teams, one team's roadmap with the
edits posted from it, regeneration and the exports. Reads go through the selectors,
writes through the services, which stay the authority on who may do what."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.models import Team, User
from apps.accounts.selectors import membership_list
from apps.core.exceptions import ApplicationError
from apps.core.views import show_refusal
from apps.roadmaps import display, exports, policies, selectors, services
from apps.roadmaps.forms import ItemForm, person
from apps.roadmaps.models import Roadmap, RoadmapItem

Phase = RoadmapItem.Phase


def _team_or_404(request: HttpRequest, team_id: int) -> Team:
    team = selectors.team_get(fetched_by=request.user, team_id=team_id)
    if team is None:
        raise Http404("No such team.")
    return team


# --- The organisation -----------------------------------------------------------------


@login_required
@require_GET
def roadmap_list(request: HttpRequest) -> HttpResponse:
    context = {
        "teams": list(selectors.roadmap_summaries(fetched_by=request.user)),
        "gaps": selectors.org_gaps(fetched_by=request.user),
    }
    return render(request, "roadmaps/roadmap_list.html", context)


# --- One team ---------------------------------------------------------------------------


@dataclass
class RoadmapPage:
    """What the team's page shows, loaded once, so a refused edit re-renders it with
    the form's input and errors."""

    team: Team
    roadmap: Roadmap | None
    forms: dict[int, ItemForm] = field(default_factory=dict)  # bound, by item pk
    _members: list[User] | None = None

    @classmethod
    def load(cls, team: Team) -> RoadmapPage:
        return cls(team=team, roadmap=selectors.roadmap_of(team=team))

    def members(self, user: User) -> list[User]:
        """The team's people: who may own an item (one query, once)."""
        if self._members is None:
            people = {
                m.user_id: m.user
                for m in membership_list(fetched_by=user, team=self.team.pk)
            }
            self._members = sorted(people.values(), key=lambda u: person(u).lower())
        return self._members

    def form(self, item: RoadmapItem, user: User, data=None) -> ItemForm:
        return ItemForm(data, item=item, members=self.members(user))

    def render(self, request: HttpRequest, status: int = 200) -> HttpResponse:
        user, team = request.user, self.team
        can_plan = policies.can_plan(user, team)
        context = {"team": team, "roadmap": self.roadmap, "can_plan": can_plan}
        if self.roadmap is None:
            context["plannable"] = selectors.plannable_assessment(team=team)
        else:
            context.update(self._sections(user, can_plan))
        return render(request, "roadmaps/roadmap_detail.html", context, status=status)

    def _sections(self, user: User, can_plan: bool) -> dict:
        """The three phases of open planned items, the items kept out of the plan,
        and the closed ones; each card with its form for those who may plan."""
        items = list(self.roadmap.items.all())
        cards = display.item_cards(
            items, selectors.rubric_criteria(roadmap=self.roadmap)
        )
        for card in cards if can_plan else ():
            bound = self.forms.get(card.item.pk)
            card.form = bound if bound is not None else self.form(card.item, user)
        planned = [c for c in cards if c.item.in_plan and c.item.is_open]
        return {
            "phases": [
                (phase, [c for c in planned if c.item.phase == phase])
                for phase in Phase
            ],
            "kept": [c for c in cards if not c.item.in_plan and c.item.is_open],
            "closed": [c for c in cards if not c.item.is_open],
        }


@login_required
@require_GET
def roadmap_detail(request: HttpRequest, team_id: int) -> HttpResponse:
    return RoadmapPage.load(_team_or_404(request, team_id)).render(request)


@login_required
@require_POST
def roadmap_generate(request: HttpRequest, team_id: int) -> HttpResponse:
    page = RoadmapPage.load(_team_or_404(request, team_id))
    before = page.roadmap.revision if page.roadmap else None
    try:
        roadmap = services.roadmap_generate(team=page.team, generated_by=request.user)
    except ApplicationError as exc:
        return page.render(request, status=show_refusal(request, exc, None))
    if roadmap.revision == before:
        messages.info(request, f"Nothing changed: still revision {before}.")
    else:
        messages.success(request, f"Roadmap planned: revision {roadmap.revision}.")
    return redirect("roadmaps:roadmap-detail", team_id=page.team.pk)


@login_required
@require_POST
def item_update(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.item_get(fetched_by=request.user, item_id=item_id)
    if item is None:
        raise Http404("No such item.")
    page = RoadmapPage.load(item.roadmap.team)
    form = page.forms[item.pk] = page.form(item, request.user, request.POST)
    if not form.is_valid():
        return page.render(request, status=400)
    changes = form.changes()
    try:
        services.item_update(item=item, updated_by=request.user, **changes)
    except ApplicationError as exc:
        return page.render(request, status=show_refusal(request, exc, form))
    if changes:
        messages.success(request, f"{item.criterion_key} saved.")
    else:
        messages.info(request, f"{item.criterion_key}: nothing changed.")
    url = reverse("roadmaps:roadmap-detail", kwargs={"team_id": page.team.pk})
    return redirect(f"{url}#{display.anchor_of(item.criterion_key)}")


# --- Exports ----------------------------------------------------------------------------


def _export(
    request: HttpRequest, team_id: int, extension: str, content_type: str
) -> tuple[Roadmap, HttpResponse]:
    roadmap = selectors.roadmap_of(team=_team_or_404(request, team_id))
    if roadmap is None:
        raise Http404("The team has no roadmap yet.")
    response = HttpResponse(content_type=f"{content_type}; charset=utf-8")
    filename = f"roadmap-{roadmap.team.slug}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return roadmap, response


@login_required
@require_GET
def roadmap_csv(request: HttpRequest, team_id: int) -> HttpResponse:
    roadmap, response = _export(request, team_id, "csv", "text/csv")
    response.write(exports.roadmap_csv(list(roadmap.items.all())))
    return response


@login_required
@require_GET
def roadmap_markdown(request: HttpRequest, team_id: int) -> HttpResponse:
    roadmap, response = _export(request, team_id, "md", "text/markdown")
    response.write(exports.roadmap_markdown(roadmap, list(roadmap.items.all())))
    return response
