"""audit_signing_key: a new key to configure, and the public half to publish."""

from __future__ import annotations

import base64
import hashlib
import io

import pytest
from django.core.management import CommandError, call_command

from apps.audit.checkpoints import load_signing_key, public_key_raw


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("audit_signing_key", *args, stdout=out)
    return out.getvalue()


def test_a_generated_key_is_one_the_settings_take_and_its_public_half_prints(settings):
    line = _run("--generate").splitlines()[0]
    name, _, value = line.partition("=")
    assert name == "TOLLGATE_AUDIT_SIGNING_KEY"
    raw_public = public_key_raw(load_signing_key(value))
    settings.TOLLGATE_AUDIT_SIGNING_KEY = value

    printed = _run()

    assert f"public key  {base64.b64encode(raw_public).decode()}" in printed
    assert f"fingerprint {hashlib.sha256(raw_public).hexdigest()}" in printed
    assert value not in printed  # never the private key


@pytest.mark.parametrize(
    ("configured", "message"),
    [
        ("", "TOLLGATE_AUDIT_SIGNING_KEY is not set"),
        ("c2hvcnQ=", "base64 of 5 bytes, not 32"),
    ],
)
def test_no_key_or_a_malformed_one_exits_with_the_reason(settings, configured, message):
    settings.TOLLGATE_AUDIT_SIGNING_KEY = configured
    with pytest.raises(CommandError, match=message):
        _run()
