"""Answers, evidence, rulings and signals into scoring inputs, and the snapshot payload."""

from __future__ import annotations

import json

import pytest

from apps.assessments.claims import GivenAnswer, QuestionRule
from apps.assessments.evaluation import (
    CriterionFacts,
    ScoringContext,
    TeamEvidence,
    criterion_inputs,
    disagreements,
    score_payload,
)
from apps.assessments.scoring import (
    ArtifactReview,
    Claim,
    CriterionInput,
    CriterionRule,
    DimensionRule,
    Resolution,
    RubricModel,
    SignalState,
    score_assessment,
)

# Questions: 1 yes/no, 2 single choice shared by an L2 and an L3 criterion, 3 yes/no,
# 4 multi-select.
DOCUMENTED, SHARED, ALERTS, CHECKS = 1, 2, 3, 4
CRITERIA = (
    CriterionFacts("ci.l1.documented", "ci", 1, DOCUMENTED, "attest"),
    CriterionFacts("ci.l2.versioned", "ci", 2, SHARED, "artifact"),
    CriterionFacts("ci.l3.automated", "ci", 3, SHARED, "signal:ci_runs_tests"),
    CriterionFacts(
        "ci.l2.checks", "ci", 2, CHECKS, "artifact", {"all_of": ["lint", "unit"]}
    ),
    CriterionFacts("mon.l3.alerts", "mon", 3, ALERTS, "signal:monitoring"),
)
CONTEXT = ScoringContext(
    model=RubricModel(
        (
            DimensionRule(
                "ci",
                tuple(CriterionRule(c.key, c.level) for c in CRITERIA[:4]),
            ),
            DimensionRule("mon", (CriterionRule("mon.l3.alerts", 3),)),
        )
    ),
    criteria=CRITERIA,
    questions={
        DOCUMENTED: QuestionRule("yes_no", {}),
        SHARED: QuestionRule(
            "single_choice", {"manual": 1, "versioned": 2, "automated": 3}
        ),
        ALERTS: QuestionRule("yes_no", {}),
        CHECKS: QuestionRule("multi_select", {"lint": None, "unit": None, "e2e": None}),
    },
)


def answers(**by_question: list) -> dict[int, list[GivenAnswer]]:
    """answers(shared=["manual", "versioned"]): each respondent's answer per question."""
    ids = {
        "documented": DOCUMENTED,
        "shared": SHARED,
        "alerts": ALERTS,
        "checks": CHECKS,
    }
    return {
        ids[name]: [v if isinstance(v, GivenAnswer) else GivenAnswer(v) for v in values]
        for name, values in by_question.items()
    }


# --- criterion_inputs -------------------------------------------------------------------


def test_criterion_inputs_gives_every_criterion_an_input():
    inputs = criterion_inputs(CONTEXT, TeamEvidence())

    assert inputs == {c.key: CriterionInput() for c in CRITERIA}


def test_criterion_inputs_reads_a_shared_question_at_each_criterion_level():
    facts = TeamEvidence(answers=answers(shared=["versioned"]))

    inputs = criterion_inputs(CONTEXT, facts)

    # "versioned" is a level-2 option: it meets the L2 criterion, not the L3 one.
    assert inputs["ci.l2.versioned"].claim == Claim.MET
    assert inputs["ci.l3.automated"].claim == Claim.NOT_MET


def test_criterion_inputs_applies_met_when():
    facts = TeamEvidence(answers=answers(checks=[["unit", "lint", "e2e"]]))

    assert criterion_inputs(CONTEXT, facts)["ci.l2.checks"].claim == Claim.MET


def test_criterion_inputs_maps_signals_only_through_signal_rules():
    facts = TeamEvidence(
        signals={
            "ci_runs_tests": SignalState.FRESH,
            "monitoring": SignalState.ABSENT,
            "ci_config": SignalState.FRESH,  # no criterion names it
        },
        running_signals=frozenset({"ci_runs_tests"}),
    )

    signals = {k: v.signal for k, v in criterion_inputs(CONTEXT, facts).items()}

    assert signals == {
        "ci.l1.documented": SignalState.UNKNOWN,  # attest
        "ci.l2.versioned": SignalState.UNKNOWN,  # artifact
        "ci.l2.checks": SignalState.UNKNOWN,  # artifact
        "ci.l3.automated": SignalState.FRESH,  # signal:ci_runs_tests
        "mon.l3.alerts": SignalState.ABSENT,  # signal:monitoring
    }


