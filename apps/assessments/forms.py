"""Reading questionnaire form posts (full page or one autosaved question)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from django.forms import Form, ModelChoiceField, RegexField
from django.http import QueryDict

from apps.assessments.models import PERIOD_PATTERN, NotApplicableReason
from apps.assessments.services import AnswerInput
from apps.rubrics.models import Question

NONE_OF_THESE = "__none__"


class AssessmentStartForm(Form):
    team = ModelChoiceField(queryset=None, empty_label=None)
    period = RegexField(PERIOD_PATTERN, help_text="A quarter, such as 2026-Q4.")

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams


def _number(raw: str) -> float | int | str | None:
    try:
        number = float(raw.replace(",", "."))
    except ValueError:
        return raw  # left as text: the service refuses it with a clear message
    if not math.isfinite(number):
        return raw
    return int(number) if number.is_integer() else number


def _value(question: Question, data: QueryDict):
    name = f"q{question.pk}-value"
    if question.type == "multi_select":
        chosen = data.getlist(name)
        if NONE_OF_THESE in chosen:
            return []
        return chosen or None
    raw = data.get(name, "").strip()
    if not raw:
        return None
    if question.type == "yes_no":
        return {"yes": True, "no": False}.get(raw, raw)
    if question.type == "number":
        return _number(raw)
    return raw


def answers_from_post(
    questions: Iterable[Question], data: QueryDict
) -> list[AnswerInput]:
    """One AnswerInput per question posted; an N/A reason wins over any value."""
    items = []
    for question in questions:
        na_reason = data.get(f"q{question.pk}-na", "")
        if na_reason not in NotApplicableReason.values:
            na_reason = ""
        value = None if na_reason else _value(question, data)
        notes = data.get(f"q{question.pk}-notes", "").strip()
        items.append(AnswerInput(question.pk, value, na_reason, notes))
    return items


_INDEXED = re.compile(r"^answers\[(\d+)\]\.")


def errors_by_question(
    items: list[AnswerInput], fields: dict[str, list[str]]
) -> dict[int, list[str]]:
    """Map the service's `answers[i].field` errors back to question ids."""
    out: dict[int, list[str]] = {}
    for key, messages in fields.items():
        match = _INDEXED.match(key)
        if match and int(match.group(1)) < len(items):
            out.setdefault(items[int(match.group(1))].question, []).extend(messages)
    return out
