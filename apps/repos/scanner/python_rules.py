"""Which calls, decorators, base classes and imports are evidence, and of what.

Each rule matches a name resolved through the file's imports (fnmatch patterns:
`mlflow.*.log_model` is any flavour's log_model). Method rules cover calls on objects
whose type `ast` cannot know (`client.create_model_version(...)`), and only count in a
file that imports the library the method belongs to. An import alone is `declared`;
a call or a definition is `wired`.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable

from .commands import invokes_training, is_training_name
from .pyfacts import Call, PyFacts
from .pyselect import Focus, alternation
from .signals import DECLARED, TRAINS, WIRED, Hit

Cond = Callable[[Call], bool]
_TRACKERS = {"wandb", "mlflow", "comet_ml", "neptune", "clearml", "dvclive", "aim"}


def _kw(*names: str) -> Cond:
    """Any of the keyword arguments is given and is not None."""
    return lambda call: any(call.kwargs.get(n) is not None for n in names)


def _scheduled(call: Call) -> bool:
    for key in ("schedule", "schedule_interval", "timetable"):
        value = call.kwargs.get(key)
        if value is not None and value != "@once":
            return True
    return False


def _registry_uri(call: Call) -> bool:
    return (call.first_str or "").startswith("models:/")


def _reports_to_tracker(call: Call) -> bool:
    value = call.kwargs.get("report_to")
    values = value if isinstance(value, list) else [value]
    return any(isinstance(v, str) and v in _TRACKERS for v in values)


_AIRFLOW_DAG = ("airflow.DAG", "airflow.models.DAG", "airflow.models.dag.DAG",
                "airflow.sdk.DAG")  # fmt: skip
_AIRFLOW_DECORATOR = ("airflow.decorators.dag", "airflow.sdk.dag", "airflow.dag")

# (signal, strength, patterns, condition) over resolved call names.
CALLS: list[tuple[str, str, tuple[str, ...], Cond | None]] = [
    ("experiment_tracking", WIRED, (
        "mlflow.start_run", "mlflow.log_metric", "mlflow.log_metrics",
        "mlflow.log_param", "mlflow.log_params", "mlflow.autolog", "mlflow.*.autolog",
        "mlflow.log_artifact", "mlflow.log_artifacts", "mlflow.log_dict",
        "mlflow.log_figure", "mlflow.log_table", "mlflow.log_text", "mlflow.log_image",
        "mlflow.log_input", "mlflow.set_experiment", "mlflow.set_tag", "mlflow.set_tags",
        "mlflow.*.log_model", "mlflow.evaluate", "wandb.init", "wandb.log",
        "wandb.watch", "wandb.log_artifact", "wandb.agent", "wandb.sweep",
        "wandb.Artifact", "wandb.integration.*", "wandb.keras.*", "neptune.init*",
        "neptune.new.init*", "comet_ml.Experiment", "comet_ml.OfflineExperiment",
        "comet_ml.ExistingExperiment", "comet_ml.start", "clearml.Task.init",
        "dvclive.*", "aim.Run", "aim.sdk.Run", "sacred.Experiment",
        "*.loggers.WandbLogger", "*.loggers.MLFlowLogger", "*.loggers.CometLogger",
        "*.loggers.NeptuneLogger", "*.loggers.*.WandbLogger", "*.loggers.*.MLFlowLogger",
        "transformers.integrations.*Callback",
    ), None),
    ("experiment_tracking", WIRED, ("*",), _reports_to_tracker),
    ("model_registry", WIRED, (
        "mlflow.register_model", "sagemaker.*ModelPackage",
        "sagemaker.workflow.step_collections.RegisterModel",
        "google.cloud.aiplatform.Model.upload*",
        "google.cloud.aiplatform.models.Model.upload*", "azureml.core.Model.register",
        "azureml.core.model.Model.register", "neptune.init_model*",
        "neptune.new.init_model*", "wandb.run.link_model", "wandb.run.link_artifact",
    ), None),
    ("model_registry", WIRED, ("mlflow.*.log_model",), _kw("registered_model_name")),
    ("model_registry", WIRED, ("mlflow.*load_model", "mlflow.*.load_model"), _registry_uri),
    ("training_pipeline", WIRED, (
        *_AIRFLOW_DAG, "dagster.Definitions", "dagster.define_asset_job",
        "kedro.pipeline.pipeline", "kedro.pipeline.Pipeline",
        "kedro.pipeline.modular_pipeline.pipeline", "sagemaker.workflow.pipeline.Pipeline",
        "tfx.*Pipeline", "kfp.compiler.Compiler",
    ), None),
    ("scheduled_workflow", DECLARED, _AIRFLOW_DAG + _AIRFLOW_DECORATOR, _scheduled),
    ("scheduled_workflow", DECLARED, (
        "dagster.ScheduleDefinition", "dagster.schedule", "dagster.build_schedule*",
        "prefect.*CronSchedule", "prefect.*IntervalSchedule", "prefect.*RRuleSchedule",
        "metaflow.schedule", "zenml.Schedule", "zenml.config.schedule.Schedule",
        "flytekit.CronSchedule", "flytekit.FixedRate", "azure.ai.ml.entities.JobSchedule",
        "azure.ai.ml.entities.CronTrigger", "azure.ai.ml.entities.RecurrenceTrigger",
        "sagemaker.workflow.triggers.PipelineSchedule",
        "google.cloud.aiplatform.PipelineJobSchedule",
    ), None),
    ("scheduled_workflow", DECLARED, ("prefect.deployments.Deployment.build_from_flow",),
     _kw("schedule", "schedules")),
    ("data_validation", WIRED, (
        "great_expectations.from_pandas", "great_expectations.dataset.*",
        "great_expectations.checkpoint.*Checkpoint", "pandera.DataFrameSchema",
        "pandera.*.DataFrameSchema", "pandera.SeriesSchema", "pandera.*.SeriesSchema",
        "pandera.check_types", "pandera.check_input", "pandera.check_output",
        "pandera.check_io", "tensorflow_data_validation.*", "deepchecks.*suites.*",
        "deepchecks.*checks.*", "deepchecks.*Suite", "soda.scan.Scan",
    ), None),
    ("monitoring", WIRED, (
        "evidently.*", "whylogs.*", "nannyml.*", "alibi_detect.*",
        "prometheus_client.Counter", "prometheus_client.Gauge",
        "prometheus_client.Histogram", "prometheus_client.Summary",
        "prometheus_client.Info", "prometheus_client.Enum", "prometheus_client.start_*",
        "prometheus_client.make_*_app", "prometheus_client.push_to_gateway",
        "prometheus_fastapi_instrumentator.Instrumentator",
    ), None),
]  # fmt: skip

# Decorators are calls too; these only make sense as decorators.
DECORATORS: list[tuple[str, str, tuple[str, ...]]] = [
    ("training_pipeline", WIRED, (
        "prefect.flow", *_AIRFLOW_DECORATOR, "zenml.pipeline", "zenml.step",
        "zenml.pipelines.pipeline", "zenml.steps.step", "kfp.dsl.pipeline",
        "kfp.v2.dsl.pipeline", "dagster.job", "dagster.asset", "dagster.multi_asset",
        "dagster.graph", "dagster.graph_asset", "flytekit.workflow",
        "azure.ai.ml.dsl.pipeline",
    )),
    ("data_validation", WIRED, ("pandera.check_*", "pandera.*.check_*")),
]  # fmt: skip

# (signal, strength, method names, libraries one of which the file must import)
METHODS: list[tuple[str, str, frozenset[str], tuple[str, ...], Cond | None]] = [
    ("experiment_tracking", WIRED, frozenset({"log_metric", "log_param", "log_batch",
     "create_run", "create_experiment"}), ("mlflow",), None),
    ("model_registry", WIRED, frozenset({
        "create_model_version", "create_registered_model", "set_registered_model_alias",
        "transition_model_version_stage", "get_latest_versions",
        "get_model_version_by_alias", "search_model_versions", "update_model_version",
        "copy_model_version"}), ("mlflow",), None),
    ("model_registry", WIRED, frozenset({"link_model", "link_artifact"}), ("wandb",), None),
    ("model_registry", WIRED, frozenset({"create_model_package",
     "create_model_package_group"}), ("boto3", "sagemaker"), None),  # SageMaker API
    ("model_registry", WIRED, frozenset({"register"}), ("sagemaker",),
     _kw("model_package_group_name")),
    ("model_registry", WIRED, frozenset({"register_model"}), ("comet_ml",), None),
    ("training_pipeline", WIRED, frozenset({"create_run_from_pipeline_func",
     "create_run_from_pipeline_package"}), ("kfp",), None),
    ("scheduled_workflow", DECLARED, frozenset({"create_recurring_run"}), ("kfp",), None),
    ("scheduled_workflow", DECLARED, frozenset({"create_schedule"}),
     ("google.cloud.aiplatform",), None),
    ("scheduled_workflow", DECLARED, frozenset({"serve", "deploy", "to_deployment"}),
     ("prefect",), _kw("cron", "interval", "rrule", "schedule", "schedules")),
    ("data_validation", WIRED, frozenset({"run_checkpoint", "get_validator",
     "run_validation_operator", "add_expectation", "validate"}),
     ("great_expectations",), None),
]  # fmt: skip

BASES: list[tuple[str, str, tuple[str, ...], Callable[[int], bool]]] = [
    ("training_pipeline", WIRED, ("metaflow.FlowSpec",), lambda steps: steps > 0),
    ("data_validation", WIRED, ("pandera.DataFrameModel", "pandera.SchemaModel",
     "pandera.*.DataFrameModel", "pandera.*.SchemaModel"), lambda steps: True),
]  # fmt: skip

IMPORTS: dict[str, tuple[str, ...]] = {
    "experiment_tracking": ("mlflow", "wandb", "neptune", "comet_ml", "clearml",
                            "dvclive", "aim", "sacred"),
    "data_validation": ("great_expectations", "pandera", "tensorflow_data_validation",
                        "deepchecks", "soda"),
    "monitoring": ("evidently", "whylogs", "nannyml", "alibi_detect",
                   "prometheus_client"),
}  # fmt: skip


def _compile(patterns: Iterable[str]) -> re.Pattern:
    return re.compile("|".join(fnmatch.translate(p) for p in patterns))


_CALLS = [(s, st, _compile(p), c) for s, st, p, c in CALLS]
_DECORATORS = [(s, st, _compile(p)) for s, st, p in DECORATORS]
_BASES = [(s, st, _compile(p), c) for s, st, p, c in BASES]
# A file is parsed only if it imports one of these libraries (every rule above needs
# such an import). Hugging Face's `report_to` needs `transformers`, SageMaker's API
# through boto3 needs `boto3`, and Vertex AI is `aiplatform` from google.cloud.
_ROOTS = {p.split(".")[0] for _, _, ps, _ in CALLS for p in ps if p[0] != "*"}
_ROOTS |= {m for mods in IMPORTS.values() for m in mods}
_ROOTS |= {lib.split(".")[0] for *_, libs, _ in METHODS for lib in libs}
_ROOTS |= {"lightning", "pytorch_lightning", "aiplatform", "google.cloud.aiplatform"}
_ROOTS -= {"google"}
# What a focused parse keeps (pyselect): blocks naming a library or a method above.
_METHOD_LIBRARIES: dict[str, set[str]] = {"create_or_update": {"azure"}}
for *_, _names, _libs, _ in METHODS:
    for _name in _names:
        _METHOD_LIBRARIES.setdefault(_name, set()).update(
            lib.split(".")[0] for lib in _libs
        )
FOCUS = Focus(
    libraries=frozenset(root for root in _ROOTS if root.isidentifier()) | {"google"},
    methods={name: frozenset(libs) for name, libs in _METHOD_LIBRARIES.items()},
    always=frozenset({"report_to", "expect_"}),
)
_LIBRARIES = alternation(sorted(_ROOTS)).encode()
# `from mlflow...`; `import mlflow`, `import os, mlflow`. Each pattern starts with a
# literal, which re looks for fast: together they cost about one pass over the bytes.
_FROM = re.compile(rb"from[ \t]+" + _LIBRARIES + rb"\b")
_IMPORT = re.compile(rb"import[ \t]+(?:[\w.]+[ \t]*,[ \t]*)*" + _LIBRARIES + rb"\b")


def worth_parsing(data: bytes) -> bool:
    """Whether `data` (a .py file or a notebook's JSON) imports a library of interest.
    Most files of a repository do not, and are never parsed."""
    return _FROM.search(data) is not None or _IMPORT.search(data) is not None


def detect_python(path: str, facts: PyFacts, *, lines: bool = True) -> list[Hit]:
    """Hits for one parsed file or notebook (`lines`: evidence as path:line)."""
    hits: list[Hit] = []

    def add(signal: str, strength: str, line: int) -> None:
        hits.append(Hit(signal, strength, path, line if lines else None))

    imported = tuple(facts.imports)
    for call in facts.calls:
        for signal, strength, pattern, cond in _CALLS:
            if call.name and pattern.fullmatch(call.name) and (not cond or cond(call)):
                add(signal, strength, call.line)
        method = call.dotted.rpartition(".")[2]
        for signal, strength, names, libs, cond in METHODS:
            if (
                method in names
                and _imports_any(imported, libs)
                and (not cond or cond(call))
            ):
                add(signal, strength, call.line)
        if call.dotted.endswith("models.create_or_update") and _imports_any(
            imported, ("azure.ai.ml",)
        ):
            add("model_registry", WIRED, call.line)
        if method.startswith("expect_") and _imports_any(
            imported, ("great_expectations",)
        ):
            add("data_validation", WIRED, call.line)  # validator.expect_column_...
    for decorator in facts.decorators:
        for signal, strength, pattern in _DECORATORS:
            if decorator.name and pattern.fullmatch(decorator.name):
                add(signal, strength, decorator.line)
    for cls in facts.classes:
        for signal, strength, pattern, cond in _BASES:
            if any(pattern.fullmatch(b) for b in cls.bases) and cond(cls.step_methods):
                add(signal, strength, cls.line)
    for signal, modules in IMPORTS.items():
        for module, line in facts.imports.items():
            if module.split(".")[0] in modules:
                add(signal, DECLARED, line)
    return hits + _training_hits(path, facts, hits, lines)


def _imports_any(imported: tuple[str, ...], libs: tuple[str, ...]) -> bool:
    return any(m == lib or m.startswith(lib + ".") for m in imported for lib in libs)


def _training_hits(
    path: str, facts: PyFacts, hits: list[Hit], lines: bool
) -> list[Hit]:
    """A scheduled flow or DAG that trains is continuous training; a file that trains
    is recorded so that a scheduled CI job running it counts too."""
    if not _trains(facts):
        return []
    found = [Hit(TRAINS, WIRED, path)]
    found += [
        Hit("continuous_training", WIRED, h.path, h.line)
        for h in hits
        if h.signal == "scheduled_workflow"
    ]
    return found


def _trains(facts: PyFacts) -> bool:
    if "fit" in facts.words:
        return True
    texts = [*facts.words, *facts.task_texts]
    joined = " ".join(texts).lower()
    if "train" not in joined and "finetun" not in joined and "dvc" not in joined:
        return False  # the usual case, decided without looking at each name
    return any(is_training_name(word) for word in facts.words) or any(
        invokes_training(text) or is_training_name(text) for text in facts.task_texts
    )
