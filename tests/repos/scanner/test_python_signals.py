"""Signals from Python code and notebooks, read with ast: calls count, words do not."""

from __future__ import annotations

import json

import pytest

TRAIN = """
import mlflow
import mlflow.sklearn

def main(model, X, y):
    with mlflow.start_run():
        mlflow.log_param("alpha", 0.5)
        model.fit(X, y)
        mlflow.sklearn.log_model(model, "model", registered_model_name="churn")
"""


def notebook(*cells: tuple[str, str], outputs: list | None = None) -> str:
    return json.dumps(
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {},
            "cells": [
                {
                    "cell_type": kind,
                    "metadata": {},
                    "source": source.splitlines(keepends=True),
                    **(
                        {"outputs": outputs or [], "execution_count": 1}
                        if kind == "code"
                        else {}
                    ),
                }
                for kind, source in cells
            ],
        }
    )


def test_mlflow_calls_are_wired_tracking_and_registry(signals):
    found = signals({"src/train.py": TRAIN})

    assert found["experiment_tracking"].strength == "wired"
    assert "src/train.py:6" in found["experiment_tracking"].evidence
    assert found["model_registry"].evidence == ("src/train.py:9",)


def test_import_alone_is_declared_tracking_and_no_registry(signals):
    found = signals({"src/util.py": "import mlflow\n\nVERSION = 1\n"})

    assert found["experiment_tracking"].strength == "declared"
    assert found["experiment_tracking"].evidence == ("src/util.py:1",)
    assert found["model_registry"].value is False


def test_mlflow_in_comments_and_strings_does_not_count(signals):
    code = '# import mlflow\n# mlflow.start_run()\nDOC = """import mlflow\nmlflow.register_model(x)"""\n'

    found = signals({"src/notes.py": code})

    assert found["experiment_tracking"].value is False
    assert found["model_registry"].value is False


def test_a_local_function_named_like_mlflow_does_not_count(signals):
    code = (
        "def log_metric(name, value):\n    print(name, value)\n\nlog_metric('a', 1)\n"
    )

    found = signals({"src/metrics.py": code})

    assert found["experiment_tracking"].value is False


def test_aliases_and_from_imports_resolve(signals):
    code = "import wandb as wb\nfrom mlflow import register_model\nwb.init(project='x')\nregister_model('runs:/1/m', 'm')\n"

    found = signals({"train.py": code})

    assert found["experiment_tracking"].strength == "wired"
    assert found["model_registry"].value is True


def test_file_that_does_not_parse_yields_nothing(signals):
    found = signals({"broken.py": "import mlflow\nmlflow.start_run(\n"})

    assert found["experiment_tracking"].value is False


def test_committed_mlruns_folder_is_not_tracking(signals):
    found = signals(
        {
            "mlruns/0/meta.yaml": "name: Default\n",
            "mlruns/0/abc/artifacts/model/code.py": "import mlflow\nmlflow.start_run()\n",
            "wandb/run-1/files/train.py": "import wandb\nwandb.init()\n",
        }
    )

    assert found["experiment_tracking"].value is False


def test_mlproject_file_is_declared_tracking(signals):
    found = signals(
        {"MLproject": "name: x\nentry_points:\n  main:\n    command: python t.py\n"}
    )

    assert found["experiment_tracking"].evidence == ("MLproject",)
    assert found["experiment_tracking"].strength == "declared"


@pytest.mark.parametrize(
    "code",
    [
        "from mlflow import MlflowClient\nc = MlflowClient()\nc.set_registered_model_alias('m', 'prod', 3)\n",
        "import mlflow\nm = mlflow.pyfunc.load_model('models:/churn/3')\n",
        "import wandb\nrun = wandb.init()\nrun.link_model(path='m', registered_model_name='churn')\n",
        "from google.cloud import aiplatform\naiplatform.Model.upload(display_name='m')\n",
    ],
)
def test_registry_calls(signals, code):
    assert signals({"register.py": code})["model_registry"].strength == "wired"


def test_log_model_without_registered_name_is_not_registry(signals):
    code = "import mlflow\nmlflow.sklearn.log_model(m, 'model', registered_model_name=None)\n"

    found = signals({"t.py": code})

    assert found["model_registry"].value is False
    assert found["experiment_tracking"].strength == "wired"


