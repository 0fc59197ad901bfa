"""The scoring engine on worked examples whose numbers are computed by hand (DESIGN.md §3)."""

from __future__ import annotations

import pytest

from apps.assessments.scoring import (
    ArtifactReview,
    AssessmentScore,
    Claim,
    CriterionInput,
    CriterionRule,
    DimensionRule,
    Resolution,
    RubricModel,
    SignalState,
    criterion_credit,
    rollup,
    score_assessment,
    score_dimension,
)

MET, NOT_MET, NA = Claim.MET, Claim.NOT_MET, Claim.NOT_APPLICABLE
VERIFIED, REJECTED = ArtifactReview.VERIFIED, ArtifactReview.REJECTED
FRESH, STALE, ABSENT, UNKNOWN = (
    SignalState.FRESH,
    SignalState.STALE,
    SignalState.ABSENT,
    SignalState.UNKNOWN,
)
CLAIM_UPHELD, SIGNAL_UPHELD = Resolution.CLAIM_UPHELD, Resolution.SIGNAL_UPHELD


def given(
    claim: Claim = MET,
    artifact: ArtifactReview = ArtifactReview.NONE,
    signal: SignalState = UNKNOWN,
    resolution: Resolution = Resolution.NONE,
) -> CriterionInput:
    return CriterionInput(claim, artifact, signal, resolution)


def dimension(
    dimension_id: str,
    levels: dict[str, int],
    *,
    weight: float = 1.0,
    core: bool = True,
    target: int | None = None,
) -> DimensionRule:
    criteria = tuple(CriterionRule(key, level) for key, level in levels.items())
    return DimensionRule(dimension_id, criteria, weight, core, target)


# --- credit(c) -------------------------------------------------------------------------

CREDIT_TABLE = [
    # (input, credit, evidenced, conflict)
    pytest.param(given(NA), None, False, False, id="n/a drops out"),
    pytest.param(given(Claim.UNANSWERED), 0.0, False, False, id="unanswered"),
    pytest.param(given(NOT_MET), 0.0, False, False, id="not met"),
    pytest.param(
        given(NOT_MET, VERIFIED, FRESH), 0.0, False, False, id="not met+proof"
    ),
    pytest.param(given(MET), 0.5, False, False, id="claimed only"),
    pytest.param(given(MET, REJECTED), 0.5, False, False, id="rejected artifact"),
    pytest.param(given(MET, signal=STALE), 0.5, False, False, id="stale signal"),
    pytest.param(given(MET, signal=FRESH), 1.0, True, False, id="fresh signal"),
    pytest.param(given(MET, VERIFIED), 1.0, True, False, id="verified artifact"),
    pytest.param(given(MET, VERIFIED, STALE), 1.0, True, False, id="verified+stale"),
    pytest.param(given(MET, signal=ABSENT), 0.0, False, True, id="open conflict"),
    pytest.param(
        given(MET, VERIFIED, ABSENT), 0.0, False, True, id="conflict beats artifact"
    ),
    pytest.param(
        given(MET, signal=ABSENT, resolution=SIGNAL_UPHELD),
        0.0,
        False,
        False,
        id="signal upheld",
    ),
    pytest.param(
        given(MET, signal=ABSENT, resolution=CLAIM_UPHELD),
        0.5,
        False,
        False,
        id="claim upheld",
    ),
    pytest.param(
        given(MET, VERIFIED, ABSENT, CLAIM_UPHELD),
        1.0,
        True,
        False,
        id="claim upheld+verified",
    ),
    pytest.param(
        given(MET, signal=FRESH, resolution=SIGNAL_UPHELD),
        1.0,
        True,
        False,
        id="ruling without conflict is inert",
    ),
]


@pytest.mark.parametrize(("inputs", "credit", "evidenced", "conflict"), CREDIT_TABLE)
def test_criterion_credit_follows_the_credit_table(inputs, credit, evidenced, conflict):
    result = criterion_credit(CriterionRule("x.l1.c", 1), inputs)

    assert (result.credit, result.evidenced, result.conflict) == (
        credit,
        evidenced,
        conflict,
    )


