"""A focused parse finds the same facts, at the same lines, as a full parse."""

from __future__ import annotations

from apps.repos.scanner.pyfacts import python_facts
from apps.repos.scanner.pyselect import focused_source, imported_names
from apps.repos.scanner.python_rules import FOCUS, detect_python

PADDING = (
    "\n\ndef helper_{n}(x):\n    # mlflow is not used here\n    return x + {n}\n" * 1
)

MODULE = (
    '"""Training entry point.\n\nExample (a docstring, not code):\n\n'
    'import wandb\nwandb.init()\n"""\n'
    "from __future__ import annotations\n\nimport os, mlflow as mf\n"
    "from prefect import (\n    flow,\n    task,\n)\n"
    + "".join(PADDING.format(n=n) for n in range(40))
    + "\n\n@flow(name='train')\ndef pipeline():\n    client.create_model_version('m')\n"
    "    x = '#'; mf.log_metric('a', 1)\n"
    "\n\nif __name__ == '__main__':\n    pipeline()\nelse:\n    mf.autolog()\n"
    "VALUE = 1 + \\\n    2\n"
)


def _hits(facts):
    return sorted((h.signal, h.strength, h.line) for h in detect_python("m.py", facts))


def test_focused_parse_gives_the_same_hits_as_a_full_parse():
    focused = python_facts(MODULE.encode(), FOCUS)
    full = python_facts(MODULE.encode())

    assert _hits(focused) == _hits(full)
    assert (
        "experiment_tracking",
        "wired",
        MODULE[: MODULE.index("mf.log_metric")].count("\n") + 1,
    ) in _hits(focused)


def test_unrelated_blocks_and_docstring_examples_are_left_out():
    text = focused_source(MODULE, FOCUS, imported_names(MODULE))

    assert text is not None
    assert text.count("\n") == MODULE.count("\n")
    assert "def helper_3" not in text
    assert "import wandb" in text  # still inside its docstring
    assert "wandb" not in {c.name for c in python_facts(MODULE.encode(), FOCUS).calls}


def test_imported_names():
    names = imported_names(
        "import os, mlflow as mf\nfrom a.b import (c,\n d as e)\n# import x\n"
    )

    assert names == {"os": "os", "mf": "mlflow", "c": "a.b.c", "e": "a.b.d"}


def test_module_that_is_all_relevant_is_parsed_whole():
    text = "import mlflow\nmlflow.start_run()\n"

    assert focused_source(text, FOCUS, imported_names(text)) is None


def test_module_with_nothing_relevant_is_all_blank():
    assert focused_source("x = 1\ny = 2\n", FOCUS, {}) == "\n\n"
