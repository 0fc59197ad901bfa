"""Reading a rubric file: structure first, then the rules that span the whole file.

Every problem is collected, not just the first, and each names the file, the line and
the field, so an author fixes a file in one pass.
"""

from __future__ import annotations

import graphlib
import math
from dataclasses import dataclass
from typing import Any

import yaml

from apps.rubrics.evidence import ATTEST, rule_error
from apps.rubrics.schema import RubricSchema, flatten_errors
from apps.rubrics.spec import (
    CriterionSpec,
    DimensionSpec,
    LevelSpec,
    OptionSpec,
    QuestionSpec,
    RubricSpec,
)
from apps.rubrics.yaml_lines import line_of, load_with_lines, plain

CHOICE_TYPES = {"single_choice", "multi_select"}
MET_WHEN_TYPES = {"multi_select", "number"}


@dataclass(frozen=True)
class LocatedError:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class RubricFileError(Exception):
    def __init__(self, errors: list[LocatedError]) -> None:
        self.errors = sorted(errors, key=lambda e: (e.line, e.field))
        super().__init__("\n".join(str(e) for e in self.errors))


class _Problems:
    """Collects (path, message) pairs and locates them in the parsed file."""

    def __init__(self, root: Any, filename: str) -> None:
        self.root, self.filename, self.found = root, filename, []

    def add(self, path: tuple, message: str) -> None:
        self.found.append(
            LocatedError(
                self.filename,
                line_of(self.root, path),
                _describe(self.root, path),
                message,
            )
        )

    def raise_if_any(self) -> None:
        if self.found:
            raise RubricFileError(self.found)


def _describe(root: Any, path: tuple) -> str:
    parts, node = [], root
    for step in path:
        if isinstance(step, int):
            node = node[step] if isinstance(node, list) and step < len(node) else None
            label = f"[{step}]"
            if isinstance(node, dict) and isinstance(node.get("id"), str):
                label += f" ({node['id']})"
            parts.append(label)
        else:
            node = node.get(step) if isinstance(node, dict) else None
            parts.append(("." if parts else "") + str(step))
    return "".join(parts) or "(file)"


