"""Random valid rubrics as RubricSpecs (hypothesis), for round-trip properties."""

from __future__ import annotations

from hypothesis import strategies as st

from apps.rubrics.evidence import SIGNAL_KEYS
from apps.rubrics.spec import (
    CriterionSpec,
    DimensionSpec,
    LevelSpec,
    OptionSpec,
    QuestionSpec,
    RubricSpec,
)

# Any printable text an author might paste, trimmed the way the schema trims it.
texts = (
    st.text(
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
        min_size=1,
        max_size=30,
    )
    .map(str.strip)
    .filter(bool)
)
optional_texts = st.one_of(st.just(""), texts)
numbers = st.one_of(
    st.integers(-1000, 1000),
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
)
PROOF_RULES = sorted(["artifact", *(f"signal:{key}" for key in SIGNAL_KEYS)])


@st.composite
def options(draw, *, with_level: bool) -> tuple[OptionSpec, ...]:
    values = draw(
        st.lists(
            st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True),
            min_size=2,
            max_size=4,
            unique=True,
        )
    )
    return tuple(
        OptionSpec(
            value=value,
            label=draw(texts),
            level=draw(st.integers(0, 4)) if with_level else None,
            evidence_required=False if with_level else draw(st.booleans()),
        )
        for value in values
    )


@st.composite
def questions(draw, key: str) -> QuestionSpec:
    kind = draw(
        st.sampled_from(["yes_no", "text", "single_choice", "multi_select", "number"])
    )
    extra = {}
    if kind in ("single_choice", "multi_select"):
        extra["options"] = draw(options(with_level=kind == "single_choice"))
    if kind == "number":
        extra["unit"] = draw(st.one_of(st.just(""), texts))
        extra["min"] = draw(st.one_of(st.none(), numbers.map(float)))
        extra["max"] = draw(st.one_of(st.none(), numbers.map(float)))
    return QuestionSpec(
        key=key, type=kind, text=draw(texts), help=draw(optional_texts), **extra
    )


def _met_when(draw, question: QuestionSpec) -> dict | None:
    if question.type == "number":
        return {draw(st.sampled_from(["gte", "lte"])): draw(numbers)}
    if question.type != "multi_select":
        return None
    values = [o.value for o in question.options]
    operator = draw(st.sampled_from(["any_of", "all_of", "min_selected"]))
    if operator == "min_selected":
        return {operator: draw(st.integers(1, len(values)))}
    return {operator: draw(st.lists(st.sampled_from(values), min_size=1, unique=True))}


@st.composite
def criteria(
    draw, dimension: str, shared: tuple[QuestionSpec, ...], earlier: list[str]
):
    count = draw(st.integers(max(1, len(shared)), 4))
    out = []
    for n in range(count):
        level = draw(st.integers(1, 4))
        key = f"{dimension}.l{level}.c{n}"
        # Every shared question is used by one criterion at least.
        use_shared = n < len(shared) or (shared and draw(st.booleans()))
        question = shared[n % len(shared)] if use_shared else draw(questions(key))
        rules = PROOF_RULES if level >= 3 else ["attest", *PROOF_RULES]
        out.append(
            CriterionSpec(
                key=key,
                level=level,
                statement=draw(texts),
                evidence=draw(st.sampled_from(rules)),
                # Only criteria written earlier: never a cycle.
                requires=tuple(
                    draw(st.lists(st.sampled_from(earlier), unique=True, max_size=2))
                    if earlier
                    else ()
                ),
                effort=draw(st.sampled_from("SML")),
                guidance=draw(optional_texts),
                anchor=draw(optional_texts),
                question=question,
                shared_question=bool(use_shared),
                met_when=_met_when(draw, question),
            )
        )
        earlier.append(key)
    return tuple(out)


@st.composite
def rubric_specs(draw) -> RubricSpec:
    keys = draw(
        st.lists(
            st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True),
            min_size=1,
            max_size=3,
            unique=True,
        )
    )
    earlier: list[str] = []
    dimensions = []
    for key in keys:
        shared = tuple(
            draw(questions(f"{key}.q{n}")) for n in range(draw(st.integers(0, 2)))
        )
        dimensions.append(
            DimensionSpec(
                key=key,
                name=draw(texts),
                description=draw(optional_texts),
                core=draw(st.booleans()),
                weight=draw(st.floats(0.001, 100, allow_nan=False)),
                questions=shared,
                criteria=draw(criteria(key, shared, earlier)),
            )
        )
    major, minor, patch = draw(st.tuples(*[st.integers(0, 99)] * 3))
    return RubricSpec(
        slug=draw(st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True)),
        version=f"{major}.{minor}.{patch}",
        title=draw(texts),
        description=draw(optional_texts),
        levels=tuple(
            LevelSpec(level=n, name=draw(texts), description=draw(optional_texts))
            for n in range(5)
        ),
        dimensions=tuple(dimensions),
    )