# --- τ and the gated level -------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "inputs", "expected_level"),
    [
        # τ(1) = τ(2) = 0.5: a bare claim is enough for manual and standardised practice.
        (1, given(MET), 4),
        (2, given(MET), 4),
        # τ(3) = τ(4) = 1.0: a claimed-but-unevidenced automation criterion blocks its level.
        (3, given(MET), 2),
        (4, given(MET), 3),
        (3, given(MET, signal=STALE), 2),
        (3, given(MET, signal=FRESH), 4),
        (4, given(MET, VERIFIED), 4),
    ],
)
def test_score_dimension_applies_tau_per_level(level, inputs, expected_level):
    rule = dimension("d", {f"d.l{level}.c": level})

    assert score_dimension(rule, {f"d.l{level}.c": inputs}).level == expected_level


def test_score_dimension_counts_an_all_na_level_as_met():
    rule = dimension("d", {"d.l1.a": 1, "d.l2.a": 2, "d.l2.b": 2, "d.l3.a": 3})
    inputs = {"d.l1.a": given(MET), "d.l2.a": given(NA), "d.l2.b": given(NA)}

    result = score_dimension(rule, inputs)

    # L1 met (0.5 ≥ 0.5), L2 empty → met, L3 unanswered (0 < 1.0) → L = 2, p = 0 / 1.
    assert (result.level, result.progress, result.score) == (2, 0.0, 2.0)


def test_score_dimension_without_criteria_reaches_the_top_level():
    result = score_dimension(dimension("d", {}), {})

    assert (result.level, result.progress, result.score) == (4, 0.0, 4.0)


def test_score_dimension_gates_on_a_failing_lower_level():
    rule = dimension("d", {"d.l1.a": 1, "d.l2.a": 2, "d.l3.a": 3, "d.l4.a": 4})
    proven = given(MET, VERIFIED)
    inputs = {"d.l1.a": given(NOT_MET), "d.l2.a": proven, "d.l3.a": proven}

    result = score_dimension(rule, inputs)

    # Everything above L1 is proven, but L1 fails: L = 0, p = credit at L1 = 0.
    assert (result.level, result.score) == (0, 0.0)


def test_score_dimension_progress_is_mean_credit_at_the_next_level():
    rule = dimension("d", {"d.l1.a": 1, "d.l2.a": 2, "d.l2.b": 2, "d.l2.c": 2})
    inputs = {"d.l1.a": given(MET), "d.l2.a": given(MET), "d.l2.b": given(NA)}

    result = score_dimension(rule, inputs)

    # L2: a = 0.5, b drops out (N/A), c = 0 → L = 1 (c fails), p = (0.5 + 0) / 2 = 0.25.
    assert (result.level, result.progress, result.score) == (1, 0.25, 1.25)


def test_score_dimension_has_no_progress_at_the_top_level():
    rule = dimension("d", {"d.l4.a": 4}, target=3)

    result = score_dimension(rule, {"d.l4.a": given(MET, signal=FRESH)})

    assert (result.level, result.progress, result.score, result.gap) == (4, 0, 4, 0)


# --- A whole assessment, by hand -------------------------------------------------------
#
# Three dimensions, weights 1 / 2 / 1; "data" and "ci" are core, "people" is not.