def test_criterion_inputs_needs_a_running_signal_at_levels_3_and_4():
    declared = TeamEvidence(signals={"ci_runs_tests": SignalState.FRESH})
    running = TeamEvidence(
        signals={"ci_runs_tests": SignalState.FRESH},
        running_signals=frozenset({"ci_runs_tests"}),
    )

    # ci.l3.automated rests on signal:ci_runs_tests: only a running one evidences it.
    assert criterion_inputs(CONTEXT, declared)["ci.l3.automated"].signal == (
        SignalState.UNKNOWN
    )
    assert criterion_inputs(CONTEXT, running)["ci.l3.automated"].signal == (
        SignalState.FRESH
    )


def test_criterion_inputs_leaves_an_uncollected_signal_unknown():
    facts = TeamEvidence(signals={"ci_runs_tests": SignalState.STALE})

    assert criterion_inputs(CONTEXT, facts)["mon.l3.alerts"].signal == (
        SignalState.UNKNOWN
    )


def test_criterion_inputs_applies_artifacts_to_every_criterion_of_the_question():
    facts = TeamEvidence(
        artifacts={SHARED: ArtifactReview.VERIFIED, CHECKS: ArtifactReview.REJECTED}
    )

    artifacts = {k: v.artifact for k, v in criterion_inputs(CONTEXT, facts).items()}

    assert artifacts == {
        "ci.l1.documented": ArtifactReview.NONE,
        "ci.l2.versioned": ArtifactReview.VERIFIED,
        "ci.l3.automated": ArtifactReview.VERIFIED,
        "ci.l2.checks": ArtifactReview.REJECTED,
        "mon.l3.alerts": ArtifactReview.NONE,
    }


def test_criterion_inputs_takes_the_conservative_claim_when_respondents_disagree():
    facts = TeamEvidence(answers=answers(documented=[True, False, None]))

    assert criterion_inputs(CONTEXT, facts)["ci.l1.documented"].claim == Claim.NOT_MET


@pytest.mark.parametrize(
    ("ruling", "expected"),
    [
        (GivenAnswer(True), Claim.MET),
        (GivenAnswer(False), Claim.NOT_MET),
        (GivenAnswer(None, "out_of_scope"), Claim.NOT_APPLICABLE),
    ],
)
def test_criterion_inputs_lets_a_disagreement_ruling_override_respondents(
    ruling, expected
):
    facts = TeamEvidence(
        answers=answers(documented=[True, False]), rulings={DOCUMENTED: ruling}
    )

    assert criterion_inputs(CONTEXT, facts)["ci.l1.documented"].claim == expected


def test_criterion_inputs_ruling_counts_without_any_respondent():
    facts = TeamEvidence(rulings={SHARED: GivenAnswer("automated")})

    inputs = criterion_inputs(CONTEXT, facts)

    assert (inputs["ci.l2.versioned"].claim, inputs["ci.l3.automated"].claim) == (
        Claim.MET,
        Claim.MET,
    )


def test_criterion_inputs_applies_signal_rulings_per_criterion():
    facts = TeamEvidence(
        answers=answers(alerts=[True], shared=["automated"]),
        signals={"monitoring": SignalState.ABSENT, "ci_runs_tests": SignalState.ABSENT},
        signal_rulings={"mon.l3.alerts": Resolution.CLAIM_UPHELD},
    )

    inputs = criterion_inputs(CONTEXT, facts)

    assert inputs["mon.l3.alerts"].resolution == Resolution.CLAIM_UPHELD
    assert inputs["ci.l3.automated"].resolution == Resolution.NONE


def test_criterion_inputs_feed_the_engine_conflicts():
    facts = TeamEvidence(
        answers=answers(alerts=[True], shared=["automated"]),
        signals={"monitoring": SignalState.ABSENT, "ci_runs_tests": SignalState.ABSENT},
        signal_rulings={"mon.l3.alerts": Resolution.SIGNAL_UPHELD},
    )

    score = score_assessment(CONTEXT.model, criterion_inputs(CONTEXT, facts))

    # Both claims are contradicted; only the one no reviewer ruled on is listed.
    assert score.conflicts == ("ci.l3.automated",)


