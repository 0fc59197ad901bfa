"""Which detector reads which file: the registry of rules, looked up by path.

Rules are found by exact file name, by extension, or by a few path shapes, so that
listing 100,000 paths costs a dictionary lookup each, and only files some rule needs
are ever read. A rule's `kind` says how its file is parsed (once per file, shared by
the rules of that kind); `needle`, when set, is a quick test of the file's bytes
that must pass before that parse is worth doing. Rules marked `context` also apply to repository-level
files outside the scanned folder (a monorepo's CI and DVC config live at its root).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import ci, files, manifests
from .pyfacts import PyFacts, notebook_facts, python_facts
from .python_rules import FOCUS, detect_python, worth_parsing
from .signals import DECLARED, Hit
from .yamlload import load_yaml

PATH, TEXT, BYTES, YAML, PYTHON, NOTEBOOK = (
    "path", "text", "bytes", "yaml", "python", "notebook"
)  # fmt: skip
_TEST_DIRS = frozenset({"tests", "test", "testing"})


PARSERS: dict[str, Callable[[bytes], Any]] = {
    TEXT: lambda data: data.decode("utf-8", "replace"),
    BYTES: lambda data: data,
    YAML: load_yaml,
    PYTHON: lambda data: python_facts(data, FOCUS),
    NOTEBOOK: notebook_facts,
}


@dataclass(frozen=True, eq=False)  # rules are singletons: hashed by identity
class Rule:
    kind: str
    detect: Callable[[str, Any], list[Hit]]
    needle: Callable[[bytes], Any] | None = None  # None: always parse
    context: bool = False


def _python_tests(path: str, data: bytes) -> list[Hit]:
    return [Hit("tests_present", DECLARED, path)]


def _notebook(path: str, facts: PyFacts) -> list[Hit]:
    return detect_python(path, facts, lines=False)


GITHUB = Rule(YAML, ci.detect_github, context=True)
GITHUB_ACTION = Rule(YAML, ci.detect_github_action, context=True)
GITLAB = Rule(YAML, ci.detect_gitlab, context=True)
CIRCLECI = Rule(YAML, ci.detect_circleci, context=True)
AZURE = Rule(YAML, ci.detect_azure, context=True)
OTHER_CI = Rule(YAML, ci.detect_other, context=True)
JENKINS = Rule(TEXT, ci.detect_jenkins, context=True)
PYTHON_CODE = Rule(PYTHON, detect_python, needle=worth_parsing)
PYTHON_TESTS = Rule(BYTES, _python_tests, needle=files.defines_tests)
NOTEBOOK_CODE = Rule(NOTEBOOK, _notebook, needle=worth_parsing)
MANIFEST = Rule(YAML, manifests.detect_manifest, needle=manifests.NEEDLE.search)
DVC_CONFIG = Rule(TEXT, files.dvc_config, context=True)
DVC_DIR = Rule(PATH, files.dvc_dir)
DVC_PIPELINE = Rule(YAML, files.dvc_pipeline)
DVC_TRACKED = Rule(PATH, files.dvc_tracked)
DOCKERFILE = Rule(BYTES, files.dockerfile)
REQUIREMENTS = Rule(TEXT, files.requirements)
README = Rule(TEXT, files.readme, needle=lambda data: data.startswith(b"---"))
MODEL_CARD = Rule(PATH, files.model_card)
GREAT_EXPECTATIONS = Rule(PATH, files.great_expectations)
OTHER_TEST = Rule(PATH, files.other_test)

_BY_NAME: dict[str, tuple[Rule, ...]] = {
    ".gitlab-ci.yml": (GITLAB,),
    ".travis.yml": (OTHER_CI,),
    "bitbucket-pipelines.yml": (OTHER_CI,),
    "azure-pipelines.yml": (AZURE,),
    "azure-pipelines.yaml": (AZURE,),
    "dvc.yaml": (DVC_PIPELINE,),
    "dvc.lock": (DVC_PIPELINE,),
    "mlproject": (Rule(PATH, files.mlproject),),
    "great_expectations.yml": (GREAT_EXPECTATIONS,),
    "readme.md": (README,),
    **{name: (Rule(PATH, files.lock_file),) for name in files.LOCK_FILES},
    **{name: (MODEL_CARD,) for name in files.MODEL_CARDS},
}
_BY_EXT: dict[str, tuple[Rule, ...]] = {
    ".py": (PYTHON_CODE,),
    ".ipynb": (NOTEBOOK_CODE,),
    ".yml": (MANIFEST,),
    ".yaml": (MANIFEST,),
    ".dvc": (DVC_TRACKED,),
}


@functools.cache
def split_rules(rules: tuple[Rule, ...]) -> tuple[tuple[Rule, ...], tuple[Rule, ...]]:
    """(rules that need only the path, rules that read the file)."""
    return (
        tuple(rule for rule in rules if rule.kind == PATH),
        tuple(rule for rule in rules if rule.kind != PATH),
    )


@functools.cache
def context_only(rules: tuple[Rule, ...]) -> tuple[Rule, ...]:
    return tuple(rule for rule in rules if rule.context)


def rules_for(rel: str) -> tuple[Rule, ...]:
    """The rules that apply to the file at `rel` (relative to the scanned folder)."""
    folder, _, name = rel.rpartition("/")
    lower = name.lower()
    dot = lower.rfind(".")
    ext = lower[dot:] if dot > 0 else ""
    found = _BY_NAME.get(lower, ()) + _BY_EXT.get(ext, ())
    shape = _SHAPES.get(ext)
    if shape is not None:
        return found + shape(rel, folder, lower)
    if folder.startswith(".dvc") or lower.startswith(_SPECIAL_NAMES):
        return found + _special(rel, folder, lower)
    return found


def _special(rel: str, folder: str, lower: str) -> tuple[Rule, ...]:
    """Files known by name alone: Dockerfile.gpu, Jenkinsfile, what is in .dvc/."""
    if folder == ".dvc" or folder.startswith(".dvc/"):
        return (DVC_CONFIG,) if rel == ".dvc/config" else (DVC_DIR,)
    if files.is_dockerfile(lower):
        return (DOCKERFILE,)
    if lower == "jenkinsfile" or lower.startswith("jenkinsfile."):
        return (JENKINS,)
    return ()


def _yaml(rel: str, folder: str, lower: str) -> tuple[Rule, ...]:
    if folder == ".github/workflows":
        return (GITHUB,)
    if folder.startswith(".github/actions/") and lower.startswith("action."):
        return (GITHUB_ACTION,)
    if folder.endswith(".circleci") and lower.startswith("config."):
        return (CIRCLECI,)
    if folder.endswith(".azure-pipelines"):
        return (AZURE,)
    if folder.endswith(".gitlab/ci"):
        return (GITLAB,)
    return ()


def _python(rel: str, folder: str, lower: str) -> tuple[Rule, ...]:
    if "test" in lower:
        test = lower.startswith("test_") or lower in ("conftest.py", "tests.py")
        test = test or lower.endswith("_test.py")
    else:
        test = lower == "conftest.py"
    if not test and "test" in folder and lower != "__init__.py":
        test = not _TEST_DIRS.isdisjoint(folder.split("/"))
    return (PYTHON_TESTS,) if test else ()


def _text(rel: str, folder: str, lower: str) -> tuple[Rule, ...]:
    return (REQUIREMENTS,) if files.is_requirements(rel, lower) else ()


def _markdown(rel: str, folder: str, lower: str) -> tuple[Rule, ...]:
    in_cards = folder.rpartition("/")[2] in ("model_cards", "model-cards")
    return (MODEL_CARD,) if in_cards else ()


def _json(rel: str, folder: str, lower: str) -> tuple[Rule, ...]:
    suites = "/expectations/" in f"/{folder}/" and (
        "great_expectations" in folder or folder.startswith("gx") or "/gx/" in folder
    )
    return (GREAT_EXPECTATIONS,) if suites else ()


def _code(rel: str, folder: str, lower: str) -> tuple[Rule, ...]:
    return (OTHER_TEST,) if files.is_other_test(rel.rpartition("/")[2]) else ()


_SPECIAL_NAMES = ("dockerfile", "containerfile", "jenkinsfile")
# Languages whose test files are known by name (model_test.go, app.test.ts).
_CODE_EXTS = (
    ".go",
    ".js",
    ".mjs",
    ".cjs",
    ".jsx",
    ".ts",
    ".tsx",
    ".java",
    ".kt",
    ".rb",
)
_SHAPES: dict[str, Callable[[str, str, str], tuple[Rule, ...]]] = {
    ".yml": _yaml,
    ".yaml": _yaml,
    ".py": _python,
    ".txt": _text,
    ".md": _markdown,
    ".json": _json,
    ".dockerfile": lambda rel, folder, lower: (DOCKERFILE,),
    ".jenkinsfile": lambda rel, folder, lower: (JENKINS,),
    **dict.fromkeys(_CODE_EXTS, _code),
}
