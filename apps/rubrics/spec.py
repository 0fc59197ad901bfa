"""A rubric as plain, immutable data: what a file says and what the database holds.

Import turns a file into a RubricSpec and writes it; export reads a RubricSpec back
from the database. Two rubrics are identical when their specs are equal.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class OptionSpec:
    value: str
    label: str
    level: int | None = None
    evidence_required: bool = False

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": self.value, "label": self.label}
        if self.level is not None:
            out["level"] = self.level
        if self.evidence_required:
            out["evidence"] = "required"
        return out


@dataclass(frozen=True)
class QuestionSpec:
    key: str
    type: str
    text: str
    help: str = ""
    unit: str = ""
    min: float | None = None
    max: float | None = None
    options: tuple[OptionSpec, ...] = ()

    def to_dict(self, *, with_id: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.key} if with_id else {}
        out |= {"type": self.type, "text": self.text}
        for name in ("help", "unit"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        for name in ("min", "max"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        if self.options:
            out["options"] = [option.to_dict() for option in self.options]
        return out


@dataclass(frozen=True)
class CriterionSpec:
    key: str
    level: int
    statement: str
    evidence: str
    requires: tuple[str, ...]
    effort: str
    question: QuestionSpec
    shared_question: bool = False
    guidance: str = ""
    anchor: str = ""
    met_when: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.key,
            "level": self.level,
            "statement": self.statement,
            "evidence": self.evidence,
            "requires": list(self.requires),
            "effort": self.effort,
            "guidance": self.guidance,
            "anchor": self.anchor,
            "question": self.question.key
            if self.shared_question
            else self.question.to_dict(with_id=False),
        }
        if self.met_when is not None:
            out["met_when"] = self.met_when
        return out


@dataclass(frozen=True)
class DimensionSpec:
    key: str
    name: str
    core: bool
    weight: float
    criteria: tuple[CriterionSpec, ...]
    questions: tuple[QuestionSpec, ...] = ()  # the shared ones
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.key, "name": self.name}
        if self.description:
            out["description"] = self.description
        out |= {"core": self.core, "weight": self.weight}
        if self.questions:
            out["questions"] = [q.to_dict(with_id=True) for q in self.questions]
        out["criteria"] = [c.to_dict() for c in self.criteria]
        return out


@dataclass(frozen=True)
class LevelSpec:
    level: int
    name: str
    description: str = ""


@dataclass(frozen=True)
class RubricSpec:
    slug: str
    version: str
    title: str
    levels: tuple[LevelSpec, ...]
    dimensions: tuple[DimensionSpec, ...]
    description: str = ""
    criteria_by_key: dict[str, CriterionSpec] = field(
        default_factory=dict, compare=False, repr=False
    )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "slug": self.slug,
            "version": self.version,
            "title": self.title,
        }
        if self.description:
            out["description"] = self.description
        out["levels"] = [
            {k: v for k, v in asdict(level).items() if v != ""} for level in self.levels
        ]
        out["dimensions"] = [d.to_dict() for d in self.dimensions]
        return out

    def fingerprint(self) -> str:
        """SHA-256 of the content: equal for identical rubrics, whatever the file's layout."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()