RUBRIC = RubricModel(
    (
        dimension(
            "data",
            {
                "data.l1.a": 1,
                "data.l2.a": 2,
                "data.l2.b": 2,
                "data.l3.a": 3,
                "data.l3.b": 3,
                "data.l4.a": 4,
            },
            weight=1,
            target=3,
        ),
        dimension(
            "ci",
            {
                "ci.l1.a": 1,
                "ci.l2.a": 2,
                "ci.l3.a": 3,
                "ci.l3.b": 3,
                "ci.l4.a": 4,
                "ci.l4.b": 4,
            },
            weight=2,
            target=3,
        ),
        dimension(
            "people",
            {"people.l1.a": 1, "people.l1.b": 1, "people.l2.a": 2, "people.l3.a": 3},
            weight=1,
            core=False,
            target=2,
        ),
    )
)
INPUTS = {
    "data.l1.a": given(MET),  # 0.5
    "data.l2.a": given(MET, signal=FRESH),  # 1.0 evidenced
    "data.l2.b": given(MET, signal=STALE),  # 0.5
    "data.l3.a": given(MET),  # 0.5 < τ(3) = 1.0: blocks L3
    "data.l3.b": given(MET, VERIFIED),  # 1.0 evidenced
    "data.l4.a": given(MET, VERIFIED),  # 1.0 evidenced (above the gate: no effect)
    "ci.l1.a": given(MET, VERIFIED),  # 1.0 evidenced
    "ci.l2.a": given(NA),  # drops out: L2 is empty, so met
    "ci.l3.a": given(MET, signal=FRESH),  # 1.0 evidenced
    "ci.l3.b": given(MET, VERIFIED, ABSENT, CLAIM_UPHELD),  # 1.0 evidenced
    "ci.l4.a": given(MET, signal=ABSENT),  # 0, open conflict
    "ci.l4.b": given(MET, signal=FRESH),  # 1.0 evidenced
    "people.l1.a": given(NOT_MET),  # 0: L1 fails
    "people.l1.b": given(MET),  # 0.5
    "people.l2.a": given(MET, signal=ABSENT, resolution=SIGNAL_UPHELD),  # 0, settled
    # people.l3.a is not answered at all.
}


@pytest.fixture(scope="module")
def worked() -> AssessmentScore:
    return score_assessment(RUBRIC, INPUTS)


def test_score_assessment_worked_example_levels_and_scores(worked):
    # data:   L1 ok, L2 ok (1.0, 0.5), L3 blocked by data.l3.a → L = 2;
    #         p = mean(0.5, 1.0) = 0.75; S = 2.75; gap = max(0, 3 − 2) = 1.
    # ci:     L1 ok, L2 empty, L3 ok (1.0, 1.0), L4 blocked by the conflict → L = 3;
    #         p = mean(0, 1.0) = 0.5; S = 3.5; gap = max(0, 3 − 3) = 0.
    # people: L1 fails (people.l1.a = 0) → L = 0; p = mean(0, 0.5) = 0.25; S = 0.25;
    #         gap = max(0, 2 − 0) = 2.
    summary = {d.id: (d.level, d.progress, d.score, d.gap) for d in worked.dimensions}

    assert summary == {
        "ci": (3, 0.5, 3.5, 0),
        "data": (2, 0.75, 2.75, 1),
        "people": (0, 0.25, 0.25, 2),
    }


def test_score_assessment_worked_example_floor_index_gap(worked):
    # floor = min(L) over core dimensions = min(data 2, ci 3) = 2 (people is not core).
    # index = (1·2.75 + 2·3.5 + 1·0.25) / (1 + 2 + 1) = 10 / 4 = 2.5.
    # target gap = 1·1 + 2·0 + 1·2 = 3.
    assert (worked.floor, worked.index, worked.target_gap) == (2, 2.5, 3)


def test_score_assessment_worked_example_confidence(worked):
    # All credit:       data 0.5+1+0.5+0.5+1+1 = 4.5; ci 1+1+1+0+1 = 4; people 0.5 → 9.
    # Evidenced credit: data 1+1+1 = 3;                ci 4;            people 0 → 7.
    # confidence = 7 / 9.
    assert worked.confidence == pytest.approx(7 / 9)


def test_score_assessment_worked_example_lists_open_conflicts_only(worked):
    # ci.l4.a: claimed, signal absent, no ruling → listed.
    # people.l2.a: signal upheld → 0 and not listed; ci.l3.b: claim upheld → not listed.
    assert worked.conflicts == ("ci.l4.a",)
    flagged = {c.criterion for d in worked.dimensions for c in d.credits if c.conflict}
    assert flagged == {"ci.l4.a"}


def test_score_assessment_worked_example_credits_in_level_order(worked):
    credits = [(c.criterion, c.credit) for c in worked.dimension("ci").credits]

    assert credits == [
        ("ci.l1.a", 1.0),
        ("ci.l2.a", None),
        ("ci.l3.a", 1.0),
        ("ci.l3.b", 1.0),
        ("ci.l4.a", 0.0),
        ("ci.l4.b", 1.0),
    ]