def parse_rubric(text: str, *, filename: str) -> RubricSpec:
    """Parse and validate a rubric file; raise RubricFileError listing every problem."""
    try:
        root = load_with_lines(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        # An error at the end of input points past the last line; name the last line.
        last = max(1, len(text.splitlines()))
        line = min(mark.line + 1, last) if mark else 1
        problem = getattr(exc, "problem", None) or str(exc)
        error = LocatedError(filename, line, "(file)", f"not valid YAML: {problem}")
        raise RubricFileError([error]) from exc
    if not isinstance(root, dict):
        raise RubricFileError(
            [LocatedError(filename, 1, "(file)", "must be a mapping")]
        )
    problems = _Problems(root, filename)
    _check_duplicate_keys(text, problems)
    schema = RubricSchema(data=root)
    if not schema.is_valid():
        for path, message in flatten_errors(schema.errors):
            problems.add(path, message)
        problems.raise_if_any()
    data = schema.validated_data
    _check_levels(data, problems)
    _check_dimensions(data, problems)
    problems.raise_if_any()
    return _build_spec(data)


def _check_duplicate_keys(text: str, problems: _Problems) -> None:
    """YAML keeps the last of two equal keys silently; a rubric file refuses them."""
    root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    stack, visited = [(root, ())], set()
    while stack:
        node, path = stack.pop()
        if id(node) in visited:  # an alias: its node was checked where it was defined
            continue
        visited.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack += [(item, (*path, i)) for i, item in enumerate(node.value)]
        if not isinstance(node, yaml.MappingNode):
            continue
        seen: set[tuple[str, str]] = set()
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                continue
            if (key.tag, key.value) in seen:
                problems.found.append(
                    LocatedError(
                        problems.filename,
                        key.start_mark.line + 1,
                        _describe(problems.root, (*path, key.value)),
                        f"duplicate key {key.value!r} (YAML would keep the last)",
                    )
                )
            seen.add((key.tag, key.value))
            stack.append((value, (*path, key.value)))


def _check_levels(data: dict, problems: _Problems) -> None:
    seen = [level["level"] for level in data["levels"]]
    for index, number in enumerate(seen):
        if seen.index(number) != index:
            problems.add(("levels", index, "level"), f"duplicate level {number}")
    if sorted(set(seen)) != [0, 1, 2, 3, 4]:
        problems.add(("levels",), "must define each of the levels 0, 1, 2, 3 and 4")


def _check_dimensions(data: dict, problems: _Problems) -> None:
    dimension_ids = [d["id"] for d in data["dimensions"]]
    criteria_paths: dict[str, tuple] = {}
    for d_index, dimension in enumerate(data["dimensions"]):
        path = ("dimensions", d_index)
        if dimension_ids.index(dimension["id"]) != d_index:
            problems.add((*path, "id"), f"duplicate dimension id {dimension['id']!r}")
        shared = _check_shared_questions(dimension, path, dimension_ids, problems)
        used: set[str] = set()
        for c_index, criterion in enumerate(dimension["criteria"]):
            c_path = (*path, "criteria", c_index)
            if criterion["id"] in criteria_paths:
                problems.add(
                    (*c_path, "id"), f"duplicate criterion id {criterion['id']!r}"
                )
            criteria_paths.setdefault(criterion["id"], c_path)
            _check_prefix(
                criterion["id"],
                dimension["id"],
                dimension_ids,
                (*c_path, "id"),
                problems,
            )
            _check_criterion(criterion, c_path, shared, used, problems)
        for q_index, question in enumerate(dimension.get("questions", [])):
            if question["id"] not in used:
                problems.add(
                    (*path, "questions", q_index),
                    f"question without criterion: no criterion uses {question['id']!r}",
                )
    _check_prerequisites(data, criteria_paths, problems)


def _check_prefix(
    key: str, dimension: str, dimension_ids: list[str], path: tuple, problems
) -> None:
    prefix = key.split(".", 1)[0]
    if "." not in key:
        problems.add(path, f"must start with its dimension id: {dimension}.…")
    elif prefix not in dimension_ids:
        problems.add(path, f"unknown dimension {prefix!r}")
    elif prefix != dimension:
        problems.add(
            path, f"sits in dimension {dimension!r} but names dimension {prefix!r}"
        )


def _check_shared_questions(
    dimension: dict, path: tuple, dimension_ids: list[str], problems
) -> dict:
    shared: dict[str, dict] = {}
    for q_index, question in enumerate(dimension.get("questions", [])):
        q_path = (*path, "questions", q_index)
        if "id" not in question:
            problems.add(q_path, "a shared question needs an id")
            continue
        if question["id"] in shared:
            problems.add((*q_path, "id"), f"duplicate question id {question['id']!r}")
        _check_prefix(
            question["id"], dimension["id"], dimension_ids, (*q_path, "id"), problems
        )
        _check_question(question, q_path, problems)
        shared[question["id"]] = question
    return shared


def _check_question(question: dict, path: tuple, problems: _Problems) -> None:
    kind, options = question["type"], question.get("options", [])
    if kind in CHOICE_TYPES and len(options) < 2:
        problems.add(
            (*path, "options"), f"a {kind} question needs at least two options"
        )
    if kind not in CHOICE_TYPES and options:
        problems.add((*path, "options"), f"a {kind} question takes no options")
    values = [option["value"] for option in options]
    for index, option in enumerate(options):
        if values.index(option["value"]) != index:
            problems.add(
                (*path, "options", index, "value"),
                f"duplicate option {option['value']!r}",
            )
        if kind == "single_choice" and "level" not in option:
            problems.add(
                (*path, "options", index), "single_choice options need a level (0–4)"
            )
    if kind != "number" and ({"min", "max", "unit"} & set(question)):
        problems.add(path, "min, max and unit are for number questions")


def _check_criterion(
    criterion: dict, path: tuple, shared: dict, used: set, problems
) -> None:
    error = rule_error(criterion["evidence"])
    if error:
        problems.add((*path, "evidence"), error)
    elif criterion["evidence"] == ATTEST and criterion["level"] >= 3:
        problems.add(
            (*path, "evidence"),
            "levels 3 and 4 need proof: use artifact or signal:<key>, not attest",
        )
    question = criterion["question"]
    if isinstance(question, str):
        if question not in shared:
            problems.add((*path, "question"), f"unknown shared question {question!r}")
            return
        used.add(question)
        question = shared[question]
    else:
        if criterion["id"] in shared:
            problems.add(
                (*path, "id"),
                f"duplicate question id {criterion['id']!r}: an inline question takes "
                "its criterion's id, and a shared question already has it",
            )
        if "id" in question:
            problems.add(
                (*path, "question", "id"), "an inline question takes its criterion's id"
            )
        _check_question(question, (*path, "question"), problems)
    _check_met_when(criterion.get("met_when"), question, path, problems)


def _check_met_when(rule: dict | None, question: dict, path: tuple, problems) -> None:
    kind = question["type"]
    if kind not in MET_WHEN_TYPES:
        if rule is not None:
            problems.add((*path, "met_when"), f"not allowed for a {kind} question")
        return
    if rule is None:
        problems.add(
            (*path, "question"), f"a {kind} question needs met_when on the criterion"
        )
        return
    allowed = (
        {"any_of", "all_of", "min_selected"}
        if kind == "multi_select"
        else {"gte", "lte"}
    )
    if len(rule) != 1 or not set(rule) <= allowed:
        problems.add(
            (*path, "met_when"), f"use exactly one of: {', '.join(sorted(allowed))}"
        )
        return
    ((operator, operand),) = rule.items()
    values = {option["value"] for option in question.get("options", [])}
    if operator in ("any_of", "all_of"):
        if (
            not isinstance(operand, list)
            or not operand
            or not set(map(str, operand)) <= values
        ):
            problems.add(
                (*path, "met_when", operator), "must list option values of the question"
            )
    elif operator == "min_selected":
        if not _is_number(operand, whole=True) or not 1 <= operand <= len(values):
            problems.add(
                (*path, "met_when", operator),
                f"must be a whole number from 1 to {len(values)} (the options)",
            )
    elif not _is_number(operand):
        problems.add((*path, "met_when", operator), "must be a number")


def _is_number(value: Any, *, whole: bool = False) -> bool:
    kinds = int if whole else int | float
    return (
        not isinstance(value, bool)
        and isinstance(value, kinds)
        and math.isfinite(value)
    )


def _check_prerequisites(
    data: dict, criteria_paths: dict[str, tuple], problems
) -> None:
    graph: dict[str, list[str]] = {}
    for key, path in criteria_paths.items():
        requires = _node(data, path)["requires"]
        for index, required in enumerate(requires):
            if required == key:
                problems.add(
                    (*path, "requires", index), "a criterion cannot require itself"
                )
            elif required not in criteria_paths:
                problems.add(
                    (*path, "requires", index),
                    f"prerequisite {required!r} does not exist",
                )
        graph[key] = [r for r in requires if r in criteria_paths and r != key]
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        cycle = _requires_order(exc.args[1], list(criteria_paths))
        problems.add(
            (*criteria_paths[cycle[0]], "requires"),
            "prerequisite cycle (each requires the next): " + " → ".join(cycle),
        )


def _requires_order(cycle: list[str], file_order: list[str]) -> list[str]:
    """graphlib lists a cycle prerequisite-first; name it from the criterion that
    comes first in the file, each one followed by the one it requires."""
    nodes = cycle[:-1][::-1]
    start = min(range(len(nodes)), key=lambda i: file_order.index(nodes[i]))
    nodes = nodes[start:] + nodes[:start]
    return [*nodes, nodes[0]]


def _node(data: Any, path: tuple) -> Any:
    for step in path:
        data = data[step]
    return data


def _question_spec(question: dict, key: str) -> QuestionSpec:
    return QuestionSpec(
        key=key,
        type=question["type"],
        text=question["text"],
        help=question.get("help", ""),
        unit=question.get("unit", ""),
        min=question.get("min"),
        max=question.get("max"),
        options=tuple(
            OptionSpec(
                value=o["value"],
                label=o["label"],
                level=o.get("level"),
                evidence_required=o.get("evidence") == "required",
            )
            for o in question.get("options", [])
        ),
    )


def _build_spec(data: dict) -> RubricSpec:
    dimensions = []
    for d in data["dimensions"]:
        shared = {q["id"]: _question_spec(q, q["id"]) for q in d.get("questions", [])}
        criteria = tuple(
            CriterionSpec(
                key=c["id"],
                level=c["level"],
                statement=c["statement"],
                evidence=c["evidence"],
                requires=tuple(c["requires"]),
                effort=c["effort"],
                guidance=c.get("guidance", ""),
                anchor=c.get("anchor", ""),
                question=shared[c["question"]]
                if isinstance(c["question"], str)
                else _question_spec(c["question"], c["id"]),
                shared_question=isinstance(c["question"], str),
                met_when=plain(c.get("met_when")),
            )
            for c in d["criteria"]
        )
        dimensions.append(
            DimensionSpec(
                key=d["id"],
                name=d["name"],
                description=d.get("description", ""),
                core=d["core"],
                weight=d["weight"],
                questions=tuple(shared.values()),
                criteria=criteria,
            )
        )
    levels = tuple(
        LevelSpec(
            level=lv["level"], name=lv["name"], description=lv.get("description", "")
        )
        for lv in sorted(data["levels"], key=lambda lv: lv["level"])
    )
    spec = RubricSpec(
        slug=data["slug"],
        version=data["version"],
        title=data["title"],
        description=data.get("description", ""),
        levels=levels,
        dimensions=tuple(dimensions),
    )
    spec.criteria_by_key.update({c.key: c for d in spec.dimensions for c in d.criteria})
    return spec
