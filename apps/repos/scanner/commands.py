"""What a CI script line does: run tests, or train a model. Pure text rules.

CI configs hold shell, and shell is text, so these are patterns; they are applied only
to the commands of CI steps (never to a whole file), after dropping comments and
package installs (`pip install pytest` installs a test runner, it runs nothing).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator

_SEPARATORS = re.compile(r"&&|\|\||[;|]")
_COMMENT = re.compile(r"(?:^|\s)#.*$")
_INSTALL = re.compile(
    r"\b(?:pip[\d.]*|uv\s+pip|pipx|conda|mamba|micromamba|apt(?:-get)?|apk|brew|yum|"
    r"dnf|npm|yarn|pnpm|poetry|pdm|uv)\s+(?:install|add|sync)\b"
)
_TESTS = re.compile(
    r"""(?x)
    (?<![\w./-])(?:
        py\.?test(?![\w.-])
      | python[\d.]*\s+(?:-\w+\s+)*-m\s+(?:pytest|unittest|nose2?|green|ward)\b
      | python[\d.]*\s+\S*setup\.py\s+test\b
      | (?:nosetests|nose2|trial)(?![\w.-])
      | make\b[^\n;&|]*?\s[\w-]*(?:test|coverage)[\w-]*(?![\w.-])
      | (?:npm|yarn|pnpm|bun)\s+(?:run\s+)?test(?![\w.-])
      | (?:uv|poetry|pdm|hatch|rye|pipenv|just|task|invoke|poe)\s+(?:run\s+)?tests?(?![\w.-])
      | (?:go|cargo|dotnet|swift|mix|bazel|bazelisk|flutter)\s+test\b
      | ctest(?![\w.-])
      | (?:mvn|\S*gradlew?|sbt)\b[^\n;&|]*\btest\b
      | coverage\s+run\b
      | manage\.py\s+test\b
      | (?:\S*/)?(?:run[_-]?)?(?:unit[_-]?)?tests?\.sh\b
      | (?:\S*/)?run[_-]?tests?\.py\b
      | Rscript\b.*(?:testthat|test_check|devtools::test)
    )"""
)
_TOX = re.compile(r"(?<![\w./-])(tox|nox)(?![\w.-])(.*)")
_NOT_TEST_ENV = re.compile(
    r"^(lint|docs?|format|fmt|type|types|typing|mypy|flake8|style|pre-commit|build|"
    r"release|black|isort|ruff|pylint|check|safety|bandit|publish)\w*$"
)
_TRAINING_TOOLS = re.compile(
    r"""(?x)\b(?:
        dvc\s+(?:repro|exp\s+run)\b
      | mlflow\s+run\b | kedro\s+run\b | zenml\s+pipeline\s+run\b
      | az\s+ml\s+job\s+create\b
      | gcloud\s+ai\s+custom-jobs\s+create\b
      | gcloud\s+ai-platform\s+jobs\s+submit\s+training\b
      | aws\s+sagemaker\s+(?:create-training-job|start-pipeline-execution)\b
      | (?:yolo|ludwig|allennlp|tune|sagemaker-training)\s+(?:\w+\s+)?train\b
    )"""
)
_RUNNERS = {"python", "python3", "bash", "sh", "zsh", "rscript", "papermill"}
_LAUNCHERS = {"torchrun", "deepspeed", "accelerate", "horovodrun", "mpirun"}
_WRAPPERS = {"uv", "poetry", "pdm", "hatch", "pipenv", "rye", "conda", "time", "nohup"}
_TRAIN_WORDS = ("train", "retrain", "pretrain", "finetun")
_SCRIPT_EXTS = (".py", ".sh", ".ipynb", ".r")


def commands(text: str) -> Iterator[str]:
    """The commands of a script (split at `&&`, `||`, `;`, `|`), without comments
    and without package installs."""
    for raw in text.replace("\\\n", " ").splitlines():
        for part in _SEPARATORS.split(_COMMENT.sub("", raw)):
            command = part.strip()
            if command and not _INSTALL.search(command):
                yield command


def runs_tests(text: str) -> bool:
    for command in commands(text):
        if _TESTS.search(command):
            return True
        tox = _TOX.search(command)
        if tox and _tox_runs_tests(tox.group(2)):
            return True
    return False


def _tox_runs_tests(args: str) -> bool:
    envs = re.findall(r"(?:-e|-s|--session|--sessions|--env)[\s=]+([\w,.-]+)", args)
    names = [name for group in envs for name in group.split(",")]
    return not names or any(not _NOT_TEST_ENV.match(name) for name in names)


def invokes_training(text: str) -> bool:
    return any(
        _TRAINING_TOOLS.search(command)
        or any(is_training_name(target) for target in targets(command))
        for command in commands(text)
    )


def is_training_name(target: str) -> bool:
    """A script, module or make target named for training (train.py, src.retrain)."""
    target = target.strip("\"'").lower().replace("train_test_split", "")
    for ext in _SCRIPT_EXTS:
        target = target.removesuffix(ext)
    parts = target.replace("\\", "/").split("/")
    names = parts[-2:] if "/" in target else target.split(".")
    for name in names:
        for segment in re.split(r"[_\-.\s]+", name):
            if segment.startswith(_TRAIN_WORDS) and not segment.endswith("trained"):
                return True
    return False


def script_refs(text: str) -> list[str]:
    """Repository paths the commands run: scripts, and modules as `a/b.py`."""
    refs: list[str] = []
    for command in commands(text):
        for target in targets(command):
            if target.endswith(_SCRIPT_EXTS):
                refs.append(target.removeprefix("./"))
            elif re.fullmatch(r"[A-Za-z_][\w.]*", target) and "." in target:
                refs.append(target.replace(".", "/") + ".py")
    return refs


def targets(command: str) -> list[str]:
    """What one command executes: a script, a module or make targets."""
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    while words and ("=" in words[0] and not words[0].startswith("-")):
        words = words[1:]  # FOO=bar python train.py
    while words and words[0] in _WRAPPERS:
        words = words[2:] if len(words) > 1 and words[1] == "run" else words[1:]
        while words and words[0].startswith("-"):
            words = words[2:] if words[0] in ("-n", "--name", "-p") else words[1:]
    if not words:
        return []
    head = words[0].rsplit("/", 1)[-1].lower()
    rest = words[1:]
    if head == "make":
        return [w for w in rest if not w.startswith("-") and "=" not in w]
    if re.fullmatch(r"python[\d.]*", head) and "-m" in rest:
        index = rest.index("-m") + 1
        return rest[index : index + 1]
    if re.fullmatch(r"python[\d.]*", head) or head in _RUNNERS | _LAUNCHERS:
        scripts = [w for w in rest if w.lower().endswith(_SCRIPT_EXTS)]
        return scripts[:1]
    if words[0].startswith(("./", "scripts/", "bin/")) or head.endswith(_SCRIPT_EXTS):
        return [words[0]]
    return []
