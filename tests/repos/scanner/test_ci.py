"""CI configs: ci_config, ci_runs_tests, scheduled_workflow, continuous_training."""

from __future__ import annotations

import pytest

GH_TESTS = """
name: ci
on:
  push:
  pull_request:
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pip install -r requirements.txt pytest
      - run: python -m pytest -q
"""
GH_LINT_ONLY = """
on: [push]
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - run: pip install ruff pytest  # pytest installed, never run
      - run: ruff check .
"""
GH_SCHEDULED_TRAINING = """
name: retrain
on:
  schedule:
    - cron: "0 3 * * 1"
  workflow_dispatch:
jobs:
  train:
    runs-on: ubuntu-latest
    steps:
      - run: python src/train.py --epochs 3
"""


def test_github_workflow_is_ci_config_and_runs_tests(signals):
    found = signals({".github/workflows/ci.yml": GH_TESTS})

    assert found["ci_config"].value is True
    assert found["ci_config"].strength == "declared"
    assert found["ci_config"].evidence == (".github/workflows/ci.yml",)
    assert found["ci_runs_tests"].strength == "wired"


def test_github_workflow_installing_pytest_does_not_run_tests(signals):
    found = signals({".github/workflows/lint.yaml": GH_LINT_ONLY})

    assert found["ci_config"].value is True
    assert found["ci_runs_tests"].value is False


def test_workflow_outside_the_workflows_folder_is_not_ci(signals):
    found = signals({"docs/examples/ci.yml": GH_TESTS, ".github/ci.yml": GH_TESTS})

    assert found["ci_config"].value is False


def test_unparsable_or_jobless_workflow_is_not_ci(signals):
    found = signals(
        {
            ".github/workflows/broken.yml": "on: [push\njobs: {",
            ".github/workflows/empty.yml": "on: push\njobs: {}\n",
        }
    )

    assert found["ci_config"].value is False


def test_on_schedule_is_read_despite_yaml_1_1_booleans(signals):
    # PyYAML's default loader reads the key `on` as True; the schedule is still found.
    found = signals({".github/workflows/retrain.yml": GH_SCHEDULED_TRAINING})

    assert found["scheduled_workflow"].value is True
    assert found["continuous_training"].strength == "wired"
    assert found["continuous_training"].evidence == (".github/workflows/retrain.yml",)


def test_a_true_key_written_for_on_still_counts(signals):
    workflow = GH_SCHEDULED_TRAINING.replace("\non:", "\ntrue:")

    found = signals({".github/workflows/retrain.yml": workflow})

    assert found["scheduled_workflow"].value is True


def test_quoted_on_key_and_yes_values_stay_strings(signals):
    workflow = (
        'name: x\n"on":\n  schedule:\n    - cron: "0 0 * * *"\nenv:\n  FLAG: yes\n'
    )
    workflow += "jobs:\n  a:\n    runs-on: x\n    steps: [{run: echo}]\n"

    found = signals({".github/workflows/x.yml": workflow})

    assert found["scheduled_workflow"].value is True


def test_push_only_workflow_is_not_scheduled(signals):
    found = signals({".github/workflows/ci.yml": GH_TESTS})

    assert found["scheduled_workflow"].value is False
    assert found["continuous_training"].value is False


def test_scheduled_workflow_without_training_is_not_continuous_training(signals):
    workflow = GH_SCHEDULED_TRAINING.replace("python src/train.py", "python report.py")

    found = signals({".github/workflows/nightly.yml": workflow})

    assert found["scheduled_workflow"].value is True
    assert found["continuous_training"].value is False


def test_training_job_kept_to_push_events_is_not_continuous_training(signals):
    workflow = GH_SCHEDULED_TRAINING.replace(
        "    runs-on: ubuntu-latest",
        "    if: github.event_name == 'push'\n    runs-on: x",
    )

    found = signals({".github/workflows/retrain.yml": workflow})

    assert found["continuous_training"].value is False


def test_training_only_on_push_is_not_continuous_training(signals):
    workflow = GH_SCHEDULED_TRAINING.replace(
        'schedule:\n    - cron: "0 3 * * 1"', "push:"
    )

    found = signals({".github/workflows/retrain.yml": workflow})

    assert found["scheduled_workflow"].value is False
    assert found["continuous_training"].value is False


