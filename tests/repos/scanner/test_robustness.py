"""Detectors take whatever a repository holds: odd shapes yield nothing, never a crash."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.repos.scanner import ci, files, manifests

JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(
        st.sampled_from(
            ["on", "jobs", "steps", "run", "script", "rules", "if", "only", "extends",
             "workflows", "triggers", "schedule", "schedules", "stages", "groups",
             "alert", "kind", "spec", "deployments", "entrypoint", "_target_", "cron",
             "uses", "runs", "when", "apiVersion", "command", "args"]
        ) | st.booleans(),
        children,
        max_size=5,
    ),
    max_leaves=25,
)  # fmt: skip
DETECTORS = [
    ci.detect_github,
    ci.detect_github_action,
    ci.detect_gitlab,
    ci.detect_circleci,
    ci.detect_azure,
    ci.detect_other,
    manifests.detect_manifest,
    files.dvc_pipeline,
]


@settings(max_examples=150, deadline=None)
@given(doc=JSONISH)
def test_yaml_detectors_never_raise(doc):
    for detect in DETECTORS:
        detect("x.yml", [doc])


@pytest.mark.parametrize(
    "text",
    ["jobs: 5\n", "jobs: {a: {rules: 5, only: 3, steps: 7}}\n", "on: [1, 2]\njobs: {a: []}\n",
     "a: &a [*a]\n", "- 1\n- 2\n", "workflows: {x: {triggers: 3, jobs: 4}}\njobs: {a: 1}\n"],
)  # fmt: skip
def test_odd_ci_files_scan_cleanly(signals, text):
    found = signals(
        {
            ".github/workflows/x.yml": text,
            ".gitlab-ci.yml": text,
            ".circleci/config.yml": text,
            "azure-pipelines.yml": text,
            "ops/alerts.yml": text,
            "Dockerfile": "FROM python\n",
        }
    )

    assert found["containerised"].value is True
