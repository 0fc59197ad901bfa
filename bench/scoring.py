"""Scoring engine throughput: score_assessment over many random answer sets, no database.

    .venv/bin/python bench/scoring.py [--assessments N] [--seed S] [--rubric PATH]

The rubric is the default one, fixtures/rubrics/mlops-default.yaml, parsed and validated
with apps.rubrics.validation.parse_rubric (Django is set up for that, but no database is
touched). Every dimension gets target level 3 (so gaps are computed) and the file's
weights and core flags. If the file is missing the bench falls back to a synthetic rubric
of 11 dimensions x 4 levels x 2-3 criteria, and says so in the output.

Inputs are generated once, before timing, from a seeded random generator: each simulated
team has a maturity per dimension, so claims, evidence, stale or absent signals, rulings,
N/A answers and blanks vary as they would across an organisation.

It prints one JSON object: assessments, criteria_per_assessment, seconds (wall clock, the
timed loop only), assessments_per_s, criteria_evaluated_per_s; then cpu_seconds and
assessments_per_cpu_s (steady when other processes share the machine), the rubric used,
the seed, the level distribution of the scored dimensions and conflicts per assessment
(checks that the inputs are varied). Target: 2,000 assessments/s or more.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RUBRIC = ROOT / "fixtures" / "rubrics" / "mlops-default.yaml"
TARGET_LEVEL = 3

sys.path.insert(0, str(ROOT))

from apps.assessments.scoring import (  # noqa: E402
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


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assessments", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=20240501)
    parser.add_argument("--rubric", type=Path, default=DEFAULT_RUBRIC)
    return parser.parse_args()


def rubric_from_file(path: Path) -> tuple[RubricModel, set[str]]:
    """The engine's view of a rubric file, and the criteria a signal can prove."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "true")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from apps.rubrics.validation import parse_rubric

    name = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
    spec = parse_rubric(path.read_text(encoding="utf-8"), filename=name)
    model = RubricModel(
        tuple(
            DimensionRule(
                id=d.key,
                criteria=tuple(CriterionRule(c.key, c.level) for c in d.criteria),
                weight=d.weight,
                core=d.core,
                target=TARGET_LEVEL,
            )
            for d in spec.dimensions
        )
    )
    signalled = {
        c.key
        for d in spec.dimensions
        for c in d.criteria
        if c.evidence.startswith("signal:")
    }
    return model, signalled


def synthetic_rubric(rng: random.Random) -> tuple[RubricModel, set[str]]:
    """11 dimensions x 4 levels x 2-3 criteria; about half of L2-L4 have a signal."""
    dimensions, signalled = [], set()
    for index in range(11):
        dimension_id = f"dim{index:02d}"
        criteria = []
        for level in range(1, 5):
            for n in range(rng.randint(2, 3)):
                key = f"{dimension_id}.l{level}.c{n}"
                criteria.append(CriterionRule(key, level))
                if level >= 2 and rng.random() < 0.5:
                    signalled.add(key)
        dimensions.append(
            DimensionRule(
                dimension_id,
                tuple(criteria),
                weight=1.0,
                core=index < 9,
                target=TARGET_LEVEL,
            )
        )
    return RubricModel(tuple(dimensions)), signalled


def random_inputs(
    rubric: RubricModel, signalled: set[str], rng: random.Random
) -> dict[str, CriterionInput]:
    """One team's answers: practice thins out above its maturity in each dimension."""
    inputs = {}
    for dimension in rubric.dimensions:
        maturity = rng.choice((0, 1, 1, 2, 2, 2, 3, 3, 4))
        for criterion in dimension.criteria:
            roll = rng.random()
            if roll < 0.05:
                continue  # left blank: no input at all
            if roll < 0.10:
                inputs[criterion.id] = CriterionInput(Claim.NOT_APPLICABLE)
                continue
            practised = criterion.level <= maturity or rng.random() < 0.15
            claim = Claim.MET if practised else Claim.NOT_MET
            # Teams that practise automation tend to prove it: more reviewed artifacts.
            proof = 0.6 if practised and criterion.level >= 3 else 0.25
            artifact = (
                rng.choice((ArtifactReview.VERIFIED, ArtifactReview.REJECTED))
                if rng.random() < proof
                else ArtifactReview.NONE
            )
            signal, resolution = SignalState.UNKNOWN, Resolution.NONE
            if criterion.id in signalled:
                signal = rng.choices(
                    (
                        SignalState.FRESH,
                        SignalState.STALE,
                        SignalState.ABSENT,
                        SignalState.UNKNOWN,
                    ),
                    weights=(7, 1, 1, 1) if practised else (1, 1, 6, 2),
                )[0]
                if signal == SignalState.ABSENT and rng.random() < 0.3:
                    resolution = rng.choice(
                        (Resolution.CLAIM_UPHELD, Resolution.SIGNAL_UPHELD)
                    )
            inputs[criterion.id] = CriterionInput(claim, artifact, signal, resolution)
    return inputs


def main() -> None:
    args = parse_args()
    rng = random.Random(args.seed)
    if args.rubric.exists():
        rubric, signalled = rubric_from_file(args.rubric)
        source = (
            str(args.rubric.relative_to(ROOT))
            if args.rubric.is_relative_to(ROOT)
            else str(args.rubric)
        )
    else:
        rubric, signalled = synthetic_rubric(rng)
        source = "synthetic (11 dimensions x 4 levels x 2-3 criteria)"
    input_sets = [
        random_inputs(rubric, signalled, rng) for _ in range(args.assessments)
    ]
    criteria = sum(len(d.criteria) for d in rubric.dimensions)

    for inputs in input_sets[:100]:  # warm up
        score_assessment(rubric, inputs)
    start, start_cpu = time.perf_counter(), time.process_time()
    scores = [score_assessment(rubric, inputs) for inputs in input_sets]
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - start_cpu

    levels = Counter(d.level for s in scores for d in s.dimensions)
    print(
        json.dumps(
            {
                "assessments": args.assessments,
                "criteria_per_assessment": criteria,
                "seconds": round(seconds, 4),
                "assessments_per_s": round(args.assessments / seconds, 1),
                "criteria_evaluated_per_s": round(
                    args.assessments * criteria / seconds
                ),
                # CPU time of this process: the same figure on a busy machine.
                "cpu_seconds": round(cpu_seconds, 4),
                "assessments_per_cpu_s": round(args.assessments / cpu_seconds, 1),
                "rubric": source,
                "seed": args.seed,
                "dimension_levels": {str(k): levels[k] for k in sorted(levels)},
                "conflicts_per_assessment": round(
                    sum(len(s.conflicts) for s in scores) / max(len(scores), 1), 2
                ),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
