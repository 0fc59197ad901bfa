"""A large synthetic organisation, to try the leadership dashboards at scale.

`seed_scale` writes one new organisation: business units, teams and their people,
team targets, a scanned repository for most teams, quarterly assessments (answers,
evidence, rulings, score snapshots), a roadmap per team, and a model registry with
versions, production aliases and promotion requests.

Nothing is scored by hand. Answers follow a per-team maturity that grows each quarter
with noise (as apps/assessments/demo.py does) and go through the real claims and
scoring engine; roadmaps come from the real planning engine. Rows are bulk-inserted,
bypassing the services and their one audit event per change, in one transaction; one
`scale.seeded` event in the organisation's chain records the whole seed, so the chain
stays valid. Every random draw comes from a generator seeded by (seed, team, quarter),
so the same seed gives the same organisation however the work is batched.

The package reads in the order the seed writes: `world` (options, constants and the
shared state), `people`, `repos`, `assessments` (which plans `roadmaps`), `registry`,
and `seed`, the entry point.
"""

from apps.dashboards.scale.seed import seed_scale
from apps.dashboards.scale.world import (
    ProgressBar,
    ScaleError,
    ScaleOptions,
    ScaleResult,
    no_progress,
    options_problems,
    quarters_before,
)

__all__ = [
    "ProgressBar",
    "ScaleError",
    "ScaleOptions",
    "ScaleResult",
    "no_progress",
    "options_problems",
    "quarters_before",
    "seed_scale",
]
