"""From answers to claims: what each respondent's answer says about each criterion.

Pure functions. Several respondents may answer the same question; when they disagree and
no assessor has ruled, the most conservative claim counts (not met before met, and N/A
only when everyone says N/A), and the disagreement is shown rather than averaged away.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from apps.assessments.scoring import Claim

QUESTION_TYPES = ("yes_no", "single_choice", "multi_select", "number", "text")
MAX_TEXT = 5000

# Lower is more conservative: it wins when respondents disagree.
_CONSERVATIVE_ORDER = {
    Claim.UNANSWERED: 0,
    Claim.NOT_MET: 0,
    Claim.MET: 1,
    Claim.NOT_APPLICABLE: 2,
}


@dataclass(frozen=True)
class QuestionRule:
    """What deciding a claim needs to know about a question."""

    type: str
    option_levels: Mapping[str, int | None]
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class GivenAnswer:
    value: Any
    na_reason: str = ""


def answer_error(rule: QuestionRule, value: Any) -> str | None:
    """Why a value cannot answer the question, or None when it can."""
    if value is None:
        return None
    if rule.type == "yes_no":
        return None if isinstance(value, bool) else "Answer yes (true) or no (false)."
    if rule.type == "single_choice":
        chosen = isinstance(value, str) and value in rule.option_levels
        return None if chosen else "Pick one of the options."
    if rule.type == "multi_select":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return "Pick a list of options."
        if len(set(value)) != len(value) or not set(value) <= set(rule.option_levels):
            return "Pick each option at most once, from the question's options."
        return None
    if rule.type == "number":
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            return "Enter a number."
        if rule.min is not None and value < rule.min:
            return f"Enter at least {rule.min:g}."
        if rule.max is not None and value > rule.max:
            return f"Enter at most {rule.max:g}."
        return None
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        return f"Enter text of at most {MAX_TEXT} characters."
    return None


def claim_for(
    rule: QuestionRule, answer: GivenAnswer | None, *, level: int, met_when: dict | None
) -> Claim:
    """What one answer claims about a criterion at `level`."""
    if answer is None:
        return Claim.UNANSWERED
    if answer.na_reason:
        return Claim.NOT_APPLICABLE
    value = answer.value
    if value is None or value == "" or value == []:
        return (
            Claim.UNANSWERED
            if rule.type != "multi_select" or value is None
            else Claim.NOT_MET
        )
    return (
        Claim.MET
        if _holds(rule, value, level=level, met_when=met_when or {})
        else Claim.NOT_MET
    )


def _holds(rule: QuestionRule, value: Any, *, level: int, met_when: dict) -> bool:
    if rule.type == "yes_no":
        return value is True
    if rule.type == "single_choice":
        chosen = rule.option_levels.get(value)
        return chosen is not None and chosen >= level
    if rule.type == "multi_select":
        selected = set(value)
        if "any_of" in met_when:
            return bool(selected & set(met_when["any_of"]))
        if "all_of" in met_when:
            return set(met_when["all_of"]) <= selected
        return len(selected) >= met_when.get("min_selected", 1)
    if rule.type == "number":
        if "gte" in met_when:
            return value >= met_when["gte"]
        return value <= met_when.get("lte", math.inf)
    return bool(str(value).strip())


def combined_claim(claims: Iterable[Claim]) -> tuple[Claim, bool]:
    """The claim that counts across respondents, and whether they disagreed."""
    given = [c for c in claims if c != Claim.UNANSWERED]
    if not given:
        return Claim.UNANSWERED, False
    disagree = len(set(given)) > 1
    return min(given, key=_CONSERVATIVE_ORDER.__getitem__), disagree
