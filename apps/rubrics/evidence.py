"""Evidence rules a criterion may declare, and the catalogue of signal keys."""

from __future__ import annotations

# Static facts read from a repository checkout (DESIGN.md §4), in the order the
# scanner reports them.
STATIC_SIGNAL_KEYS = (
    "ci_config",
    "ci_runs_tests",
    "tests_present",
    "scheduled_workflow",
    "training_pipeline",
    "continuous_training",
    "experiment_tracking",
    "model_registry",
    "data_versioning",
    "data_validation",
    "monitoring",
    "containerised",
    "dependency_pinning",
    "model_card",
)
STATIC_SIGNALS = frozenset(STATIC_SIGNAL_KEYS)
# Runtime facts from CI APIs and webhooks.
RUNTIME_SIGNAL_KEYS = (
    "ci_pass_rate",
    "ci_run_frequency",
    "scheduled_run_success",
    "deployment_frequency",
    "lead_time",
    "change_failure_rate",
)
RUNTIME_SIGNALS = frozenset(RUNTIME_SIGNAL_KEYS)
SIGNAL_KEYS = STATIC_SIGNALS | RUNTIME_SIGNALS

ATTEST = "attest"
ARTIFACT = "artifact"
SIGNAL_PREFIX = "signal:"


def signal_key(rule: str) -> str | None:
    """The signal a rule names (`signal:ci_config` → `ci_config`), else None."""
    return rule[len(SIGNAL_PREFIX) :] if rule.startswith(SIGNAL_PREFIX) else None


def rule_error(rule: str) -> str | None:
    """Why an evidence rule is not valid, or None when it is."""
    if rule in (ATTEST, ARTIFACT):
        return None
    key = signal_key(rule)
    if key is None:
        return f"unknown evidence rule {rule!r}: use attest, artifact or signal:<key>"
    if key not in SIGNAL_KEYS:
        return f"unknown signal key {key!r}"
    return None
