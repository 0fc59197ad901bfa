"""From answers to claims: every question type, N/A, answer validation, several respondents."""

from __future__ import annotations

import math

import pytest

from apps.assessments.claims import (
    MAX_TEXT,
    GivenAnswer,
    QuestionRule,
    answer_error,
    claim_for,
    combined_claim,
)
from apps.assessments.scoring import Claim

MET, NOT_MET, NA, UNANSWERED = (
    Claim.MET,
    Claim.NOT_MET,
    Claim.NOT_APPLICABLE,
    Claim.UNANSWERED,
)

YES_NO = QuestionRule("yes_no", {})
CHOICE = QuestionRule(
    "single_choice",
    {
        "nobody": 0,
        "notes": 1,
        "versioned": 2,
        "pipeline": 3,
        "closed_loop": 4,
        "n/k": None,
    },
)
MULTI = QuestionRule("multi_select", {"unit": None, "data": None, "model": None})
NUMBER = QuestionRule("number", {}, min=0, max=100)
TEXT = QuestionRule("text", {})


def claim(rule, value, *, level=1, met_when=None, na_reason=""):
    return claim_for(
        rule, GivenAnswer(value, na_reason), level=level, met_when=met_when
    )


# --- claim_for, per question type -------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [(True, MET), (False, NOT_MET)])
def test_claim_for_yes_no_is_met_on_yes(value, expected):
    assert claim(YES_NO, value) == expected


@pytest.mark.parametrize(
    ("value", "level", "expected"),
    [
        ("notes", 1, MET),  # option level 1 ≥ criterion level 1
        ("notes", 2, NOT_MET),  # 1 < 2
        ("versioned", 2, MET),
        ("closed_loop", 3, MET),  # 4 ≥ 3: a higher option meets lower criteria
        ("pipeline", 4, NOT_MET),
        ("nobody", 1, NOT_MET),  # level 0 meets nothing
        ("n/k", 1, NOT_MET),  # an option without a level meets nothing
    ],
)
def test_claim_for_single_choice_compares_option_level_with_criterion_level(
    value, level, expected
):
    assert claim(CHOICE, value, level=level) == expected


@pytest.mark.parametrize(
    ("value", "met_when", "expected"),
    [
        (["unit"], {"any_of": ["unit", "data"]}, MET),
        (["model"], {"any_of": ["unit", "data"]}, NOT_MET),
        (["unit", "data"], {"all_of": ["unit", "data"]}, MET),
        (["unit", "data", "model"], {"all_of": ["unit", "data"]}, MET),
        (["unit", "model"], {"all_of": ["unit", "data"]}, NOT_MET),
        (["unit", "model"], {"min_selected": 2}, MET),
        (["unit"], {"min_selected": 2}, NOT_MET),
        (["unit"], None, MET),  # no met_when: at least one selected
        ([], {"min_selected": 1}, NOT_MET),  # "none of these" is an answer
        ([], {"any_of": ["unit"]}, NOT_MET),
    ],
)
def test_claim_for_multi_select_follows_met_when(value, met_when, expected):
    assert claim(MULTI, value, met_when=met_when) == expected


@pytest.mark.parametrize(
    ("value", "met_when", "expected"),
    [
        (80, {"gte": 80}, MET),  # bounds are inclusive
        (79.9, {"gte": 80}, NOT_MET),
        (0, {"gte": 0}, MET),  # zero is an answer, not a blank
        (24, {"lte": 24}, MET),
        (24.5, {"lte": 24}, NOT_MET),
        (0, {"lte": 24}, MET),
    ],
)
def test_claim_for_number_follows_gte_and_lte(value, met_when, expected):
    assert claim(NUMBER, value, met_when=met_when) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("Priya, ML platform lead", MET), ("   ", NOT_MET), ("", UNANSWERED)],
)
def test_claim_for_text_is_met_when_not_empty(value, expected):
    assert claim(TEXT, value) == expected


@pytest.mark.parametrize("rule", [YES_NO, CHOICE, MULTI, NUMBER, TEXT])
def test_claim_for_na_reason_is_not_applicable(rule):
    assert claim(rule, None, na_reason="out_of_scope") == NA


