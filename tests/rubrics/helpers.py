"""The small rubric the tests import, and ways to change it line by line."""

from __future__ import annotations

from pathlib import Path

from apps.audit.models import AuditEvent
from apps.rubrics.models import (
    Criterion,
    Dimension,
    DimensionSetting,
    Level,
    Option,
    Question,
    Rubric,
    TeamTarget,
)
from apps.rubrics.services import rubric_import
from apps.rubrics.spec import RubricSpec
from apps.rubrics.validation import parse_rubric

MINI_PATH = Path(__file__).parent / "data" / "mini.yaml"
MINI_TEXT = MINI_PATH.read_text(encoding="utf-8")
ROW_MODELS = (
    Rubric,
    Level,
    Dimension,
    Question,
    Option,
    Criterion,
    DimensionSetting,
    TeamTarget,
    AuditEvent,
)


def edit(text: str, *replacements: tuple[str, str]) -> str:
    """Replace the first occurrence of each `old` (which must be there) with `new`."""
    for old, new in replacements:
        assert old in text, f"{old!r} is not in the text"
        text = text.replace(old, new, 1)
    return text


def mini_spec(text: str = MINI_TEXT) -> RubricSpec:
    return parse_rubric(text, filename="mini.yaml")


def import_mini(*, publish: bool = True, text: str = MINI_TEXT) -> Rubric:
    return rubric_import(spec=mini_spec(text), publish=publish).rubric


def row_counts() -> dict[str, int]:
    """Rows of every rubrics table, and of the audit trail."""
    return {model.__name__: model.objects.count() for model in ROW_MODELS}
