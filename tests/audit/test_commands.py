"""The audit_verify and audit_export management commands."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError

from apps.audit import selectors
from apps.audit.models import Chain
from apps.audit.verify import Tampering, verify_export_lines
from tests.accounts.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _exit_code_from_command_line(*argv) -> int:
    """What `manage.py <argv>` exits with: CommandError becomes a message and exit 1."""
    command = load_command_class("apps.audit", argv[0])
    command.stderr = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        command.run_from_argv(["manage.py", *argv])
    return exited.value.code


# --- audit_verify ----------------------------------------------------------------------


def test_audit_verify_passes_a_thousand_events(org, append_events, org_chain):
    append_events(1000)
    chain = org_chain()

    out = _run("audit_verify", "--org", "acme")

    assert out == f"acme: OK head seq 1000 hash {bytes(chain.head_hash).hex()}\n"


def test_audit_verify_without_org_checks_every_chain(append_events):
    append_events(2)
    append_events(1, organization=None)

    out = _run("audit_verify")

    assert "acme: OK head seq 2" in out
    assert "platform: OK head seq 1" in out


def test_audit_verify_refuses_an_unknown_organisation(append_events):
    append_events(1)

    with pytest.raises(CommandError, match="No audit chain for organisation 'nope'"):
        call_command("audit_verify", "--org", "nope")


# --- audit_export ----------------------------------------------------------------------


@pytest.fixture
def exported(append_events, tmp_path):
    append_events(5)
    path = tmp_path / "acme.jsonl"
    call_command(
        "audit_export", "--org", "acme", "--out", str(path), stdout=io.StringIO()
    )
    return path


def test_audit_export_writes_one_line_per_event(exported, org_chain):
    chain = org_chain()
    lines = [json.loads(line) for line in exported.read_text().splitlines()]

    assert [line["seq"] for line in lines] == [1, 2, 3, 4, 5]
    assert lines[-1]["hash"] == bytes(chain.head_hash).hex()
    assert lines[0]["prev_hash"] == "00" * 32
    assert lines[1]["prev_hash"] == lines[0]["hash"]
    stored = [
        canonical for _, canonical, _, _ in selectors.audit_event_export(chain=chain)
    ]
    assert [line["canonical"] for line in lines] == stored


def test_audit_export_file_verifies_offline(exported, org_chain):
    chain = org_chain()

    with exported.open() as lines:
        finding = verify_export_lines(
            lines, head_seq=chain.head_seq, head_hash=bytes(chain.head_hash)
        )

    assert finding is None


def test_audit_export_file_with_an_edited_line_fails_offline(exported):
    lines = exported.read_text().splitlines()
    line = json.loads(lines[2])
    line["canonical"] = line["canonical"].replace('"n":2', '"n":7')
    lines[2] = json.dumps(line)

    finding = verify_export_lines(lines)

    assert (finding.seq, finding.reason) == (3, Tampering.EDITED)


def test_audit_export_file_without_its_last_line_fails_against_the_head(
    exported, org_chain
):
    chain = org_chain()
    lines = exported.read_text().splitlines()[:-1]

    finding = verify_export_lines(
        lines, head_seq=chain.head_seq, head_hash=bytes(chain.head_hash)
    )

    assert (finding.seq, finding.reason) == (5, Tampering.DELETED)


def test_audit_export_refuses_an_unknown_organisation(append_events, tmp_path):
    append_events(1)
    out = tmp_path / "nope.jsonl"

    code = _exit_code_from_command_line(
        "audit_export", "--org", "nope", "--out", str(out)
    )

    assert code != 0
    assert list(tmp_path.iterdir()) == []


def test_audit_export_names_a_missing_folder_and_writes_nothing(
    append_events, tmp_path
):
    append_events(1)
    out = tmp_path / "missing" / "acme.jsonl"

    with pytest.raises(CommandError, match="does not exist"):
        call_command("audit_export", "--org", "acme", "--out", str(out))

    assert list(tmp_path.iterdir()) == []


class DiskFull(OSError):
    pass


def test_audit_export_failing_midway_leaves_no_file(
    append_events, tmp_path, monkeypatch
):
    append_events(3)
    out = tmp_path / "acme.jsonl"

    def rows_then_disk_full(*, chain):
        yield from list(selectors.audit_event_export(chain=chain))[:2]
        raise DiskFull("No space left on device")

    monkeypatch.setattr(
        "apps.audit.management.commands.audit_export.audit_event_export",
        rows_then_disk_full,
    )

    with pytest.raises(DiskFull):
        call_command("audit_export", "--org", "acme", "--out", str(out))

    assert list(tmp_path.iterdir()) == []


def test_audit_export_of_another_org_holds_only_its_events(append_events, tmp_path):
    append_events(3)
    other = OrganizationFactory(slug="other")
    append_events(2, organization=other)
    out = tmp_path / "other.jsonl"

    call_command(
        "audit_export", "--org", "other", "--out", str(out), stdout=io.StringIO()
    )

    keys = {json.loads(json.loads(line)["canonical"])["chain"] for line in out.open()}
    assert keys == {Chain.objects.get(organization=other).key}
