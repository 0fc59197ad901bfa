"""Writes of roadmaps: generating a team's plan and the team's edits to its items.

Each write is one transaction with one audit event. Generation re-plans the items and
keeps what the team set (status, owner, due quarter, dismissals); an open item whose
criterion is now met closes itself, saying whether evidence or the assessment showed
it, and an item that evidence had closed reopens when that evidence is gone.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Membership, Team, User
from apps.assessments.models import Assessment
from apps.audit.canonical import canonical_json
from apps.audit.services import record_event
from apps.core.exceptions import ApplicationError, PermissionDeniedError
from apps.roadmaps import engine, policies, selectors
from apps.roadmaps.models import Roadmap, RoadmapItem
from apps.rubrics.evidence import ARTIFACT, signal_key

Status, ClosedBy = RoadmapItem.Status, RoadmapItem.ClosedBy
QUARTER = re.compile(r"^\d{4}-Q[1-4]$")
# Fields the engine owns: rewritten on every generation.
_PLANNED_FIELDS = (
    "criterion",
    "dimension_key",
    "target_level",
    "kind",
    "phase",
    "rank",
    "priority",
    "factors",
    "requires",
    "unblocks",
    "blocked_by_target",
    "pulled_in",
    "in_plan",
)


def _refuse(allowed: bool, what: str) -> None:
    if not allowed:
        raise PermissionDeniedError(f"Your roles do not allow you to {what}.")


def roadmap_generate(*, team: Team, generated_by: User | None = None) -> Roadmap:
    """Plan (or re-plan) the team's roadmap from its latest handed-in assessment and
    its current signals. `generated_by` None: a new assessment or scan asked for it."""
    if generated_by is not None:
        _refuse(policies.can_plan(generated_by, team), "plan this team's roadmap")
    assessment = selectors.plannable_assessment(team=team)
    if assessment is None:
        raise ApplicationError(
            "The team has no submitted assessment to plan from yet.",
            code="no_assessment",
        )
    basis = selectors.plan_basis(assessment=assessment)
    plan = engine.generate(basis.plan_input)
    with transaction.atomic():
        return _store(team, basis, plan, generated_by)


def plan_digest(
    assessment: Assessment, given: engine.PlanInput, plan: engine.Plan
) -> str:
    """What a generation rests on and yields: equal digests, equal roadmaps. Owner,
    status and due dates are the team's, not the plan's, and are left out."""
    body = {
        "assessment": assessment.pk,
        "rubric": assessment.rubric_id,
        "criteria": [asdict(c) for c in given.criteria],
        "items": [asdict(i) for i in plan.items],
        "engine": plan.engine_version,
    }
    return hashlib.sha256(canonical_json(body).encode()).hexdigest()


def _store(
    team: Team,
    basis: selectors.PlanBasis,
    plan: engine.Plan,
    generated_by: User | None,
) -> Roadmap:
    now = timezone.now()
    roadmap = Roadmap.objects.select_for_update().filter(team=team).first()
    digest = plan_digest(basis.assessment, basis.plan_input, plan)
    if roadmap is not None and roadmap.plan_digest == digest:
        return roadmap  # nothing new to plan from: no revision, no event
    header = {
        "rubric": basis.assessment.rubric,
        "assessment": basis.assessment,
        "signals_as_of": basis.signals_as_of,
        "signal_states": basis.signal_states,
        "floor": plan.floor,
        "generated_at": now,
        "generated_by": generated_by,
        "engine_version": plan.engine_version,
        "plan_digest": digest,
    }
    if roadmap is None:
        roadmap = Roadmap.objects.create(team=team, **header)
    else:
        for name, value in header.items():
            setattr(roadmap, name, value)
        roadmap.revision += 1
        roadmap.save()
    changes = _reconcile(roadmap, basis, plan, now)
    record_event(
        organization=team.organization,
        actor=generated_by,
        action="roadmap.generated",
        target=roadmap,
        data={
            "team": team.pk,
            "revision": roadmap.revision,
            "assessment": basis.assessment.pk,
            "signals_as_of": basis.signals_as_of,
            "engine_version": plan.engine_version,
            "items": len(plan.items),
            "now": [i.criterion for i in plan.phase(engine.Phase.NOW)],
            **changes,
        },
    )
    return roadmap


def _reconcile(
    roadmap: Roadmap, basis: selectors.PlanBasis, plan: engine.Plan, now
) -> dict[str, list[str]]:
    """Bring the stored items in line with the plan; return what changed, by key."""
    existing = {item.criterion_key: item for item in roadmap.items.all()}
    credits = {c.key: c for c in basis.plan_input.criteria}
    changes: dict[str, list[str]] = {
        "added": [],
        "closed_by_evidence": [],
        "closed_by_assessment": [],
        "reopened": [],
        "removed": [],
    }
    to_create, to_update = [], []
    for planned in plan.items:
        item = existing.pop(planned.criterion, None)
        if item is None:
            item = RoadmapItem(roadmap=roadmap, criterion_key=planned.criterion)
            to_create.append(item)
            changes["added"].append(planned.criterion)
        else:
            to_update.append(item)
            if item.status == Status.DONE and item.closed_by != ClosedBy.TEAM:
                # Closed by evidence or the assessment, and unmet again.
                _reopen(item)
                changes["reopened"].append(planned.criterion)
        _plan_onto(item, planned, basis)
    for key, item in existing.items():  # no longer planned
        criterion = credits.get(key)
        if criterion is not None and criterion.met and criterion.credit is not None:
            item.in_plan = False
            if item.is_open:
                by = _close(item, criterion, basis, now)
                changes[f"closed_by_{by}"].append(key)
            to_update.append(item)
        elif item.is_open and item.owner_id is None and not item.due_quarter:
            changes["removed"].append(key)  # an untouched suggestion, now out of scope
            item.delete()
        else:
            item.in_plan = False
            to_update.append(item)
    RoadmapItem.objects.bulk_create(to_create)
    RoadmapItem.objects.bulk_update(
        to_update,
        [
            *_PLANNED_FIELDS,
            "status",
            "closed_at",
            "closed_by",
            "closing_evidence",
            "updated_at",
        ],
    )
    return {k: sorted(v) for k, v in changes.items()}


def _plan_onto(
    item: RoadmapItem, planned: engine.PlannedItem, basis: selectors.PlanBasis
) -> None:
    factors = planned.factors
    item.criterion = basis.criteria[planned.criterion]
    item.dimension_key = planned.dimension
    item.target_level = planned.level
    item.kind = planned.kind
    item.phase = planned.phase
    item.rank = planned.rank
    item.priority = planned.priority
    item.factors = {
        "weight": factors.weight,
        "urgency": factors.urgency,
        "raises_floor": factors.raises_floor,
        "below_target": factors.below_target,
        "unblocks": factors.unblocks,
        "effort": factors.effort,
    }
    item.requires = list(planned.requires)
    item.unblocks = list(planned.unblocks)
    item.blocked_by_target = list(planned.blocked_by_target)
    item.pulled_in = planned.pulled_in
    item.in_plan = True
    item.updated_at = timezone.now()


def _reopen(item: RoadmapItem) -> None:
    item.status = Status.PLANNED
    item.closed_at, item.closed_by, item.closing_evidence = None, "", {}


def _close(
    item: RoadmapItem,
    criterion: engine.CriterionState,
    basis: selectors.PlanBasis,
    now,
) -> str:
    """Close an item whose criterion is now met; say whether evidence showed it."""
    item.status, item.closed_at, item.updated_at = Status.DONE, now, now
    if criterion.evidenced:
        item.closed_by = ClosedBy.EVIDENCE
        item.closing_evidence = _evidence_of(item, basis)
        return "evidence"
    item.closed_by = ClosedBy.ASSESSMENT
    item.closing_evidence = {"assessment": basis.assessment.pk}
    return "assessment"


def _evidence_of(item: RoadmapItem, basis: selectors.PlanBasis) -> dict[str, Any]:
    """What evidenced the criterion: the signal and where each repository showed it,
    or the reviewed artifact on the assessment."""
    rule = basis.criteria[item.criterion_key].evidence
    key = signal_key(rule)
    if key is not None:
        return {
            "signal": key,
            "sources": list(basis.evaluation.facts.signal_sources.get(key, [])),
        }
    if rule == ARTIFACT:
        return {"artifact": "verified", "assessment": basis.assessment.pk}
    return {"assessment": basis.assessment.pk}


EDITABLE = ("status", "owner", "due_quarter", "dismissed_reason")


@transaction.atomic
def item_update(*, item: RoadmapItem, updated_by: User, **changes: Any) -> RoadmapItem:
    """The team's edits to an item: any of `status`, `owner` (a team member, or None
    to clear), `due_quarter` ("2027-Q1", or "" to clear) and `dismissed_reason`
    (required to dismiss). Nothing is saved unless every change is valid."""
    team = item.roadmap.team
    _refuse(policies.can_plan(updated_by, team), "change this team's roadmap")
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ApplicationError(
            "Unknown fields.", fields={k: ["Unknown field."] for k in sorted(unknown)}
        )
    item = (
        RoadmapItem.objects.select_for_update()
        .select_related("roadmap__team")
        .get(pk=item.pk)
    )
    before = {name: getattr(item, _attribute(name)) for name in EDITABLE}
    errors: dict[str, list[str]] = {}
    if "status" in changes:
        _set_status(item, changes["status"], changes.get("dismissed_reason"), errors)
    elif "dismissed_reason" in changes:
        if item.status != Status.DISMISSED:
            errors["dismissed_reason"] = ["Only a dismissed item has a reason."]
        elif not (changes["dismissed_reason"] or "").strip():
            errors["dismissed_reason"] = ["Say why the item is dismissed."]
        else:
            item.dismissed_reason = changes["dismissed_reason"].strip()
    if "owner" in changes:
        owner = changes["owner"]
        if owner is not None and not _on_team(owner, team):
            errors["owner"] = ["The owner must be a member of the team."]
        else:
            item.owner = owner
    if "due_quarter" in changes:
        due = (changes["due_quarter"] or "").strip().upper()
        if due and not QUARTER.match(due):
            errors["due_quarter"] = ["Use the form 2027-Q1."]
        else:
            item.due_quarter = due
    if errors:
        raise ApplicationError("The item was not changed.", fields=errors)
    changed = {
        name: [before[name], getattr(item, _attribute(name))]
        for name in EDITABLE
        if before[name] != getattr(item, _attribute(name))
    }
    if not changed:
        return item
    item.save()
    record_event(
        organization=team.organization,
        actor=updated_by,
        action="roadmap_item.updated",
        target=item,
        data={"team": team.pk, "criterion": item.criterion_key, "changes": changed},
    )
    return item


def _attribute(name: str) -> str:
    return "owner_id" if name == "owner" else name


def _set_status(
    item: RoadmapItem,
    status: str,
    dismissed_reason: str | None,
    errors: dict[str, list[str]],
) -> None:
    if status not in Status.values:
        errors["status"] = [f"Choose one of: {', '.join(Status.values)}."]
        return
    if status == Status.DISMISSED:
        reason = (dismissed_reason or "").strip()
        if not reason:
            errors["dismissed_reason"] = ["Say why the item is dismissed."]
            return
        item.dismissed_reason = reason
    else:
        item.dismissed_reason = ""
    if status == Status.DONE and item.status != Status.DONE:
        item.closed_at, item.closed_by, item.closing_evidence = (
            timezone.now(),
            ClosedBy.TEAM,
            {},
        )
    elif status != Status.DONE:
        item.closed_at, item.closed_by, item.closing_evidence = None, "", {}
    item.status = status


def _on_team(user: User, team: Team) -> bool:
    return Membership.objects.filter(user=user, team=team).exists()
