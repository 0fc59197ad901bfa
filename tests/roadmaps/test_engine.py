"""The roadmap engine on hand-built inputs, and its properties over generated ones."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from apps.roadmaps.engine import (
    NOW_MAX,
    THRESHOLDS,
    CriterionState,
    DimensionState,
    Kind,
    Phase,
    PlanInput,
    generate,
)


def crit(key, dimension, level, credit=0.0, effort="M", requires=(), **kw):
    return CriterionState(
        key=key,
        dimension=dimension,
        level=level,
        effort=effort,
        requires=tuple(requires),
        credit=credit,
        **kw,
    )


def keys(plan, phase=None):
    return [i.criterion for i in plan.items if phase is None or i.phase == phase]


# --- Candidates and targets --------------------------------------------------------


def test_plans_unmet_criteria_above_the_level_up_to_the_target():
    plan = generate(
        PlanInput(
            dimensions=(DimensionState("data", level=1, target=3),),
            criteria=(
                crit("d1", "data", 1, credit=1.0),
                crit("d2", "data", 2),
                crit("d3", "data", 3),
                crit("d4", "data", 4),
            ),
        )
    )
    assert keys(plan) == ["d2", "d3"]
    d2, d3 = plan.items
    assert d3.requires == ("d2",)
    assert d2.unblocks == ("d3",)
    assert d2.phase == Phase.NOW
    assert d3.phase == Phase.NEXT


def test_without_a_target_only_the_next_level_is_planned():
    plan = generate(
        PlanInput(
            dimensions=(DimensionState("data", level=1, target=None),),
            criteria=(crit("d2", "data", 2), crit("d3", "data", 3)),
        )
    )
    assert keys(plan) == ["d2"]
    assert plan.untargeted == ("data",)


def test_met_and_not_applicable_criteria_are_not_planned():
    plan = generate(
        PlanInput(
            dimensions=(DimensionState("ci", level=0, target=2),),
            criteria=(
                crit("c1", "ci", 1, credit=0.5),  # τ(1) = 0.5: met
                crit("c1b", "ci", 1, credit=None),  # N/A
                crit("c2", "ci", 2, credit=0.0),
            ),
        )
    )
    assert keys(plan) == ["c2"]


def test_a_claim_at_level_three_without_evidence_is_a_cheap_prove_it_item():
    plan = generate(
        PlanInput(
            dimensions=(DimensionState("ci", level=2, target=3),),
            criteria=(
                crit("c3", "ci", 3, credit=0.5, effort="L", claimed=True),
                crit("c3b", "ci", 3, credit=0.0, effort="L"),
            ),
        )
    )
    prove, build = plan.items
    assert (prove.criterion, prove.kind, prove.factors.effort) == ("c3", Kind.PROVE, 1)
    assert (build.criterion, build.kind, build.factors.effort) == ("c3b", Kind.BUILD, 4)


def test_a_contradicted_claim_is_a_resolve_item():
    plan = generate(
        PlanInput(
            dimensions=(DimensionState("ci", level=1, target=2),),
            criteria=(crit("c2", "ci", 2, claimed=True, conflict=True),),
        )
    )
    assert plan.items[0].kind == Kind.RESOLVE


# --- Prerequisites -------------------------------------------------------------------


def test_unmet_prerequisites_are_pulled_in_and_come_first():
    plan = generate(
        PlanInput(
            dimensions=(
                DimensionState("ct", level=2, target=3),
                DimensionState("pipe", level=1, target=2),
            ),
            criteria=(
                crit("ct3", "ct", 3, requires=["pipe2"]),
                crit("pipe2", "pipe", 2),
            ),
        )
    )
    assert keys(plan) == ["pipe2", "ct3"]
    pipe2, ct3 = plan.items
    assert ct3.requires == ("pipe2",)
    assert not ct3.ready
    assert pipe2.unblocks == ("ct3",)
    assert pipe2.factors.unblocks == 1


def test_a_prerequisite_past_its_target_blocks_the_item_instead_of_joining():
    plan = generate(
        PlanInput(
            dimensions=(
                DimensionState("ct", level=2, target=3),
                DimensionState("data", level=1, target=1),
            ),
            criteria=(
                crit("ct3", "ct", 3, requires=["data3"]),
                crit("data3", "data", 3),
            ),
        )
    )
    assert keys(plan) == ["ct3"]
    (ct3,) = plan.items
    assert ct3.blocked_by_target == ("data3",)
    assert ct3.phase == Phase.LATER
    assert not ct3.ready


def test_a_met_prerequisite_does_not_hold_an_item_back():
    plan = generate(
        PlanInput(
            dimensions=(
                DimensionState("ct", level=2, target=3),
                DimensionState("pipe", level=2, target=2),
            ),
            criteria=(
                crit("ct3", "ct", 3, requires=["pipe2"]),
                crit("pipe2", "pipe", 2, credit=1.0),
            ),
        )
    )
    assert plan.items[0].ready
    assert plan.items[0].phase == Phase.NOW


# --- Priority and phases ------------------------------------------------------------


def test_priority_is_weight_times_urgency_times_impact_over_effort():
    plan = generate(
        PlanInput(
            dimensions=(
                DimensionState("data", level=0, target=2, weight=2.0),  # the floor
                DimensionState("ci", level=1, target=2),
            ),
            criteria=(
                crit("d1", "data", 1, effort="S"),
                crit("d2", "data", 2, effort="M"),
                crit("c2", "ci", 2, effort="L"),
            ),
        )
    )
    by_key = {i.criterion: i for i in plan.items}
    d1 = by_key["d1"].factors
    assert (d1.raises_floor, d1.below_target, d1.urgency, d1.unblocks) == (
        True,
        True,
        3.0,
        1,
    )
    assert by_key["d1"].priority == 2.0 * 3.0 * 2 / 1
    # d2 is in a floor dimension but two levels up: it does not raise the floor.
    assert by_key["d2"].factors.raises_floor is False
    assert by_key["c2"].priority == 1.0 * 1.5 * 1 / 4
    assert keys(plan)[0] == "d1"


def test_now_holds_at_most_five_ready_items_and_the_rest_wait_in_next():
    criteria = tuple(crit(f"c{i}", f"dim{i}", 1) for i in range(8))
    dimensions = tuple(DimensionState(f"dim{i}", 0, 1) for i in range(8))
    plan = generate(PlanInput(dimensions, criteria))
    assert len(plan.phase(Phase.NOW)) == NOW_MAX
    assert len(plan.phase(Phase.NEXT)) == 3
    assert [i.rank for i in plan.items] == list(range(1, 9))


# --- Properties -----------------------------------------------------------------------

DIMENSIONS = ["data", "track", "ci", "pipe"]


@st.composite
def plan_inputs(draw):
    dimensions = []
    for key in DIMENSIONS:
        level = draw(st.integers(0, 4))
        target = draw(st.one_of(st.none(), st.integers(0, 4)))
        dimensions.append(
            DimensionState(
                key,
                level,
                target,
                weight=draw(st.sampled_from([0.5, 1.0, 2.0])),
                core=draw(st.booleans()),
            )
        )
    criteria = []
    for dimension in DIMENSIONS:
        for level in range(1, 5):
            for n in range(draw(st.integers(0, 2))):
                criteria.append((f"{dimension}{level}{'ab'[n]}", dimension, level))
    # Edges only to criteria earlier in this list: the rubric refuses cycles.
    states = []
    for index, (key, dimension, level) in enumerate(criteria):
        earlier = [k for k, _, _ in criteria[:index]]
        requires = (
            draw(st.lists(st.sampled_from(earlier), max_size=2)) if earlier else []
        )
        states.append(
            CriterionState(
                key,
                dimension,
                level,
                effort=draw(st.sampled_from("SML")),
                requires=tuple(requires),
                credit=draw(st.sampled_from([None, 0.0, 0.5, 1.0])),
                claimed=draw(st.booleans()),
                evidenced=draw(st.booleans()),
            )
        )
    return PlanInput(tuple(dimensions), tuple(states))


@settings(max_examples=300, deadline=None)
@given(plan_inputs())
def test_no_item_precedes_one_of_its_prerequisites(given_input):
    plan = generate(given_input)
    position = {item.criterion: item.rank for item in plan.items}
    for item in plan.items:
        for prereq in item.requires:
            assert position[prereq] < item.rank


@settings(max_examples=300, deadline=None)
@given(plan_inputs())
def test_nothing_is_planned_past_a_target_and_nothing_met(given_input):
    plan = generate(given_input)
    horizon = {d.key: d.horizon for d in given_input.dimensions}
    criteria = {c.key: c for c in given_input.criteria}
    for item in plan.items:
        assert item.level <= horizon[item.dimension]
        criterion = criteria[item.criterion]
        assert criterion.credit is not None
        assert criterion.credit < THRESHOLDS[criterion.level]


@settings(max_examples=200, deadline=None)
@given(plan_inputs())
def test_output_is_deterministic_whatever_the_input_order(given_input):
    shuffled = PlanInput(
        tuple(reversed(given_input.dimensions)), tuple(reversed(given_input.criteria))
    )
    assert generate(given_input) == generate(given_input) == generate(shuffled)


@settings(max_examples=200, deadline=None)
@given(plan_inputs())
def test_phases_are_contiguous_and_now_items_are_ready(given_input):
    plan = generate(given_input)
    order = [item.phase for item in plan.items]
    assert order == sorted(order, key=[Phase.NOW, Phase.NEXT, Phase.LATER].index)
    assert len(plan.phase(Phase.NOW)) <= NOW_MAX
    assert all(item.ready for item in plan.phase(Phase.NOW))
    ready = [item for item in plan.items if item.ready]
    assert len(plan.phase(Phase.NOW)) == min(NOW_MAX, len(ready))
