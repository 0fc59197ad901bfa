"""From detector hits to the catalogue's signals: strength, evidence, cross-file rules.

Detectors report `Hit`s: a signal key, a strength and one piece of evidence. A few
facts only mean something together (a DVC remote *and* tracked data; a scheduled job
*and* a training script it runs, found in another file); detectors report those as
internal facts whose keys start with "_", and `combine` turns them into signals.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from apps.rubrics.evidence import STATIC_SIGNAL_KEYS

# The catalogue's static keys, in report order (shared with the rubric's evidence
# rules: a pure module, no Django).
SIGNAL_KEYS: tuple[str, ...] = STATIC_SIGNAL_KEYS
DECLARED = "declared"
WIRED = "wired"
_RANK = {DECLARED: 1, WIRED: 2}
MAX_EVIDENCE = 20

# Internal facts (never reported as signals).
DVC_DIR = "_dvc_dir"  # a .dvc/ folder is committed
DVC_REMOTE = "_dvc_remote"  # .dvc/config names a remote
DVC_TRACKED = "_dvc_tracked"  # dvc.lock or *.dvc files: data under DVC
SCHEDULED_RUNS = "_scheduled_runs"  # a scheduled job runs the scripts in `refs`
TRAINS = "_trains"  # this file trains a model when run (evidence is its path)


@dataclass(frozen=True)
class Hit:
    signal: str
    strength: str
    path: str  # from the repository's root
    line: int | None = None
    refs: tuple[str, ...] = field(default=(), compare=False)

    @property
    def evidence(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True)
class Signal:
    value: bool
    strength: str | None
    evidence: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {
            "value": self.value,
            "strength": self.strength,
            "evidence": list(self.evidence),
        }


ABSENT = Signal(False, None, ())


def combine(hits: Iterable[Hit]) -> dict[str, Signal]:
    """Every catalogue key, in catalogue order, from the hits of one scan."""
    by_key: dict[str, list[Hit]] = defaultdict(list)
    for hit in hits:
        by_key[hit.signal].append(hit)
    by_key["data_versioning"] += _data_versioning(by_key)
    by_key["continuous_training"] += _continuous_training(by_key)
    return {key: _signal(by_key.get(key, [])) for key in SIGNAL_KEYS}


def _signal(hits: list[Hit]) -> Signal:
    if not hits:
        return ABSENT
    strength = max((hit.strength for hit in hits), key=_RANK.__getitem__)
    # Evidence is what proves the strength: the call sites of a wired signal, not
    # also the imports that only declared it.
    proof = sorted({(h.path, h.line or 0) for h in hits if h.strength == strength})
    evidence = [f"{path}:{line}" if line else path for path, line in proof]
    return Signal(True, strength, tuple(evidence[:MAX_EVIDENCE]))


def _data_versioning(by_key: dict[str, list[Hit]]) -> list[Hit]:
    remote, tracked = by_key.get(DVC_REMOTE, []), by_key.get(DVC_TRACKED, [])
    if remote and tracked:
        return [Hit("data_versioning", WIRED, h.path) for h in remote + tracked]
    return [
        Hit("data_versioning", DECLARED, h.path)
        for h in by_key.get(DVC_DIR, []) + remote + tracked
    ]


def _continuous_training(by_key: dict[str, list[Hit]]) -> list[Hit]:
    """A scheduled job that runs a file which trains (a script named for training is
    caught by the CI rules already; this catches `python pipelines/weekly.py` where
    weekly.py defines a training pipeline)."""
    training = {h.path for h in by_key.get(TRAINS, [])}
    training |= {
        h.path for h in by_key.get("training_pipeline", []) if h.strength == WIRED
    }
    found = []
    for hit in by_key.get(SCHEDULED_RUNS, []):
        if any(refers_to(ref, path) for ref in hit.refs for path in training):
            found.append(Hit("continuous_training", WIRED, hit.path, hit.line))
    return found


def refers_to(ref: str, path: str) -> bool:
    """`ref` (from a command, relative to where it ran) names the file `path`."""
    ref = ref.removeprefix("./")
    for suffix in ("/__init__.py", "/__main__.py"):
        if path.endswith(suffix):
            path = path.removesuffix(suffix) + ".py"
    if path.rpartition("/")[2] in ("action.yml", "action.yaml"):
        path = path.rpartition("/")[0]  # a local action is named by its folder
    return path == ref or path.endswith("/" + ref)