def test_score_assessment_floor_is_over_all_dimensions_when_none_is_core():
    rubric = RubricModel(
        (
            dimension("a", {"a.l1.x": 1}, core=False),
            dimension("b", {"b.l3.x": 3}, core=False),
        )
    )
    inputs = {"a.l1.x": given(MET), "b.l3.x": given(MET)}

    # a: L = 4 (its only criterion is met); b: 0.5 < τ(3) → L = 2. floor = min(4, 2).
    assert score_assessment(rubric, inputs).floor == 2


def test_score_assessment_floor_ignores_non_core_dimensions():
    rubric = RubricModel(
        (dimension("a", {"a.l1.x": 1}), dimension("b", {"b.l1.x": 1}, core=False))
    )

    # a: L = 4 (core); b: L = 0 (not core) → floor = 4.
    assert score_assessment(rubric, {"a.l1.x": given(MET)}).floor == 4


def test_score_assessment_confidence_is_zero_without_credit():
    rubric = RubricModel((dimension("a", {"a.l1.x": 1, "a.l2.x": 2}),))
    inputs = {"a.l1.x": given(NOT_MET, VERIFIED), "a.l2.x": given(MET, signal=ABSENT)}

    assert score_assessment(rubric, inputs).confidence == 0.0


def test_score_assessment_confidence_is_one_when_all_credit_is_evidenced():
    rubric = RubricModel((dimension("a", {"a.l1.x": 1, "a.l3.x": 3}),))
    inputs = {"a.l1.x": given(MET, VERIFIED), "a.l3.x": given(MET, signal=FRESH)}

    assert score_assessment(rubric, inputs).confidence == 1.0


def test_score_assessment_gap_is_none_and_uncounted_without_target():
    rubric = RubricModel((dimension("a", {"a.l1.x": 1}, weight=3),))

    score = score_assessment(rubric, {})

    assert (score.dimensions[0].gap, score.target_gap) == (None, 0)


def test_score_assessment_of_an_empty_rubric_is_zero():
    score = score_assessment(RubricModel(()), {})

    assert (score.floor, score.index, score.confidence, score.dimensions) == (
        0,
        0.0,
        0.0,
        (),
    )


# --- Roll-ups --------------------------------------------------------------------------


def _team(levels: dict[str, int]) -> AssessmentScore:
    """A team whose dimension d reaches exactly levels[d] (criteria met up to it)."""
    rubric = RubricModel(
        tuple(
            dimension(d, {f"{d}.l{lv}.x": lv for lv in range(1, 5)})
            for d in sorted(levels)
        )
    )
    inputs = {
        f"{d}.l{lv}.x": given(MET, VERIFIED)
        for d, top in levels.items()
        for lv in range(1, top + 1)
    }
    return score_assessment(rubric, inputs)


def test_rollup_takes_median_index_min_floor_and_level_counts():
    teams = [_team({"a": 1, "b": 3}), _team({"a": 2, "b": 4}), _team({"a": 4, "b": 4})]

    result = rollup(teams)

    # indexes: (1 + 3) / 2 = 2, (2 + 4) / 2 = 3, (4 + 4) / 2 = 4 → median 3.
    # floors: 1, 2, 4 → min 1.
    assert (result.teams, result.median_index, result.min_floor) == (3, 3.0, 1)
    assert result.level_distribution == {
        "a": {0: 0, 1: 1, 2: 1, 3: 0, 4: 1},
        "b": {0: 0, 1: 0, 2: 0, 3: 1, 4: 2},
    }


def test_rollup_median_of_an_even_count_is_the_midpoint():
    teams = [_team({"a": 0}), _team({"a": 3})]

    # indexes 0 and 3 → median (0 + 3) / 2 = 1.5.
    assert rollup(teams).median_index == 1.5


def test_rollup_of_no_teams_is_empty():
    result = rollup([])

    assert (result.teams, result.median_index, result.min_floor) == (0, None, None)
    assert result.level_distribution == {}
