"""rubric_import and rubric_export, end to end through the management commands."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import base, call_command
from django.core.management.base import CommandError

from apps.rubrics.management.commands.rubric_import import Command as ImportCommand
from apps.rubrics.models import Rubric
from apps.rubrics.selectors import rubric_spec
from apps.rubrics.services import rubric_to_yaml
from apps.rubrics.validation import parse_rubric
from tests.rubrics.bad_files import CASES
from tests.rubrics.helpers import (
    MINI_PATH,
    MINI_TEXT,
    edit,
    import_mini,
    mini_spec,
    row_counts,
)

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_rubric_import_command_imports_and_publishes():
    output = _run("rubric_import", str(MINI_PATH), "--publish")

    rubric = Rubric.objects.get()
    assert rubric.status == Rubric.Status.PUBLISHED
    assert rubric_spec(rubric=rubric) == mini_spec()
    assert output == (
        "Imported mini 1.0.0 (6 criteria, 2 dimensions), status published\n"
    )


def test_rubric_import_command_without_publish_leaves_a_draft():
    _run("rubric_import", str(MINI_PATH))

    assert Rubric.objects.get().status == Rubric.Status.DRAFT


def test_rubric_import_command_twice_changes_nothing():
    _run("rubric_import", str(MINI_PATH), "--publish")
    before = row_counts()

    output = _run("rubric_import", str(MINI_PATH), "--publish")

    assert output.startswith("Already imported, unchanged: mini 1.0.0")
    assert row_counts() == before


@pytest.mark.parametrize(("edits", "expected"), CASES.values(), ids=CASES.keys())
def test_rubric_import_command_refuses_bad_file_and_writes_nothing(
    edits, expected, tmp_path
):
    import_mini(text=edit(MINI_TEXT, ("slug: mini", "slug: other")))
    path = tmp_path / "bad.yaml"
    path.write_text(edit(MINI_TEXT, *edits), encoding="utf-8")
    before = row_counts()

    with pytest.raises(CommandError) as caught:
        _run("rubric_import", str(path), "--publish")

    message = str(caught.value)
    count = len(expected)
    assert message.startswith(f"{path} refused ({count} problem{'s' * (count > 1)}):")
    for line, field, fragment in expected:
        assert f"{path}:{line}: {field}: " in message
        assert fragment in message
    assert row_counts() == before


def test_rubric_import_command_refuses_new_content_for_published_version(tmp_path):
    import_mini()
    path = tmp_path / "changed.yaml"
    path.write_text(edit(MINI_TEXT, ("title: Mini rubric", "title: Changed")))
    before = row_counts()

    with pytest.raises(CommandError, match="published and cannot change"):
        _run("rubric_import", str(path))

    assert row_counts() == before


def test_rubric_import_command_refuses_missing_file(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        _run("rubric_import", str(tmp_path / "nowhere.yaml"))


def test_rubric_import_from_the_command_line_exits_non_zero(
    tmp_path, capsys, monkeypatch
):
    # run_from_argv closes every connection when it ends, this test's one included.
    monkeypatch.setattr(base.connections, "close_all", lambda: None)
    path = tmp_path / "bad.yaml"
    path.write_text(edit(MINI_TEXT, ("evidence: artifact", "evidence: document")))

    with pytest.raises(SystemExit) as exit_:
        ImportCommand().run_from_argv(["manage.py", "rubric_import", str(path)])

    assert exit_.value.code == 1
    assert f"{path}:79: dimensions[1] (ops).criteria[1]" in capsys.readouterr().err
    assert not Rubric.objects.exists()


def test_rubric_export_command_prints_the_yaml():
    rubric = import_mini()

    output = _run("rubric_export", "mini", "1.0.0")

    assert output == rubric_to_yaml(rubric_spec(rubric=rubric))
    assert parse_rubric(output, filename="out").fingerprint() == rubric.content_sha256


def test_rubric_export_command_writes_the_out_file(tmp_path):
    rubric = import_mini()
    out = tmp_path / "mini.yaml"

    output = _run("rubric_export", "mini", "1.0.0", "--out", str(out))

    assert output == f"Wrote mini 1.0.0 to {out}\n"
    assert parse_rubric(out.read_text(), filename="out").fingerprint() == (
        rubric.content_sha256
    )


def test_rubric_export_then_import_round_trips_through_files(tmp_path):
    import_mini()
    out = tmp_path / "mini.yaml"
    _run("rubric_export", "mini", "1.0.0", "--out", str(out))
    out.write_text(edit(out.read_text(), ("version: 1.0.0", "version: 2.0.0")))

    _run("rubric_import", str(out), "--publish")

    first, second = Rubric.objects.order_by("version")
    assert first.content_sha256 != second.content_sha256  # the version differs
    assert rubric_spec(rubric=second).dimensions == rubric_spec(rubric=first).dimensions


@pytest.mark.parametrize(
    ("slug", "version"), [("nope", "1.0.0"), ("mini", "9.9.9")], ids=["slug", "version"]
)
def test_rubric_export_command_refuses_unknown_rubric(slug, version):
    import_mini()

    with pytest.raises(CommandError, match=f"No rubric {slug} {version}"):
        _run("rubric_export", slug, version)


def test_rubric_export_command_refuses_unwritable_out(tmp_path):
    import_mini()

    with pytest.raises(CommandError, match="cannot write"):
        _run("rubric_export", "mini", "1.0.0", "--out", str(tmp_path / "no" / "x.yaml"))