@pytest.mark.parametrize("rule", [YES_NO, CHOICE, MULTI, NUMBER, TEXT])
def test_claim_for_missing_or_blank_answer_is_unanswered(rule):
    assert claim_for(rule, None, level=1, met_when=None) == UNANSWERED
    assert claim(rule, None) == UNANSWERED


# --- answer_error -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "value"),
    [
        (YES_NO, True),
        (YES_NO, False),
        (CHOICE, "notes"),
        (CHOICE, "n/k"),
        (MULTI, []),
        (MULTI, ["unit", "model"]),
        (NUMBER, 0),
        (NUMBER, 100),
        (NUMBER, 42.5),
        (TEXT, ""),
        (TEXT, "x" * MAX_TEXT),
        (TEXT, None),  # clearing an answer is always allowed
    ],
)
def test_answer_error_accepts_valid_values(rule, value):
    assert answer_error(rule, value) is None


@pytest.mark.parametrize(
    ("rule", "value", "message"),
    [
        # yes_no takes booleans only: YAML-style spellings are refused, not guessed.
        (YES_NO, "yes", "Answer yes (true) or no (false)."),
        (YES_NO, "no", "Answer yes (true) or no (false)."),
        (YES_NO, "true", "Answer yes (true) or no (false)."),
        (YES_NO, "on", "Answer yes (true) or no (false)."),
        (YES_NO, 1, "Answer yes (true) or no (false)."),
        (CHOICE, "spreadsheet", "Pick one of the options."),
        (CHOICE, True, "Pick one of the options."),
        (CHOICE, 1, "Pick one of the options."),
        (CHOICE, ["notes"], "Pick one of the options."),
        (CHOICE, {"value": "notes"}, "Pick one of the options."),
        (MULTI, "unit", "Pick a list of options."),
        (MULTI, [1, 2], "Pick a list of options."),
        (MULTI, ["unit", "unit"], "Pick each option at most once"),
        (MULTI, ["unit", "lint"], "from the question's options"),
        (NUMBER, True, "Enter a number."),  # bool is an int in Python; not here
        (NUMBER, "42", "Enter a number."),
        (NUMBER, math.nan, "Enter a number."),
        (NUMBER, math.inf, "Enter a number."),
        (NUMBER, -math.inf, "Enter a number."),
        (NUMBER, -1, "Enter at least 0."),
        (NUMBER, 100.5, "Enter at most 100."),
        (TEXT, "x" * (MAX_TEXT + 1), f"at most {MAX_TEXT} characters"),
        (TEXT, 42, "Enter text"),
        (TEXT, True, "Enter text"),
    ],
)
def test_answer_error_explains_wrong_values(rule, value, message):
    error = answer_error(rule, value)

    assert error is not None
    assert message in error


def test_answer_error_formats_fractional_bounds():
    rule = QuestionRule("number", {}, min=0.5, max=1.5)

    assert (answer_error(rule, 0.25), answer_error(rule, 2)) == (
        "Enter at least 0.5.",
        "Enter at most 1.5.",
    )


def test_answer_error_leaves_numbers_unbounded_without_min_or_max():
    assert answer_error(QuestionRule("number", {}), -1e12) is None


# --- combined_claim ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ([], (UNANSWERED, False)),
        ([UNANSWERED, UNANSWERED], (UNANSWERED, False)),
        ([MET], (MET, False)),
        ([MET, MET], (MET, False)),
        ([MET, UNANSWERED], (MET, False)),  # a blank is not a disagreement
        ([MET, NOT_MET], (NOT_MET, True)),  # not met beats met
        ([NOT_MET, MET, MET], (NOT_MET, True)),
        ([NA, NA], (NA, False)),  # N/A only when everyone says so
        ([NA, MET], (MET, True)),
        ([NA, NOT_MET], (NOT_MET, True)),
        ([NA, MET, NOT_MET], (NOT_MET, True)),
        ([NA, UNANSWERED], (NA, False)),
    ],
)
def test_combined_claim_is_conservative_and_reports_disagreement(claims, expected):
    assert combined_claim(claims) == expected
    assert combined_claim(reversed(claims)) == expected
