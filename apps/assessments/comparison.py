"""Comparing two score snapshots (pure): what changed per dimension and overall."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DimensionChange:
    id: str
    level: int
    level_before: int | None
    score: float
    score_before: float | None

    @property
    def level_delta(self) -> int | None:
        return None if self.level_before is None else self.level - self.level_before

    @property
    def score_delta(self) -> float | None:
        return (
            None
            if self.score_before is None
            else round(self.score - self.score_before, 4)
        )


@dataclass(frozen=True)
class Comparison:
    dimensions: tuple[DimensionChange, ...]
    floor_delta: int | None
    index_delta: float | None
    confidence_delta: float | None


def compare_payloads(
    current: dict[str, Any], before: dict[str, Any] | None
) -> Comparison:
    """Changes from `before` to `current` (None when there is nothing to compare with)."""
    earlier = {d["id"]: d for d in (before or {}).get("dimensions", [])}
    changes = tuple(
        DimensionChange(
            id=d["id"],
            level=d["level"],
            level_before=earlier[d["id"]]["level"] if d["id"] in earlier else None,
            score=d["score"],
            score_before=earlier[d["id"]]["score"] if d["id"] in earlier else None,
        )
        for d in current["dimensions"]
    )

    def delta(key: str):
        return None if before is None else round(current[key] - before[key], 4)

    return Comparison(changes, delta("floor"), delta("index"), delta("confidence"))
