"""The files of one commit, as `git ls-tree` lists them, and which of them to skip.

Symlinks (mode 120000) and submodules (160000) are listed but never followed: their
targets may lie outside the tree. Folders that tools write into (run logs, caches,
virtualenvs, vendored packages) are skipped, since what they contain says nothing
about the project's own practice (a committed `mlruns/` is not experiment tracking).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

# Generated, tool-owned or vendored folders, anywhere in the tree.
IGNORED_DIRS = frozenset(
    {"mlruns", "mlartifacts", "wandb", "node_modules", ".venv", "venv",
     "site-packages", "__pycache__", ".ipynb_checkpoints", ".git", ".tox", ".nox",
     ".mypy_cache", ".pytest_cache", ".ruff_cache", ".eggs", ".cache", "vendor",
     "_vendor", "third_party", "dist", "build", ".neptune", ".clearml"}
)  # fmt: skip
# Build output is only skipped for code: a `build/Dockerfile` is a real Dockerfile.
_BUILD_DIRS = frozenset({"dist", "build"})
_CODE_EXTS = (".py", ".ipynb")
# In a monorepo the folder's CI and DVC config live at the repository's root.
ROOT_CONTEXT = (
    ".github/workflows", ".github/actions", ".gitlab-ci.yml", ".gitlab/ci", "Jenkinsfile", ".circleci",
    "azure-pipelines.yml", "azure-pipelines.yaml", ".azure-pipelines", ".dvc/config",
)  # fmt: skip


class Entry(NamedTuple):
    path: str  # from the repository's root: what evidence shows
    rel: str  # from the scanned folder: what rules match
    sha: str
    size: int
    in_scope: bool = True  # False for ROOT_CONTEXT files outside the folder


@dataclass
class Listing:
    """What the listing saw, beyond the files handed to the caller."""

    listed: int = 0
    symlinks: int = 0
    submodules: int = 0
    ignored: int = 0  # files a rule would read, in tool folders


def parse_records(
    raw: bytes, subdir: str | None, listing: Listing, wanted: Callable[[str], Any]
) -> list[tuple[Entry, Any]]:
    """The files of a piece of `ls-tree -r -z -l --full-tree` output that the caller
    wants, with what `wanted(rel)` said (the rules for the file). A big tree has
    100,000 records, most of them data no rule reads: each costs a split and a
    dictionary lookup before it is dropped."""
    prefix = f"{subdir}/" if subdir else ""
    cut = len(prefix)
    added: list[tuple[Entry, Any]] = []
    records = raw.decode("utf-8", "replace").split("\0")
    records.pop()  # after the last NUL
    listing.listed += len(records)
    for record in records:
        mode = record[:6]
        if mode == "120000":
            listing.symlinks += 1
        elif mode == "160000":
            listing.submodules += 1
        else:
            tab = record.find("\t")  # "<mode> <type> <sha> <size>\t<path>"
            path = record[tab + 1 :]
            in_scope = path.startswith(prefix)
            rel = path[cut:] if in_scope else path
            want = wanted(rel)
            if not want:
                continue
            if "/" in rel and is_ignored(rel):
                listing.ignored += 1
            else:
                _mode, _kind, sha, size = record[:tab].split()
                added.append((Entry(path, rel, sha, int(size), in_scope), want))
    return added


def is_ignored(rel: str) -> bool:
    """In a tool's folder (or, for code, in build output)?"""
    folder, _, name = rel.rpartition("/")
    verdict = _folder_verdict(folder)
    return verdict is _ALL or (verdict is _CODE and name.endswith(_CODE_EXTS))


_ALL, _CODE = "all", "code"


@functools.lru_cache(maxsize=4096)
def _folder_verdict(folder: str) -> str | None:
    """What is skipped in `folder`: everything, code only (build output) or nothing.
    Files come folder by folder, so a cache answers nearly every file of a tree."""
    folders = folder.split("/")
    if not IGNORED_DIRS.isdisjoint(folders):
        if not _BUILD_DIRS.issuperset(IGNORED_DIRS.intersection(folders)):
            return _ALL
        code_only = _CODE
    else:
        code_only = None
    inside = f"/{folder}/"
    if ".egg-info/" in inside:
        return _ALL
    if "/.dvc/cache/" in inside or "/.dvc/tmp/" in inside:
        return _ALL
    return code_only
