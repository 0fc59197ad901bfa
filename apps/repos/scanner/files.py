"""Signals a file shows by its name or a few lines: DVC, Dockerfiles, lock files and
pinned requirements, model cards, MLproject, Great Expectations and test files in
languages other than Python (Python tests are read with `ast`, see python_rules).
"""

from __future__ import annotations

import re
from typing import Any

from .signals import DECLARED, DVC_DIR, DVC_REMOTE, DVC_TRACKED, WIRED, Hit
from .yamlload import load_yaml

LOCK_FILES = frozenset(
    {"uv.lock", "poetry.lock", "pipfile.lock", "pdm.lock", "conda-lock.yml",
     "conda-lock.yaml", "pixi.lock", "pylock.toml", "requirements.lock",
     "requirements-dev.lock", "renv.lock"}
)  # fmt: skip
MODEL_CARDS = frozenset({"model_card.md", "model-card.md", "modelcard.md"})
_TEST_NAME = re.compile(
    r"(?:_test\.go|\.(?:test|spec)\.(?:[cm]?js|jsx|ts|tsx)|Test\.(?:java|kt)|_spec\.rb)$"
)
_FROM = re.compile(rb"^\s*FROM\s+\S", re.I | re.M)
_DVC_REMOTE = re.compile(r"^\s*(?:\[\s*'?remote\s+\"|remote\s*=\s*\S)", re.M)
_PINNED = re.compile(r"^[A-Za-z0-9][\w.\-]*(?:\[[\w,\s.-]*\])?\s*===?\s*[\w.!+-]+$")
_VCS_PINNED = re.compile(r"@[0-9a-f]{40}\b|#sha256=|\.whl\b")
_CARD_KEYS = frozenset({"datasets", "metrics", "base_model"})


# A test module defines tests at the start of a line: `def test_…`, `class Test…`, a
# TestCase subclass or a pytest fixture. Test suites are the biggest Python files of
# most repositories and this is all they are asked, so they are searched, not parsed:
# a literal hint first (fast), then its line.
_TEST_HINTS = tuple(
    re.compile(hint)
    for hint in (
        rb"def[ \t]+test",
        rb"class[ \t]+Test",
        rb"TestCase\b",
        rb"@pytest\.fixture",
    )
)
_TEST_LINE = re.compile(
    rb"[ \t]*(?:(?:async[ \t]+)?def[ \t]+test|class[ \t]+(?:Test|\w+\([^)]*TestCase)"
    rb"|@pytest\.fixture)"
)


def defines_tests(data: bytes) -> bool:
    for hint in _TEST_HINTS:
        for found in hint.finditer(data):
            if _TEST_LINE.match(data, data.rfind(b"\n", 0, found.start()) + 1):
                return True
    return False


def is_requirements(rel: str, lower: str) -> bool:
    """requirements*.txt, *-requirements.txt, requirements/*.txt (not for docs)."""
    if not lower.endswith(".txt") or "doc" in lower or "/doc" in f"/{rel.lower()}":
        return False
    return (
        lower.startswith("requirements")
        or lower.endswith(("-requirements.txt", "_requirements.txt"))
        or rel.rpartition("/")[0].rpartition("/")[2] == "requirements"
    )


def is_dockerfile(lower: str) -> bool:
    return (
        lower in ("dockerfile", "containerfile")
        or lower.startswith("dockerfile.")
        or lower.endswith(".dockerfile")
    )


def is_other_test(name: str) -> bool:
    return bool(_TEST_NAME.search(name))


def dockerfile(path: str, data: bytes) -> list[Hit]:
    return [Hit("containerised", DECLARED, path)] if _FROM.search(data) else []


def lock_file(path: str, _: Any) -> list[Hit]:
    return [Hit("dependency_pinning", DECLARED, path)]


def requirements(path: str, text: str) -> list[Hit]:
    return [Hit("dependency_pinning", DECLARED, path)] if all_pinned(text) else []


def all_pinned(text: str) -> bool:
    """Every requirement is `name==version`, hashed, or a VCS URL at a commit."""
    count = 0
    for raw in text.replace("\\\n", " ").splitlines():
        line = re.sub(r"(?:^|\s)#.*$", "", raw).strip()
        if not line or line.startswith(("-r", "-c", "--", "-i", "-f")):
            continue  # includes, constraints, index options
        if line.startswith(("-e", "./", "../", "/", ".")) and not _VCS_PINNED.search(
            line
        ):
            if "://" in line:
                return False  # an editable VCS checkout of a moving branch
            continue  # the project itself or a local package
        count += 1
        requirement = line.split(";")[0].split(" --hash")[0].strip()
        if "--hash" in line or _VCS_PINNED.search(requirement):
            continue
        if "*" in requirement or not _PINNED.match(requirement):
            return False
    return count > 0


def model_card(path: str, _: Any) -> list[Hit]:
    return [Hit("model_card", DECLARED, path)]


def readme(path: str, text: str) -> list[Hit]:
    """A Hugging Face model card: README.md with YAML front matter naming the model's
    evaluation (`model-index`) or its license with its data, metrics or base model."""
    if not text.startswith("---"):
        return []
    end = text.find("\n---", 3)
    docs = load_yaml(text[3:end].encode()) if end > 0 else None
    meta = docs[0] if docs and isinstance(docs[0], dict) else {}
    keys = set(meta)
    if "model-index" in keys or ("license" in keys and keys & _CARD_KEYS):
        return [Hit("model_card", DECLARED, path)]
    return []


def mlproject(path: str, _: Any) -> list[Hit]:
    return [Hit("experiment_tracking", DECLARED, path)]


def great_expectations(path: str, _: Any) -> list[Hit]:
    return [Hit("data_validation", DECLARED, path)]


def other_test(path: str, _: Any) -> list[Hit]:
    return [Hit("tests_present", DECLARED, path)]


def dvc_dir(path: str, _: Any) -> list[Hit]:
    return [Hit(DVC_DIR, DECLARED, path)]


def dvc_config(path: str, text: str) -> list[Hit]:
    hits = [Hit(DVC_DIR, DECLARED, path)]
    if _DVC_REMOTE.search(text):
        hits.append(Hit(DVC_REMOTE, DECLARED, path))
    return hits


def dvc_tracked(path: str, _: Any) -> list[Hit]:
    return [Hit(DVC_TRACKED, DECLARED, path)]


def dvc_pipeline(path: str, docs: list[Any] | None) -> list[Hit]:
    """dvc.yaml stages declare a pipeline; dvc.lock proves it ran (and locks data)."""
    doc = docs[0] if docs and isinstance(docs[0], dict) else {}
    stages = doc.get("stages")
    if not isinstance(stages, dict) or not stages:
        return []
    if path.endswith("dvc.lock"):
        return [Hit("training_pipeline", WIRED, path), Hit(DVC_TRACKED, DECLARED, path)]
    return [Hit("training_pipeline", DECLARED, path)]