def test_notebook_code_cells_count(signals):
    nb = notebook(
        ("markdown", "# Training"),
        ("code", "%pip install mlflow\nimport mlflow\nmlflow.autolog()"),
    )

    found = signals({"notebooks/train.ipynb": nb})

    assert found["experiment_tracking"].strength == "wired"
    assert found["experiment_tracking"].evidence == ("notebooks/train.ipynb",)


def test_notebook_markdown_and_outputs_do_not_count(signals):
    outputs = [
        {
            "output_type": "stream",
            "name": "stdout",
            "text": ["import mlflow\n", "mlflow.start_run()\n"],
        },
        {
            "output_type": "display_data",
            "metadata": {},
            # An embedded image whose base64 happens to spell the words.
            "data": {
                "image/png": "aW1wb3J0IG1sZmxvdwo=mlflowwandbimportmlflow",
                "text/plain": ["import wandb"],
            },
        },
    ]
    nb = notebook(
        ("markdown", "We use `import mlflow` and mlflow.start_run() later."),
        ("code", "print(1)"),
        outputs=outputs,
    )

    found = signals({"eda.ipynb": nb})

    assert found["experiment_tracking"].value is False


def test_broken_notebook_yields_nothing(signals):
    assert signals({"x.ipynb": "{not json"})["experiment_tracking"].value is False


@pytest.mark.parametrize(
    ("files", "strength"),
    [
        (
            {
                "dags/train.py": "from airflow import DAG\nwith DAG('t') as dag:\n    pass\n"
            },
            "wired",
        ),
        (
            {"flows.py": "from prefect import flow\n@flow\ndef train():\n    pass\n"},
            "wired",
        ),
        (
            {
                "p.py": "from kfp import dsl\n@dsl.pipeline(name='p')\ndef p():\n    pass\n"
            },
            "wired",
        ),
        (
            {"p.py": "from zenml import pipeline\n@pipeline\ndef p():\n    pass\n"},
            "wired",
        ),
        (
            {
                "f.py": "from metaflow import FlowSpec, step\nclass F(FlowSpec):\n    @step\n    def start(self):\n        pass\n"
            },
            "wired",
        ),
        (
            {"d.py": "from dagster import asset\n@asset\ndef table():\n    return 1\n"},
            "wired",
        ),
        ({"dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n"}, "declared"),
        (
            {
                "dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n",
                "dvc.lock": "schema: '2.0'\nstages:\n  train:\n    cmd: python train.py\n",
            },
            "wired",
        ),
        (
            {
                "pipeline.yaml": "pipelineInfo: {name: p}\nroot: {}\ndeploymentSpec: {}\n"
            },
            "declared",
        ),
        (
            {
                "prefect.yaml": "deployments:\n  - name: train\n    entrypoint: flows/train.py:train\n"
            },
            "declared",
        ),
    ],
)
def test_training_pipelines(signals, files, strength):
    assert signals(files)["training_pipeline"].strength == strength


@pytest.mark.parametrize(
    "files",
    [
        {"p.py": "@pipeline\ndef p():\n    pass\n"},  # no import: not ZenML's
        {
            "p.py": "import metaflow\nclass F(metaflow.FlowSpec):\n    pass\n"
        },  # no steps
        {"dvc.yaml": "stages: {}\n"},
        {"docs/pipelines.md": "from airflow import DAG\n"},
    ],
)
def test_not_training_pipelines(signals, files):
    assert signals(files)["training_pipeline"].value is False


def test_scheduled_airflow_dag_that_trains_is_continuous_training(signals):
    dag = """
from airflow import DAG
from airflow.operators.python import PythonOperator
from models.train import train_model

with DAG("retrain", schedule="@weekly") as dag:
    PythonOperator(task_id="train", python_callable=train_model)
"""
    found = signals({"dags/retrain.py": dag})

    assert found["scheduled_workflow"].evidence == ("dags/retrain.py:6",)
    assert found["continuous_training"].strength == "wired"


