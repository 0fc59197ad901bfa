"""What Python code does, read with `ast`: imports, calls, decorators, classes.

Only code counts. A comment or a string that says `mlflow.start_run()` is not a call;
a file that does not parse yields nothing (never a fallback to text search). Names are
resolved through the file's imports, so `import mlflow as mf; mf.log_metric()` is
`mlflow.log_metric`, and a local function that happens to be called `log_metric` is not.

Notebooks count by their code cells only: outputs (embedded images, printed text) and
markdown cells never do. IPython magics (`%pip`, `!ls`) are blanked before parsing.
"""

from __future__ import annotations

import ast
import json
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

from .pyselect import Focus, focused_source, imported_names

# Keyword arguments whose text names a task or runs a command (Airflow's task_id and
# bash_command, Kubeflow's display names): they say what a scheduled DAG does.
_TASK_KEYWORDS = frozenset(
    {"task_id", "bash_command", "cmd", "command", "entrypoint", "name", "display_name"}
)
_MAGIC = re.compile(r"^\s*[%!?]")
# Function names anywhere in a module (also in blocks a focused parse skipped): they
# tell whether a scheduled DAG's module trains.
_DEFINITION = re.compile(r"def[ \t]+(\w+)")
_INTERESTING = frozenset(
    {ast.Import, ast.ImportFrom, ast.Call, ast.FunctionDef, ast.AsyncFunctionDef,
     ast.ClassDef}
)  # fmt: skip
_LEAVES = frozenset(
    {ast.Name, ast.Constant, ast.Load, ast.Store, ast.Del, ast.alias, str, int, bytes,
     type(None)}
)  # fmt: skip


@dataclass(frozen=True)
class Call:
    """A call or decorator. `name` is resolved through imports (None if its root is
    not an imported name); `dotted` is as written."""

    name: str | None
    dotted: str
    line: int
    kwargs: dict[str, Any] = field(default_factory=dict)
    first_str: str | None = None


@dataclass(frozen=True)
class ClassFact:
    bases: tuple[str, ...]  # resolved where possible
    line: int
    decorators: tuple[Call, ...]
    step_methods: int  # methods decorated with something named `step`


@dataclass
class PyFacts:
    imports: dict[str, int] = field(default_factory=dict)  # module -> first line
    calls: list[Call] = field(default_factory=list)
    decorators: list[Call] = field(default_factory=list)
    classes: list[ClassFact] = field(default_factory=list)
    words: set[str] = field(default_factory=set)  # defs, imported and called names
    task_texts: list[str] = field(default_factory=list)


def python_facts(source: bytes, focus: Focus | None = None) -> PyFacts | None:
    """Facts of a module, or None if it does not parse.

    With `focus` (library names and the method names the rules look for), only the
    top-level blocks that mention one of them, or a name imported from them, are
    parsed (see pyselect): parsing is most of a scan's time, and most of a module
    is about something else. Facts come out the same, with the same line numbers.
    """
    text = source.decode("utf-8", "replace")
    names = imported_names(text)
    tree = None
    if focus is not None:
        narrowed = focused_source(text, focus, names)
        if narrowed is not None:
            tree = _parse(narrowed)
    tree = tree or _parse(text)
    if tree is None:
        return None
    facts = _Collector().collect([tree])
    facts.words.update(_DEFINITION.findall(text))
    facts.words.update(names)
    return facts


def notebook_facts(data: bytes) -> PyFacts | None:
    try:
        notebook = json.loads(data)
    except (ValueError, RecursionError):
        return None
    trees = [tree for source in _code_cells(notebook) if (tree := _parse(source))]
    return _Collector().collect(trees) if trees else None


def _code_cells(notebook: Any) -> list[str]:
    if not isinstance(notebook, dict):
        return []
    cells = notebook.get("cells")
    if cells is None:  # nbformat 3
        sheets = notebook.get("worksheets")
        sheets = sheets if isinstance(sheets, list) else []
        cells = [c for s in sheets if isinstance(s, dict) for c in s.get("cells", [])]
    sources = []
    for cell in cells if isinstance(cells, list) else []:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            text = cell.get("source", cell.get("input", ""))
            text = "".join(text) if isinstance(text, list) else text
            if isinstance(text, str):
                lines = text.splitlines()
                sources.append("\n".join("" if _MAGIC.match(x) else x for x in lines))
    return sources


def _parse(source: bytes | str) -> ast.Module | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning on odd escapes
            return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


