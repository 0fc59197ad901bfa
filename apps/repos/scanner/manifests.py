"""YAML that is not CI: Prometheus alert rules, compiled Kubeflow and Argo pipelines,
Kubernetes CronJobs, Prefect deployments, and Hydra configs that name a tracker.

Any .yml/.yaml file may be one of these, so each file's bytes are checked for a
telltale word before it is parsed (most YAML in an ML repository is model config).
"""

from __future__ import annotations

import re
from typing import Any

from .commands import invokes_training, is_training_name
from .signals import DECLARED, WIRED, Hit
from .yamlload import as_list, strings_under, walk

NEEDLE = re.compile(
    rb"alert|pipelineInfo|argoproj\.io|CronJob|_target_|deployments|PrometheusRule"
)
_ARGO_KINDS = {
    "Workflow",
    "WorkflowTemplate",
    "ClusterWorkflowTemplate",
    "CronWorkflow",
}
_COMMAND_KEYS = frozenset({"command", "args", "source"})
_TRACKER = re.compile(
    r"^(?:mlflow|wandb|neptune|comet_ml|clearml|dvclive)\b"
    r"|\.loggers\.(?:\w+\.)?(?:Wandb|MLFlow|Comet|Neptune)Logger$"
)


def detect_manifest(path: str, docs: list[Any] | None) -> list[Hit]:
    hits: list[Hit] = []
    for doc in docs or []:
        if isinstance(doc, dict):
            hits += _prometheus(path, doc) + _pipelines(path, doc) + _hydra(path, doc)
    return hits


def _prometheus(path: str, doc: dict) -> list[Hit]:
    spec = doc.get("spec") if doc.get("kind") == "PrometheusRule" else doc
    groups = spec.get("groups") if isinstance(spec, dict) else None
    for group in groups if isinstance(groups, list) else []:
        rules = group.get("rules") if isinstance(group, dict) else None
        if any(isinstance(r, dict) and "alert" in r for r in as_list(rules)):
            return [Hit("monitoring", DECLARED, path)]
    return []


def _pipelines(path: str, doc: dict) -> list[Hit]:
    kind = doc.get("kind")
    if "pipelineInfo" in doc and ("deploymentSpec" in doc or "root" in doc):
        return [Hit("training_pipeline", DECLARED, path)]
    argo = str(doc.get("apiVersion", "")).startswith("argoproj.io/")
    if argo and kind in _ARGO_KINDS:
        hits = [Hit("training_pipeline", DECLARED, path)]
        if kind == "CronWorkflow":
            hits += _scheduled(path, doc.get("spec"), names=True)
        return hits
    spec = doc.get("spec")
    if kind == "CronJob" and isinstance(spec, dict) and spec.get("schedule"):
        return _scheduled(path, spec, names=False)
    if isinstance(doc.get("deployments"), list):
        return _prefect(path, doc["deployments"])
    return []


def _scheduled(path: str, spec: Any, *, names: bool) -> list[Hit]:
    hits = [Hit("scheduled_workflow", DECLARED, path)]
    texts = strings_under(spec, _COMMAND_KEYS)
    trains = any(invokes_training(text) for text in texts)
    if names and not trains:
        trains = any(
            key == "name" and isinstance(value, str) and is_training_name(value)
            for key, value in walk(spec)
        )
    if trains:
        hits.append(Hit("continuous_training", WIRED, path))
    return hits


def _prefect(path: str, deployments: list) -> list[Hit]:
    """prefect.yaml: deployments of flows, with their schedules."""
    entries = [d for d in deployments if isinstance(d, dict) and d.get("entrypoint")]
    if not entries:
        return []
    hits = [Hit("training_pipeline", DECLARED, path)]
    for deployment in entries:
        if deployment.get("schedule") or deployment.get("schedules"):
            hits.append(Hit("scheduled_workflow", DECLARED, path))
            entrypoint = str(deployment["entrypoint"]).replace(":", "/")
            if is_training_name(entrypoint) or is_training_name(
                str(deployment.get("name", ""))
            ):
                hits.append(Hit("continuous_training", WIRED, path))
    return hits


def _hydra(path: str, doc: dict) -> list[Hit]:
    """A config that instantiates a tracker (`_target_: ...WandbLogger`) when chosen."""
    for key, value in walk(doc):
        if key == "_target_" and isinstance(value, str) and _TRACKER.search(value):
            return [Hit("experiment_tracking", DECLARED, path)]
    return []
