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

# What each signal shows, in words, for pages and exports.
SIGNAL_LABELS = {
    "ci_config": "CI configuration",
    "ci_runs_tests": "CI runs the tests",
    "tests_present": "tests in the repository",
    "scheduled_workflow": "a scheduled workflow",
    "training_pipeline": "a training pipeline in code",
    "continuous_training": "scheduled or triggered retraining",
    "experiment_tracking": "experiment tracking",
    "model_registry": "use of a model registry",
    "data_versioning": "versioned data",
    "data_validation": "automated data validation",
    "monitoring": "production monitoring or drift checks",
    "containerised": "a container build",
    "dependency_pinning": "pinned dependencies",
    "model_card": "a model card",
    "ci_pass_rate": "a healthy CI pass rate",
    "ci_run_frequency": "CI running regularly",
    "scheduled_run_success": "scheduled runs succeeding",
    "deployment_frequency": "frequent deployments",
    "lead_time": "a short lead time for changes",
    "change_failure_rate": "a low change failure rate",
}

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


def evidence_in_words(rule: str, level: int) -> str:
    """What evidence gives a criterion full credit, for someone planning the work."""
    key = signal_key(rule)
    if key is not None:
        label = SIGNAL_LABELS.get(key, key)
        if level >= 3:
            return f"A linked repository or CI system shows {label}, running (signal {key})."
        return f"A linked repository shows {label} (signal {key})."
    if rule == ARTIFACT:
        return "An artifact attached to the assessment and verified by a reviewer."
    return "The team attests it in the assessment; no automatic evidence exists."