def test_scheduled_job_running_a_pipeline_file_is_continuous_training(signals):
    # weekly.py is not named for training, but it defines a Prefect flow.
    workflow = GH_SCHEDULED_TRAINING.replace(
        "src/train.py --epochs 3", "jobs/weekly.py"
    )
    flow = "from prefect import flow\n\n@flow\ndef weekly():\n    pass\n"

    found = signals({".github/workflows/w.yml": workflow, "jobs/weekly.py": flow})

    assert found["continuous_training"].evidence == (".github/workflows/w.yml",)


def test_scheduled_job_running_a_script_that_fits_a_model_is_continuous_training(
    signals,
):
    workflow = GH_SCHEDULED_TRAINING.replace(
        "src/train.py --epochs 3", "-m jobs.weekly"
    )
    script = "import pandas as pd\nmodel = make()\nmodel.fit(pd.read_csv('x'))\n"

    found = signals({".github/workflows/w.yml": workflow, "jobs/weekly.py": script})

    assert found["continuous_training"].value is True


def test_scheduled_job_running_a_plain_script_is_not_continuous_training(signals):
    workflow = GH_SCHEDULED_TRAINING.replace(
        "src/train.py --epochs 3", "jobs/weekly.py"
    )

    found = signals(
        {".github/workflows/w.yml": workflow, "jobs/weekly.py": "print('report')\n"}
    )

    assert found["continuous_training"].value is False


def test_scheduled_workflow_calling_a_training_workflow_is_continuous_training(
    signals,
):
    caller = 'on:\n  schedule:\n    - cron: "0 0 * * 0"\njobs:\n  t:\n'
    caller += "    uses: ./.github/workflows/train.yml\n"
    called = "on: workflow_call\njobs:\n  t:\n    runs-on: x\n"
    called += "    steps:\n      - run: dvc repro\n"

    found = signals(
        {".github/workflows/weekly.yml": caller, ".github/workflows/train.yml": called}
    )

    assert found["continuous_training"].evidence == (".github/workflows/weekly.yml",)


def test_local_composite_action_running_tests(signals):
    action = "runs:\n  using: composite\n  steps:\n    - run: uv run pytest\n      shell: bash\n"
    workflow = "on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n      - uses: ./.github/actions/test\n"

    found = signals(
        {
            ".github/actions/test/action.yml": action,
            ".github/workflows/ci.yml": workflow,
        }
    )

    assert found["ci_runs_tests"].evidence == (".github/actions/test/action.yml",)


def test_scheduled_job_using_a_local_training_action_is_continuous_training(signals):
    action = "runs:\n  using: composite\n  steps:\n    - run: python -m src.retrain\n"
    workflow = GH_SCHEDULED_TRAINING.replace(
        "      - run: python src/train.py --epochs 3",
        "      - uses: ./.github/actions/fit",
    )

    found = signals(
        {".github/actions/fit/action.yml": action, ".github/workflows/w.yml": workflow}
    )

    assert found["continuous_training"].evidence == (".github/workflows/w.yml",)


GITLAB = """
stages: [test, train]
.python:
  image: python:3.12
  before_script:
    - pip install -r requirements.txt
unit:
  extends: .python
  stage: test
  script:
    - pytest
retrain:
  extends: .python
  stage: train
  rules:
    - if: '$CI_PIPELINE_SOURCE == "schedule"'
  script:
    - python -m pipeline.train_model
"""


def test_gitlab_ci_with_scheduled_training_job(signals):
    found = signals({".gitlab-ci.yml": GITLAB})

    for key in ("ci_config", "ci_runs_tests", "scheduled_workflow"):
        assert found[key].value is True, key
    assert found["continuous_training"].strength == "wired"


def test_gitlab_only_schedules_counts_as_scheduled(signals):
    config = "report:\n  only: [schedules]\n  script: [python report.py]\n"

    found = signals({".gitlab-ci.yml": config})

    assert found["scheduled_workflow"].value is True
    assert found["continuous_training"].value is False


