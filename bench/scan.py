"""Checkout scanner speed against the floor: listing the files and reading them.

    .venv/bin/python bench/scan.py [--files 10000] [--commits 2000] [--repeat 3]

Generates, in a temporary folder (never inside the repository), a git repository of
--files files and --commits commits with `git fast-import`: Python packages with
their tests, a few percent of modules importing MLflow, W&B, Evidently, Prefect or
pandera, notebooks (some with large embedded plots), GitHub and GitLab CI configs,
DVC files, Dockerfiles, requirements, Hydra-style YAML configs, docs, and data
folders of CSV, JSON, image and binary files that no rule reads. Commits spread over
400 days; the first holds most files, each later one adds a file and edits another.
The working tree is checked out for the floor.

Times, best of --repeat each:
- scan: `scan_path(repo)` in this process (ls-tree, cat-file --batch, log,
  and all parsing and rules);
- floor: `git ls-files -z` plus opening and reading, from the working tree, exactly
  the files the scan read (the rules' path selection, checked against the scan's
  files_read), i.e. the least any scanner that reads those files must do.

Prints one JSON object: files, commits, scan_seconds, floor_seconds, ratio (scan /
floor), target_ratio (3), met, files_read and bytes_read.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from apps.repos.scanner import ScanLimits, scan_path  # noqa: E402
from apps.repos.scanner.rules import PATH, rules_for  # noqa: E402
from apps.repos.scanner.tree import is_ignored  # noqa: E402

TARGET_RATIO = 3.0
DAY = 86_400
GIT_ENV = {**os.environ, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}

ML_IMPORTS = [
    "import mlflow\n\n\ndef track(params, metrics):\n    with mlflow.start_run():\n"
    "        mlflow.log_params(params)\n        mlflow.log_metrics(metrics)\n",
    "import wandb\n\n\ndef track(config):\n    run = wandb.init(project='churn', config=config)\n"
    "    run.log({'loss': 0.1})\n",
    "from evidently import Report\nfrom evidently.presets import DataDriftPreset\n\n\n"
    "def drift(ref, cur):\n    return Report([DataDriftPreset()]).run(ref, cur)\n",
    "from prefect import flow, task\n\n\n@task\ndef load():\n    return 1\n\n\n"
    "@flow\ndef train_flow():\n    load()\n",
    "import pandera as pa\n\nSCHEMA = pa.DataFrameSchema({'age': pa.Column(int)})\n",
]


def module(rng: random.Random, index: int) -> str:
    """A plain module: imports, a class, a few functions, docstrings and comments."""
    lines = [
        f'"""Module {index}: feature engineering helpers."""',
        "",
        "from __future__ import annotations",
        "",
        "import os",
        "from dataclasses import dataclass",
        "",
        "import numpy as np",
        "import pandas as pd",
        "",
        "",
        "@dataclass",
        f"class Config{index}:",
        "    path: str = 'data/raw.csv'",
        "    seed: int = 0",
        "",
    ]
    for f in range(rng.randint(3, 12)):
        lines += [
            "",
            f"def transform_{f}(df: pd.DataFrame, scale: float = {rng.random():.3f}) -> pd.DataFrame:",
            f'    """Scale column {f} and fill gaps (see issue #{rng.randint(1, 999)})."""',
            "    # mlflow is not used here: this comment must not count",
            f"    out = df.copy()\n    out['c{f}'] = np.log1p(out['c{f}'].fillna(0)) * scale",
            "    return out if os.environ.get('KEEP') else out.dropna()",
        ]
    return "\n".join(lines) + "\n"


def test_module(rng: random.Random, index: int) -> str:
    body = [f"from pkg.module{index} import transform_0", "", ""]
    for t in range(rng.randint(2, 8)):
        body += [
            f"def test_case_{t}():",
            f"    assert transform_0 is not None  # {t}",
            "",
        ]
    return "\n".join(body)


def notebook(rng: random.Random, big: bool) -> str:
    image = base64.b64encode(rng.randbytes(40_000 if big else 200)).decode()
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Exploration\n"]},
        {
            "cell_type": "code",
            "execution_count": 1,
            "metadata": {},
            "source": ["import pandas as pd\n", "df = pd.read_csv('data/raw.csv')\n"],
            "outputs": [{"output_type": "display_data", "metadata": {},
                         "data": {"image/png": image}}],
        },
    ]  # fmt: skip
    return json.dumps(
        {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}
    )


