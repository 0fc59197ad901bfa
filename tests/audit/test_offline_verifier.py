"""apps/audit/offline/verify_audit_export.py: the stand-alone script that travels with
exports and governance reports. It agrees with the chain's own verification on every
kind of tampering, and checks signed checkpoints."""

from __future__ import annotations

import base64
import importlib.util
import io
import json
import subprocess
import sys
from contextlib import redirect_stdout
from pathlib import Path
from types import ModuleType

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command
from django.utils import timezone

from apps.audit.checkpoints import checkpoint_payload, checkpoint_sign
from apps.audit.export import OFFLINE_VERIFIER, export_line
from apps.audit.integrity import chain_verify
from apps.audit.verify import Row
from tests.audit import chains


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "verify_audit_export", OFFLINE_VERIFIER
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


script = _load_script()


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = script.main(list(argv))
    return code, out.getvalue()


def _write(rows: list[Row], path: Path) -> Path:
    lines = (export_line((s, c.decode(), p, h)) for s, c, p, h in rows)
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _head(rows: list[Row]) -> list[str]:
    return ["--head-seq", str(rows[-1][0]), "--head-hash", rows[-1][3].hex()]


ROWS = chains.build_rows(8)


def test_the_script_needs_nothing_but_the_standard_library():
    source = OFFLINE_VERIFIER.read_text()
    imports = {
        line.split()[1].split(".")[0]
        for line in source.splitlines()
        if line.startswith(("import ", "from "))
    }
    assert imports <= {
        "__future__",
        "argparse",
        "base64",
        "binascii",
        "hashlib",
        "json",
        "sys",
    }


def test_an_intact_export_passes(tmp_path):
    export = _write(ROWS, tmp_path / "events.jsonl")

    code, out = _run(str(export), *_head(ROWS))

    assert code == 0
    assert out.startswith(f"OK {export}: events 1-8 of chain org:1")


TAMPERING = {
    "edited payload": lambda rows: chains.edit_payload(rows, 3),
    "edited hash": lambda rows: chains.edit_hash(rows, 3),
    "edited prev_hash": lambda rows: chains.edit_prev_hash(rows, 3),
    "deleted": lambda rows: chains.delete(rows, 4),
    "deleted and renumbered": lambda rows: chains.delete_and_renumber(rows, 4),
    "inserted": lambda rows: chains.insert(rows, 5),
    "swapped": lambda rows: chains.swap(rows, 2, 6),
    "rewritten and rehashed": lambda rows: chains.rewrite_and_rehash(rows, 3),
}


@pytest.mark.parametrize("tamper", TAMPERING.values(), ids=TAMPERING)
def test_each_kind_of_tampering_fails_at_the_first_bad_line(tmp_path, tamper):
    rows, (seq, _) = tamper(ROWS)
    export = _write(rows, tmp_path / "events.jsonl")

    code, out = _run(str(export), *_head(ROWS))

    assert code == 1
    assert out.startswith(f"FAILED {export}: line ")
    # Where the chain breaks: the tampered event, or the first one that no longer
    # links to it (a well-forged event shows only there).
    assert f"(seq {seq})" in out or f"(seq {seq + 1})" in out


@pytest.mark.parametrize(
    ("rows", "says"),
    [
        (chains.truncate(ROWS, 7)[0], "ends at seq 6, before the head seq 8"),
        ([*ROWS, chains.forged_row(ROWS, 9)], "runs on to seq 9, past the head seq 8"),
    ],
    ids=["cut short", "extended"],
)
def test_a_file_that_is_not_the_head_fails(tmp_path, rows, says):
    export = _write(rows, tmp_path / "events.jsonl")

    code, out = _run(str(export), *_head(ROWS))

    assert code == 1
    assert says in out


def test_a_line_that_is_not_an_event_is_named(tmp_path):
    export = _write(ROWS, tmp_path / "events.jsonl")
    lines = export.read_text().splitlines()
    lines[2] = "{not json"
    export.write_text("\n".join(lines) + "\n")

    code, out = _run(str(export), *_head(ROWS))

    assert (code, "line 3 is not an exported event" in out) == (1, True)


def test_bad_arguments_and_a_missing_file_exit_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        script.main([str(tmp_path / "events.jsonl")])
    assert exited.value.code == 2
    assert "give --head-seq and --head-hash, or --checkpoint" in capsys.readouterr().err

    assert script.main([str(tmp_path / "missing.jsonl"), *_head(ROWS)]) == 2


# --- Against real exports ---------------------------------------------------------------


