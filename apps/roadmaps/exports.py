"""A team's roadmap as CSV and Markdown (pure: the items come loaded)."""

from __future__ import annotations

from collections.abc import Sequence

from apps.core.spreadsheet import csv_text
from apps.roadmaps.models import Roadmap, RoadmapItem
from apps.rubrics.evidence import evidence_in_words

CSV_HEADER = (
    "rank",
    "phase",
    "criterion",
    "dimension",
    "level",
    "kind",
    "statement",
    "status",
    "owner",
    "due_quarter",
    "priority",
    "weight",
    "urgency",
    "raises_floor",
    "below_target",
    "unblocks",
    "effort",
    "requires",
    "blocked_by_target",
    "closes_with",
    "closed_by",
    "dismissed_reason",
)


def _owner(item: RoadmapItem) -> str:
    return item.owner.get_username() if item.owner_id else ""


def roadmap_csv(items: Sequence[RoadmapItem]) -> str:
    rows = (
        (
            item.rank if item.in_plan else "",
            item.phase if item.in_plan else "",
            item.criterion_key,
            item.dimension_key,
            item.target_level,
            item.kind,
            item.criterion.statement,
            item.status,
            _owner(item),
            item.due_quarter,
            item.priority,
            item.factors.get("weight"),
            item.factors.get("urgency"),
            item.factors.get("raises_floor"),
            item.factors.get("below_target"),
            " ".join(item.unblocks),
            item.factors.get("effort"),
            " ".join(item.requires),
            " ".join(item.blocked_by_target),
            evidence_in_words(item.criterion.evidence, item.target_level),
            item.closed_by,
            item.dismissed_reason,
        )
        for item in items
    )
    return csv_text(CSV_HEADER, rows)


def _md(text: str) -> str:
    """Text safe inside a Markdown table cell or list item."""
    return " ".join(str(text).split()).replace("|", "\\|")


def roadmap_markdown(roadmap: Roadmap, items: Sequence[RoadmapItem]) -> str:
    team = roadmap.team
    lines = [
        f"# Roadmap: {_md(team.name)}",
        "",
        f"Generated {roadmap.generated_at:%Y-%m-%d %H:%M} UTC (revision "
        f"{roadmap.revision}, engine {roadmap.engine_version}) from the "
        f"{_md(roadmap.assessment.period)} assessment. Maturity floor: {roadmap.floor}.",
    ]
    planned = [i for i in items if i.in_plan and i.is_open]
    for phase in RoadmapItem.Phase:
        chosen = [i for i in planned if i.phase == phase]
        lines += ["", f"## {phase.label}", ""]
        if not chosen:
            lines.append("Nothing here.")
            continue
        lines += [
            "| # | Criterion | Dimension | Level | Priority | Status | Owner | Due |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for i in chosen:
            lines.append(
                f"| {i.rank} | **{_md(i.criterion_key)}**: {_md(i.criterion.statement)}"
                f" | {_md(i.dimension_key)} | {i.target_level} | {i.priority:g} | "
                f"{i.get_status_display()} | {_md(_owner(i))} | {_md(i.due_quarter)} |"
            )
    closed = [i for i in items if not i.is_open]
    if closed:
        lines += ["", "## Closed", ""]
        for i in closed:
            why = (
                f"dismissed: {_md(i.dismissed_reason)}"
                if i.status == RoadmapItem.Status.DISMISSED
                else f"done ({i.get_closed_by_display().lower() or 'the team'})"
            )
            lines.append(
                f"- **{_md(i.criterion_key)}**: {_md(i.criterion.statement)} — {why}"
            )
    return "\n".join(lines) + "\n"