def test_unscheduled_or_non_training_dag_is_not_continuous_training(signals):
    manual = "from airflow import DAG\nfrom x import train\nDAG('t', schedule=None)\n"
    ingest = "from airflow import DAG\nfrom x import load\nDAG('i', schedule_interval='@daily')\n"

    found = signals({"dags/manual.py": manual, "dags/ingest.py": ingest})

    assert found["scheduled_workflow"].evidence == ("dags/ingest.py:3",)
    assert found["continuous_training"].value is False


@pytest.mark.parametrize(
    ("code", "strength"),
    [
        (
            "import pandera as pa\nschema = pa.DataFrameSchema({'a': pa.Column(int)})\n",
            "wired",
        ),
        ("import pandera as pa\nclass S(pa.DataFrameModel):\n    a: int\n", "wired"),
        (
            "import great_expectations as gx\nctx = gx.get_context()\nctx.run_checkpoint(checkpoint_name='c')\n",
            "wired",
        ),
        (
            "import tensorflow_data_validation as tfdv\nstats = tfdv.generate_statistics_from_csv('x')\n",
            "wired",
        ),
        (
            "from deepchecks.tabular.suites import data_integrity\ndata_integrity().run(ds)\n",
            "wired",
        ),
        ("import great_expectations\n", "declared"),
        (
            "import great_expectations as gx\nv = get()\n"
            + "X = 1\n" * 500  # big enough for a focused parse
            + "def check(v):\n    v.expect_column_values_to_not_be_null('id')\n",
            "wired",
        ),
    ],
)
def test_data_validation_code(signals, code, strength):
    assert signals({"validate.py": code})["data_validation"].strength == strength


def test_great_expectations_project_is_declared_validation(signals):
    found = signals({"gx/great_expectations.yml": "config_version: 3\n"})

    assert found["data_validation"].strength == "declared"


def test_validate_method_without_a_validation_library_does_not_count(signals):
    found = signals({"forms.py": "import pandas\nform.validate()\n"})

    assert found["data_validation"].value is False


@pytest.mark.parametrize(
    "code",
    [
        "from evidently import Report\nfrom evidently.presets import DataDriftPreset\nReport([DataDriftPreset()])\n",
        "from evidently.test_suite import TestSuite\nTestSuite(tests=[])\n",
        "import whylogs as why\nwhy.log(df)\n",
        "import nannyml as nml\nnml.CBPE(y_pred='p')\n",
        "from alibi_detect.cd import KSDrift\nKSDrift(x_ref)\n",
        "from prometheus_client import Counter\nPREDICTIONS = Counter('predictions_total', 'n')\n",
    ],
)
def test_monitoring_code_is_wired(signals, code):
    assert signals({"serve/monitor.py": code})["monitoring"].strength == "wired"


def test_prometheus_alert_rules_are_declared_monitoring(signals):
    rules = "groups:\n  - name: model\n    rules:\n      - alert: DriftHigh\n        expr: drift > 0.3\n"

    found = signals({"ops/alerts.yml": rules})

    assert found["monitoring"].strength == "declared"
    assert found["monitoring"].evidence == ("ops/alerts.yml",)


def test_recording_rules_without_alerts_are_not_monitoring(signals):
    rules = "groups:\n  - name: x\n    rules:\n      - record: job:x\n        expr: sum(x)\n"

    assert signals({"rules.yml": rules})["monitoring"].value is False


def test_hydra_logger_config_is_declared_tracking(signals):
    config = "wandb:\n  _target_: lightning.pytorch.loggers.wandb.WandbLogger\n  project: x\n"

    found = signals({"configs/logger/wandb.yaml": config})

    assert found["experiment_tracking"].strength == "declared"


def test_huggingface_report_to_is_wired_tracking(signals):
    code = "from transformers import TrainingArguments\nargs = TrainingArguments('out', report_to='wandb')\n"

    assert signals({"train.py": code})["experiment_tracking"].strength == "wired"


def test_kubernetes_cronjob_running_training(signals):
    manifest = """
apiVersion: batch/v1
kind: CronJob
metadata: {name: retrain}
spec:
  schedule: "0 2 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: trainer
              image: org/model:1
              command: ["python", "-m", "model.train"]
"""
    found = signals({"k8s/retrain.yaml": manifest})

    assert found["scheduled_workflow"].value is True
    assert found["continuous_training"].value is True