class _Collector:
    def __init__(self) -> None:
        self.facts = PyFacts()
        self.aliases: dict[str, str] = {}
        self.raw_calls: list[tuple[str, int, dict, str | None]] = []
        self.raw_decorators: list[tuple[str, int, dict, str | None]] = []
        self.raw_classes: list[tuple[list[str], int, list, int]] = []

    def collect(self, trees: list[ast.Module]) -> PyFacts:
        for tree in trees:
            self._walk(tree)
        facts = self.facts
        facts.calls = [self._call(*raw) for raw in self.raw_calls]
        facts.decorators = [self._call(*raw) for raw in self.raw_decorators]
        facts.classes = [
            ClassFact(
                tuple(self.resolve(b) or b for b in bases),
                line,
                tuple(self._call(*d) for d in decorators),
                steps,
            )
            for bases, line, decorators, steps in self.raw_classes
        ]
        return facts

    def resolve(self, dotted: str) -> str | None:
        root, _, rest = dotted.partition(".")
        target = self.aliases.get(root.removesuffix("()"))
        if target is None:
            return None
        target += "()" if root.endswith("()") else ""
        return f"{target}.{rest}" if rest else target

    def _call(self, dotted: str, line: int, kwargs: dict, first: str | None) -> Call:
        return Call(self.resolve(dotted), dotted, line, kwargs, first)

    def _walk(self, tree: ast.Module) -> None:
        """Every node once, like ast.walk, but about twice as fast: leaves that can
        hold no call (names, constants, load/store contexts) are not descended into."""
        stack: list[ast.AST] = [tree]
        while stack:
            node = stack.pop()
            if type(node) in _INTERESTING:
                self._visit(node)
            for name in node._fields:
                value = getattr(node, name, None)
                if type(value) is list:
                    stack.extend(v for v in value if type(v) not in _LEAVES)
                elif type(value) not in _LEAVES and isinstance(value, ast.AST):
                    stack.append(value)

    def _visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name.partition(".")[0]
                self.aliases[bound] = alias.name if alias.asname else bound
                self._imported(alias.name, node.lineno, bound)
        elif isinstance(node, ast.ImportFrom):
            if node.level or not node.module:
                return  # relative imports are the repository's own code
            self._imported(node.module, node.lineno, None)
            for alias in node.names:
                if alias.name != "*":
                    bound = alias.asname or alias.name
                    self.aliases[bound] = f"{node.module}.{alias.name}"
                    self.facts.words.add(alias.name)
        elif isinstance(node, ast.Call):
            self._visit_call(node)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            self._visit_def(node)
        elif isinstance(node, ast.ClassDef):
            self._visit_class(node)

    def _imported(self, module: str, line: int, bound: str | None) -> None:
        self.facts.imports.setdefault(module, line)
        if bound:
            self.facts.words.add(bound)

    def _visit_call(self, node: ast.Call) -> None:
        dotted = _dotted(node.func)
        if dotted is None:
            return
        kwargs = {k.arg: _constant(k.value) for k in node.keywords if k.arg}
        self.raw_calls.append((dotted, node.lineno, kwargs, _first_str(node)))
        self.facts.words.add(dotted.rpartition(".")[2].removesuffix("()"))
        for key, value in kwargs.items():
            if key in _TASK_KEYWORDS and isinstance(value, str):
                self.facts.task_texts.append(value)

    def _visit_def(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.facts.words.add(node.name)
        self.raw_decorators += [
            raw for raw in map(_decorator, node.decorator_list) if raw
        ]

    def _visit_class(self, node: ast.ClassDef) -> None:
        bases = [d for d in map(_dotted, node.bases) if d]
        decorators = [raw for raw in map(_decorator, node.decorator_list) if raw]
        self.raw_decorators += decorators
        steps = sum(
            1
            for item in node.body
            if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
            and any(
                (_decorator(d) or ("",))[0].rpartition(".")[2] == "step"
                for d in item.decorator_list
            )
        )
        self.raw_classes.append((bases, node.lineno, decorators, steps))


def _decorator(node: ast.expr) -> tuple[str, int, dict, str | None] | None:
    if isinstance(node, ast.Call):
        dotted = _dotted(node.func)
        kwargs = {k.arg: _constant(k.value) for k in node.keywords if k.arg}
        return (dotted, node.lineno, kwargs, _first_str(node)) if dotted else None
    dotted = _dotted(node)
    return (dotted, node.lineno, {}, None) if dotted else None


def _dotted(node: ast.expr) -> str | None:
    """`a.b.c` for a chain of names; `A().m` for a method of a call's result."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    if isinstance(node, ast.Call):
        base = _dotted(node.func)
        return f"{base}()" if base else None
    return None


def _constant(node: ast.expr) -> Any:
    """A literal's value (lists of literals too); Ellipsis for any other expression."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.List | ast.Tuple):
        return [_constant(item) for item in node.elts]
    return ...


def _first_str(node: ast.Call) -> str | None:
    if not node.args:
        return None
    first = node.args[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value
    if isinstance(first, ast.JoinedStr) and first.values:
        head = first.values[0]  # f"models:/{name}/1" starts with a literal
        if isinstance(head, ast.Constant) and isinstance(head.value, str):
            return head.value
    return None