# --- disagreements ----------------------------------------------------------------------


def test_disagreements_lists_questions_with_different_answers_sorted():
    given = answers(
        alerts=[True, False], documented=[True, True], shared=["manual", "versioned"]
    )

    assert disagreements(given) == [SHARED, ALERTS]


@pytest.mark.parametrize(
    ("values", "disagree"),
    [
        ([True], False),
        ([True, True, True], False),
        ([True, GivenAnswer(None, "out_of_scope")], True),
        ([GivenAnswer(None, "out_of_scope")] * 2, False),
        ([GivenAnswer(None, "out_of_scope"), GivenAnswer(None, "other")], True),
        ([["unit", "lint"], ["lint", "unit"]], False),  # a selection has no order
        ([["unit", "lint"], ["lint"]], True),
        ([5, 5.0], False),  # the same number
        ([5, 6], True),
        ([True, 1], True),  # a yes is not the number one
        (["Priya", "priya"], True),
    ],
)
def test_disagreements_compares_answers_by_meaning(values, disagree):
    assert disagreements(answers(checks=values)) == ([CHECKS] if disagree else [])


def test_disagreements_of_no_answers_is_empty():
    assert disagreements({}) == []


# --- score_payload ----------------------------------------------------------------------


@pytest.fixture
def scored():
    facts = TeamEvidence(
        answers=answers(
            documented=[GivenAnswer(None, "out_of_scope")],
            shared=["automated"],
            alerts=[True],
        ),
        artifacts={SHARED: ArtifactReview.VERIFIED},
        signals={"monitoring": SignalState.ABSENT},
        signal_rulings={"mon.l3.alerts": Resolution.CLAIM_UPHELD},
    )
    inputs = criterion_inputs(CONTEXT, facts)
    return score_assessment(CONTEXT.model, inputs), inputs


def test_score_payload_states_what_every_credit_rests_on(scored):
    score, inputs = scored

    payload = score_payload(score, inputs)

    credits = {c["criterion"]: c for d in payload["dimensions"] for c in d["credits"]}
    assert set(credits) == {c.key for c in CRITERIA}
    assert credits["ci.l1.documented"] == {
        "criterion": "ci.l1.documented",
        "level": 1,
        "credit": None,
        "evidenced": False,
        "conflict": False,
        "claim": "not_applicable",
        "artifact": "none",
        "signal": "unknown",
        "resolution": "none",
    }
    assert {k: credits["mon.l3.alerts"][k] for k in ("credit", "signal")} == {
        "credit": 0.5,
        "signal": "absent",
    }
    assert credits["mon.l3.alerts"]["resolution"] == "claim_upheld"


def test_score_payload_carries_the_scores_and_is_json(scored):
    score, inputs = scored

    payload = json.loads(json.dumps(score_payload(score, inputs)))

    assert (payload["floor"], payload["index"], payload["confidence"]) == (
        score.floor,
        score.index,
        score.confidence,
    )
    assert payload["engine_version"] == score.engine_version
    assert [d["id"] for d in payload["dimensions"]] == ["ci", "mon"]


def test_score_payload_describes_criteria_without_input_as_unanswered(scored):
    score, _ = scored

    payload = score_payload(score, {})

    assert {
        (c["claim"], c["artifact"], c["signal"], c["resolution"])
        for d in payload["dimensions"]
        for c in d["credits"]
    } == {("unanswered", "none", "unknown", "none")}


def test_criterion_inputs_ignore_verified_artifacts_for_attest_criteria():
    context = ScoringContext(
        model=RubricModel(()),
        criteria=(
            CriterionFacts("d.l1.a", "d", 1, 1, "attest"),
            CriterionFacts("d.l3.b", "d", 3, 1, "artifact"),
        ),
        questions={1: QuestionRule("yes_no", {})},
    )
    facts = TeamEvidence(
        answers={1: [GivenAnswer(True)]}, artifacts={1: ArtifactReview.VERIFIED}
    )

    inputs = criterion_inputs(context, facts)

    assert inputs["d.l1.a"].artifact == ArtifactReview.NONE
    assert inputs["d.l3.b"].artifact == ArtifactReview.VERIFIED
