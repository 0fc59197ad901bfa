"""parse_rubric refuses a bad file as a whole, naming file, line and field of each problem."""

from __future__ import annotations

import pytest

from apps.rubrics.validation import LocatedError, RubricFileError, parse_rubric
from tests.rubrics.bad_files import CASES
from tests.rubrics.helpers import MINI_TEXT, edit


def _refused(text: str) -> list[LocatedError]:
    with pytest.raises(RubricFileError) as caught:
        parse_rubric(text, filename="mini.yaml")
    return caught.value.errors


def test_mini_rubric_is_valid():
    spec = parse_rubric(MINI_TEXT, filename="mini.yaml")

    assert [d.key for d in spec.dimensions] == ["data", "ops"]
    assert len(spec.criteria_by_key) == 6


@pytest.mark.parametrize(("edits", "expected"), CASES.values(), ids=CASES.keys())
def test_parse_rubric_refuses_file_naming_line_and_field(edits, expected):
    errors = _refused(edit(MINI_TEXT, *edits))

    assert [(e.line, e.field) for e in errors] == [(ln, f) for ln, f, _ in expected]
    for error, (line, field, fragment) in zip(errors, expected, strict=True):
        assert fragment in error.message
        assert str(error) == f"mini.yaml:{line}: {field}: {error.message}"


def test_parse_rubric_reports_every_problem_at_once_in_line_order():
    text = edit(
        MINI_TEXT,
        ("signal:data_versioning", "signal:dvc"),
        ("evidence: artifact", "evidence: document"),
        ("{gte: 90}", "{gte: ninety}"),
    )

    errors = _refused(text)

    assert [e.line for e in errors] == [37, 79, 101]


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("slug: mini\nlevels: [unclosed\n", 2, "not valid YAML"),
        ("slug: mini\n  title: indented\n", 2, "not valid YAML"),
        ("slug: mini\ntitle:\t[a\n", 2, "not valid YAML"),
    ],
    ids=["unclosed flow sequence", "bad indentation", "tab"],
)
def test_parse_rubric_refuses_invalid_yaml_at_its_line(text, line, fragment):
    (error,) = _refused(text)

    assert (error.line, error.field) == (line, "(file)")
    assert fragment in error.message


@pytest.mark.parametrize(
    "text", ["- slug: mini\n- version: 1.0.0\n", "just text\n", ""], ids=str
)
def test_parse_rubric_refuses_non_mapping_root(text):
    (error,) = _refused(text)

    assert str(error) == "mini.yaml:1: (file): must be a mapping"