def test_gitlab_rule_that_excludes_schedules_is_not_a_schedule(signals):
    config = GITLAB.replace(
        "- if: '$CI_PIPELINE_SOURCE == \"schedule\"'\n",
        "- if: '$CI_PIPELINE_SOURCE == \"schedule\"'\n      when: never\n",
    )

    found = signals({".gitlab-ci.yml": config})

    assert found["scheduled_workflow"].value is False
    assert found["continuous_training"].value is False


def test_gitlab_reference_tags_parse(signals):
    config = ".setup:\n  script: [pytest]\ntest:\n  script:\n    - !reference [.setup, script]\n"

    found = signals({".gitlab-ci.yml": config})

    assert found["ci_config"].value is True


def test_gitlab_file_with_only_templates_is_not_ci(signals):
    found = signals({".gitlab-ci.yml": ".tmpl:\n  script: [pytest]\n"})

    assert found["ci_config"].value is False


JENKINSFILE = """
// nightly: cron('H 2 * * *') in a comment does not schedule anything
pipeline {
  agent any
  stages {
    stage('Test') { steps { sh 'pytest -q' } }
  }
}
"""


def test_jenkinsfile_runs_tests(signals):
    found = signals({"Jenkinsfile": JENKINSFILE})

    assert found["ci_config"].value is True
    assert found["ci_runs_tests"].value is True
    assert found["scheduled_workflow"].value is False


def test_jenkins_cron_trigger_with_training(signals):
    text = JENKINSFILE.replace(
        "agent any", "agent any\n  triggers { cron('H 2 * * *') }"
    ).replace("pytest -q", "python train.py")

    found = signals({"Jenkinsfile": text})

    assert found["scheduled_workflow"].value is True
    assert found["continuous_training"].value is True
    assert found["ci_runs_tests"].value is False


def test_groovy_file_without_pipeline_is_not_ci(signals):
    found = signals({"Jenkinsfile": "// TODO: add a pipeline\n"})

    assert found["ci_config"].value is False


CIRCLE = """
version: 2.1
jobs:
  test:
    docker: [{image: cimg/python:3.12}]
    steps:
      - checkout
      - run: tox
  retrain:
    docker: [{image: cimg/python:3.12}]
    steps:
      - run:
          name: train
          command: python scripts/train.py
workflows:
  build:
    jobs: [test]
  nightly:
    triggers:
      - schedule:
          cron: "0 0 * * *"
          filters: {branches: {only: [main]}}
    jobs:
      - retrain
"""


def test_circleci_scheduled_workflow_trains(signals):
    found = signals({".circleci/config.yml": CIRCLE})

    for key in ("ci_config", "ci_runs_tests", "scheduled_workflow"):
        assert found[key].value is True, key
    assert found["continuous_training"].value is True


def test_circleci_without_triggers_is_not_scheduled(signals):
    config = CIRCLE.split("  nightly:")[0]

    found = signals({".circleci/config.yml": config})

    assert found["scheduled_workflow"].value is False
    assert found["continuous_training"].value is False


AZURE = """
trigger: [main]
schedules:
  - cron: "0 4 * * *"
    branches: {include: [main]}
    always: true
pool: {vmImage: ubuntu-latest}
steps:
  - script: python -m pytest
  - bash: python train.py
"""


def test_azure_pipeline_with_schedule(signals):
    found = signals({"azure-pipelines.yml": AZURE})

    for key in ("ci_config", "ci_runs_tests", "scheduled_workflow"):
        assert found[key].value is True, key
    assert found["continuous_training"].value is True


def test_azure_pipeline_without_steps_is_not_ci(signals):
    found = signals({"azure-pipelines.yml": "trigger: [main]\n"})

    assert found["ci_config"].value is False


@pytest.mark.parametrize(
    ("name", "config"),
    [
        (".travis.yml", "language: python\nscript: pytest\n"),
        (
            "bitbucket-pipelines.yml",
            "pipelines:\n  default:\n    - step:\n        script: [pytest]\n",
        ),
    ],
)
def test_travis_and_bitbucket_are_ci(signals, name, config):
    found = signals({name: config})

    assert found["ci_config"].value is True
    assert found["ci_runs_tests"].value is True