FIXED_FILES = {
    ".github/workflows/ci.yml": "on: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
    "    steps:\n      - uses: actions/checkout@v4\n      - run: pip install -r requirements.txt\n"
    "      - run: pytest -q\n",
    ".github/workflows/retrain.yml": 'on:\n  schedule:\n    - cron: "0 3 * * 1"\njobs:\n  train:\n'
    "    runs-on: ubuntu-latest\n    steps:\n      - run: dvc repro\n",
    ".github/workflows/docs.yml": "on: push\njobs:\n  docs:\n    runs-on: ubuntu-latest\n"
    "    steps:\n      - run: mkdocs build\n",
    ".gitlab-ci.yml": "test:\n  script:\n    - tox\n",
    ".dvc/config": "[core]\n    remote = s3\n['remote \"s3\"']\n    url = s3://bucket/dvc\n",
    ".dvc/.gitignore": "/cache\n/tmp\n",
    "dvc.yaml": "stages:\n  train:\n    cmd: python -m pkg.train\n    deps: [data]\n",
    "dvc.lock": "schema: '2.0'\nstages:\n  train:\n    cmd: python -m pkg.train\n",
    "Dockerfile": "FROM python:3.12-slim\nCOPY . /app\nRUN pip install -r /app/requirements.txt\n",
    "serve/Dockerfile": 'FROM python:3.12-slim\nCMD ["uvicorn", "serve:app"]\n',
    "requirements.txt": "numpy==1.26.4\npandas==2.2.2\nmlflow==2.14.1\n",
    "requirements-dev.txt": "pytest\nruff\n",
    "README.md": "# Churn model\n\nSee docs/.\n",
    "MODEL_CARD.md": "# Model card\n",
}


def generate_files(rng: random.Random, count: int) -> Iterator[tuple[str, bytes]]:
    """`count` (path, content) pairs in a realistic mix (fixed files first)."""
    for path, text in FIXED_FILES.items():
        yield path, text.encode()
    for index in range(count - len(FIXED_FILES)):
        kind = rng.random()
        package = f"pkg{index % 40}"
        if kind < 0.40:
            text = module(rng, index)
            if rng.random() < 0.03:
                text += "\n\n" + rng.choice(ML_IMPORTS)
            yield f"src/{package}/module{index}.py", text.encode()
        elif kind < 0.50:
            yield (
                f"tests/{package}/test_module{index}.py",
                test_module(rng, index).encode(),
            )
        elif kind < 0.51:
            yield (
                f"notebooks/eda{index}.ipynb",
                notebook(rng, rng.random() < 0.3).encode(),
            )
        elif kind < 0.53:
            yield (
                f"data/raw/part{index}.csv.dvc",
                f"outs:\n- md5: {index:032x}\n  path: part{index}.csv\n".encode(),
            )
        elif kind < 0.57:
            yield (
                f"configs/{package}/exp{index}.yaml",
                f"model:\n  lr: {rng.random():.4f}\n  depth: {rng.randint(2, 9)}\n".encode(),
            )
        elif kind < 0.62:
            yield (
                f"docs/page{index}.md",
                f"# Page {index}\n\nWe track runs with mlflow.\n".encode(),
            )
        elif kind < 0.82:
            rows = "\n".join(
                f"{rng.random():.5f},{rng.randint(0, 1)}"
                for _ in range(rng.randint(5, 60))
            )
            yield f"data/samples/s{index}.csv", f"x,y\n{rows}\n".encode()
        elif kind < 0.90:
            yield (
                f"data/labels/l{index}.json",
                json.dumps({"id": index, "label": rng.random()}).encode(),
            )
        elif kind < 0.96:
            yield f"assets/img{index}.png", rng.randbytes(rng.randint(500, 4000))
        else:
            yield f"models/m{index}.bin", rng.randbytes(rng.randint(200, 2000))


