"""How a roadmap reads on its page: each item's priority and links in words, and what
closed it. Pure: no queries, only what the page already loaded."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from apps.roadmaps.models import RoadmapItem
from apps.rubrics.evidence import SIGNAL_LABELS, evidence_in_words
from apps.rubrics.models import Criterion

# Short badges for the item kinds; the model's labels say them in full.
KIND_BADGES = {
    RoadmapItem.Kind.BUILD: "Build",
    RoadmapItem.Kind.PROVE: "Prove it",
    RoadmapItem.Kind.RESOLVE: "Resolve a conflict",
}
KIND_HELP = {
    RoadmapItem.Kind.BUILD: "The practice is missing: put it in place.",
    RoadmapItem.Kind.PROVE: "Claimed, not yet evidenced: connect the evidence.",
    RoadmapItem.Kind.RESOLVE: "Claimed, but a signal says otherwise: resolve it.",
}


def number(value: float) -> str:
    """2.0 → "2", 1.5 → "1.5", 0.6667 → "0.67"."""
    return f"{round(value, 2):g}"


def priority_in_words(factors: Mapping[str, Any], priority: float) -> str:
    """The engine's formula with the item's factors, e.g. "weight 2 × urgency 3
    (raises the floor, below target) × (1 + 1 unblocked) ÷ effort 2 = 6"."""
    reasons = [
        text
        for flag, text in (
            ("raises_floor", "raises the floor"),
            ("below_target", "below target"),
        )
        if factors.get(flag)
    ]
    urgency = f"urgency {number(factors.get('urgency', 1))}"
    if reasons:
        urgency += f" ({', '.join(reasons)})"
    return (
        f"weight {number(factors.get('weight', 1))} × {urgency} × "
        f"(1 + {factors.get('unblocks', 0)} unblocked) ÷ "
        f"effort {number(factors.get('effort', 1))} = {number(priority)}"
    )


def anchor_of(key: str) -> str:
    """The id of an item's card on the page."""
    return "item-" + key.replace(".", "-")


@dataclass(frozen=True)
class Link:
    """Another criterion an item names: its card on the page when it has one."""

    key: str
    statement: str
    dimension: str = ""
    anchor: str = ""


@dataclass(frozen=True)
class Source:
    repo: str
    commit: str
    observed_at: str
    holds: bool
    evidence: list[str]


@dataclass(frozen=True)
class Closing:
    """What closed an item, in words: a signal with its sources, or the assessment."""

    summary: str
    signal: str = ""
    sources: list[Source] = field(default_factory=list)


@dataclass
class ItemCard:
    item: RoadmapItem
    kind_badge: str
    kind_help: str
    dimension: str
    priority: str
    unblocks: list[Link]
    waits_for: list[Link]
    beyond_target: list[Link]
    closes_with: str
    closing: Closing | None
    form: Any = None  # the edit form, for those who may plan

    @property
    def anchor(self) -> str:
        return anchor_of(self.item.criterion_key)


def closing_of(item: RoadmapItem) -> Closing | None:
    if item.status != RoadmapItem.Status.DONE:
        return None
    evidence = item.closing_evidence or {}
    if item.closed_by == RoadmapItem.ClosedBy.TEAM:
        return Closing("The team marked it done.")
    if "signal" in evidence:
        key = evidence["signal"]
        label = SIGNAL_LABELS.get(key, key)
        return Closing(
            f"The team's repositories show {label}.",
            signal=key,
            sources=[_source(s) for s in evidence.get("sources", [])],
        )
    if evidence.get("artifact") == "verified":
        return Closing("A reviewer verified the artifact attached to the assessment.")
    return Closing("The assessment shows the criterion met.")


def _source(source: Mapping[str, Any]) -> Source:
    return Source(
        repo=str(source.get("repo", "")),
        commit=str(source.get("commit") or ""),
        observed_at=str(source.get("observed_at") or "")[:16].replace("T", " "),
        holds=bool(source.get("value")),
        evidence=[str(e) for e in source.get("evidence") or []],
    )


def item_cards(
    items: Sequence[RoadmapItem], criteria: Mapping[str, Criterion]
) -> list[ItemCard]:
    """A card per item, its links named from the page's items or the rubric."""
    on_page = {item.criterion_key: item for item in items}

    def link(key: str) -> Link:
        item = on_page.get(key)
        criterion = item.criterion if item else criteria.get(key)
        return Link(
            key=key,
            statement=criterion.statement if criterion else "",
            dimension=_dimension_name(key, criteria),
            anchor=anchor_of(key) if item else "",
        )

    return [
        ItemCard(
            item=item,
            kind_badge=KIND_BADGES.get(item.kind, item.kind),
            kind_help=KIND_HELP.get(item.kind, ""),
            dimension=_dimension_name(item.criterion_key, criteria)
            or item.dimension_key,
            priority=priority_in_words(item.factors, item.priority),
            unblocks=[link(key) for key in item.unblocks],
            waits_for=[link(key) for key in item.requires],
            beyond_target=[link(key) for key in item.blocked_by_target],
            closes_with=evidence_in_words(item.criterion.evidence, item.target_level),
            closing=closing_of(item),
        )
        for item in items
    ]


def _dimension_name(key: str, criteria: Mapping[str, Criterion]) -> str:
    criterion = criteria.get(key)
    return criterion.dimension.name if criterion else ""