@pytest.mark.django_db
def test_an_audit_export_verifies_in_a_separate_python(
    append_events, org_chain, tmp_path
):
    append_events(5)
    chain = org_chain()
    export = tmp_path / "acme.jsonl"
    call_command(
        "audit_export", "--org", "acme", "--out", str(export), stdout=io.StringIO()
    )
    head = ["--head-seq", "5", "--head-hash", bytes(chain.head_hash).hex()]

    result = subprocess.run(
        [sys.executable, "-I", str(OFFLINE_VERIFIER), str(export), *head],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("OK ")


@pytest.mark.django_db
def test_audit_export_through_a_seq_stops_there(append_events, org_chain, tmp_path):
    append_events(5)
    export = tmp_path / "acme.jsonl"

    call_command(
        "audit_export",
        *("--org", "acme", "--through-seq", "3", "--out", str(export)),
        stdout=io.StringIO(),
    )

    lines = [json.loads(line) for line in export.read_text().splitlines()]
    assert [line["seq"] for line in lines] == [1, 2, 3]
    code, _ = _run(str(export), "--head-seq", "3", "--head-hash", lines[-1]["hash"])
    assert code == 0


@pytest.mark.django_db
def test_audit_export_refuses_a_seq_beyond_the_head(append_events, tmp_path):
    append_events(2)
    out = tmp_path / "acme.jsonl"

    with pytest.raises(CommandError, match="between 1 and the head seq 2"):
        call_command(
            "audit_export", "--org", "acme", "--through-seq", "3", "--out", str(out)
        )

    assert list(tmp_path.iterdir()) == []


# --- Checkpoints ---------------------------------------------------------------------------


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def signed(tmp_path, key):
    """An export of ROWS and the checkpoint of its head, signed with `key`."""
    export = _write(ROWS, tmp_path / "events.jsonl")
    payload = {
        "chain": "org:1",
        "head_seq": 8,
        "head_hash": ROWS[-1][3].hex(),
        "verified": True,
        "first_bad_seq": None,
        "generated_at": "2026-07-01T12:00:00.000000Z",
        "organization": "信用-org",
    }
    checkpoint = tmp_path / "checkpoint.json"
    checkpoint.write_text(checkpoint_sign(payload=payload, key=key).to_json())
    return export, checkpoint


def _public_b64(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return base64.b64encode(raw).decode()


def _edit(checkpoint: Path, change) -> None:
    document = json.loads(checkpoint.read_text())
    change(document)
    checkpoint.write_text(json.dumps(document, ensure_ascii=False))


def test_a_signed_checkpoint_verifies_and_pins_the_key(signed, key):
    export, checkpoint = signed

    code, out = _run(str(export), "--checkpoint", str(checkpoint))
    assert code == 0, out
    assert "Checkpoint signature verified (Ed25519" in out

    pinned = _run(
        str(export), "--checkpoint", str(checkpoint), "--public-key", _public_b64(key)
    )
    assert pinned[0] == 0
    other = _public_b64(Ed25519PrivateKey.generate())
    code, out = _run(
        str(export), "--checkpoint", str(checkpoint), "--public-key", other
    )
    assert (code, "signed with another key" in out) == (1, True)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (
            lambda d: d["payload"].update(generated_at="2026-07-02T12:00:00.000000Z"),
            "signature does not verify",
        ),
        (
            lambda d: d.update(signature=base64.b64encode(bytes(64)).decode()),
            "signature does not verify",
        ),
        (
            lambda d: d.update(public_key=_public_b64(Ed25519PrivateKey.generate())),
            "does not match its fingerprint",
        ),
        (lambda d: d["payload"].update(head_seq=7), "past the head seq 7"),
    ],
    ids=["payload edited", "signature replaced", "key replaced", "head moved"],
)
def test_an_altered_checkpoint_fails(signed, change, says):
    export, checkpoint = signed
    _edit(checkpoint, change)

    code, out = _run(str(export), "--checkpoint", str(checkpoint))

    assert code == 1
    assert says in out


def test_a_checkpoint_disagreeing_with_the_head_given_fails(signed):
    export, checkpoint = signed

    code, out = _run(
        str(export),
        "--checkpoint",
        str(checkpoint),
        "--head-seq",
        "7",
        "--head-hash",
        "00",
    )

    assert (code, "not the --head-seq/--head-hash given" in out) == (1, True)


def test_a_checkpoint_of_a_failed_verification_fails(tmp_path, key):
    export = _write(ROWS, tmp_path / "events.jsonl")
    payload = {
        "chain": "org:1",
        "head_seq": 8,
        "head_hash": ROWS[-1][3].hex(),
        "verified": False,
        "first_bad_seq": 3,
        "generated_at": "2026-07-01T12:00:00.000000Z",
        "organization": "acme",
    }
    checkpoint = tmp_path / "checkpoint.json"
    checkpoint.write_text(checkpoint_sign(payload=payload, key=key).to_json())

    code, out = _run(str(export), "--checkpoint", str(checkpoint))

    assert code == 1
    assert "verification failed at seq 3" in out


def test_without_cryptography_it_says_the_signature_was_not_checked(
    signed, monkeypatch
):
    export, checkpoint = signed
    monkeypatch.setitem(sys.modules, "cryptography", None)
    monkeypatch.setitem(sys.modules, "cryptography.exceptions", None)

    code, out = _run(str(export), "--checkpoint", str(checkpoint))

    assert code == 0
    assert "Checkpoint signature NOT CHECKED" in out
    assert "pip install cryptography" in out


@pytest.mark.django_db
def test_a_checkpoint_of_a_real_chain_verifies(append_events, org_chain, tmp_path, key):
    append_events(3)
    verification = chain_verify(chain=org_chain())
    payload = checkpoint_payload(
        verification=verification, organization="acme", generated_at=timezone.now()
    )
    checkpoint = tmp_path / "checkpoint.json"
    checkpoint.write_text(checkpoint_sign(payload=payload, key=key).to_json())
    export = tmp_path / "acme.jsonl"
    call_command(
        "audit_export", "--org", "acme", "--out", str(export), stdout=io.StringIO()
    )

    code, out = _run(str(export), "--checkpoint", str(checkpoint))

    assert code == 0, out