def fast_import_stream(files: int, commits: int, seed: int = 0) -> Iterator[bytes]:
    rng = random.Random(seed)
    all_files = list(generate_files(rng, files))
    first = len(all_files) - (commits - 1)
    now = int(time.time())
    start = now - 400 * DAY
    step = (now - DAY - start) // max(1, commits - 1)
    paths = [path for path, _ in all_files[:first]]
    for number in range(commits):
        stamp = start + number * step
        email = f"dev{rng.randint(1, 12)}@example.com"
        message = f"change {number}".encode()
        yield (
            b"commit refs/heads/main\n"
            + f"committer Dev <{email}> {stamp} +0000\n".encode()
            + f"data {len(message)}\n".encode()
            + message
            + b"\n"
        )
        batch = all_files[:first] if number == 0 else [all_files[first + number - 1]]
        if number:
            edited = rng.choice(paths)
            batch.append(
                (edited, f"# edit {number}\n".encode() + module(rng, number).encode())
            )
            paths.append(batch[0][0])
        for path, content in batch:
            yield (
                f"M 100644 inline {path}\ndata {len(content)}\n".encode()
                + content
                + b"\n"
            )
        yield b"\n"


def build_repository(folder: Path, files: int, commits: int) -> None:
    def git(*args: str, **kwargs) -> None:
        subprocess.run(
            ["git", "-C", str(folder), *args], check=True, env=GIT_ENV, **kwargs
        )

    git("init", "-q", "-b", "main")
    proc = subprocess.Popen(
        ["git", "-C", str(folder), "fast-import", "--quiet"],
        stdin=subprocess.PIPE,
        env=GIT_ENV,
    )
    for chunk in fast_import_stream(files, commits):
        proc.stdin.write(chunk)
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    git("reset", "-q", "--hard", "main")


def files_to_read(folder: Path, limits: ScanLimits) -> list[Path]:
    """The paths the scanner reads, chosen by its own rules from `git ls-files`."""
    listed = (
        subprocess.run(
            ["git", "-C", str(folder), "ls-files", "-z"],
            check=True,
            capture_output=True,
            env=GIT_ENV,
        )
        .stdout.decode()
        .split("\0")
    )
    chosen = []
    for rel in filter(None, listed):
        if is_ignored(rel) or not any(r.kind != PATH for r in rules_for(rel)):
            continue
        cap = (
            limits.max_notebook_bytes
            if rel.endswith(".ipynb")
            else limits.max_file_bytes
        )
        if (folder / rel).stat().st_size <= cap:
            chosen.append(folder / rel)
    return chosen


def floor_once(folder: Path, chosen: list[Path]) -> tuple[float, int]:
    started = time.perf_counter()
    subprocess.run(
        ["git", "-C", str(folder), "ls-files", "-z"],
        check=True,
        capture_output=True,
        env=GIT_ENV,
    )
    total = 0
    for path in chosen:
        with open(path, "rb") as handle:
            total += len(handle.read())
    return time.perf_counter() - started, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--commits", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    limits = ScanLimits()
    with tempfile.TemporaryDirectory(prefix="tollgate-bench-scan-") as tmp:
        folder = Path(tmp) / "repo"
        folder.mkdir()
        build_repository(folder, args.files, args.commits)
        chosen = files_to_read(folder, limits)
        floor_once(folder, chosen)  # warm the page cache for both sides
        scans, floors = [], []
        for _ in range(args.repeat):
            started = time.perf_counter()
            result = scan_path(folder, limits=limits)
            scans.append(time.perf_counter() - started)
            floors.append(floor_once(folder, chosen)[0])
    if result.stats.files_read != len(chosen):
        raise SystemExit(
            f"floor reads {len(chosen)} files, scan read {result.stats.files_read}"
        )
    scan_seconds, floor_seconds = min(scans), min(floors)
    ratio = scan_seconds / floor_seconds
    print(
        json.dumps(
            {
                "files": result.stats.files_listed,
                "commits": args.commits,
                "scan_seconds": round(scan_seconds, 4),
                "floor_seconds": round(floor_seconds, 4),
                "ratio": round(ratio, 2),
                "target_ratio": TARGET_RATIO,
                "met": ratio <= TARGET_RATIO,
                "files_read": result.stats.files_read,
                "bytes_read": result.stats.bytes_read,
            }
        )
    )


if __name__ == "__main__":
    main()
