"""Signed checkpoints: the signing key from settings, and what gets signed."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from apps.audit.canonical import canonical_json
from apps.audit.checkpoints import (
    SigningKeyError,
    checkpoint_for,
    checkpoint_sign,
    configured_signing_key,
    load_signing_key,
    public_key_raw,
)
from apps.audit.integrity import Verification
from apps.audit.verify import Finding, Tampering


def _raw(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )


def _pem(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.mark.parametrize(
    "spelling",
    [
        lambda key: base64.b64encode(_raw(key)).decode(),
        _pem,
        # PEM in a one-line environment variable, newlines written as \n.
        lambda key: _pem(key).replace("\n", "\\n"),
    ],
    ids=["base64 raw", "PEM", "PEM on one line"],
)
def test_a_key_reads_from_base64_or_pem(key, spelling):
    loaded = load_signing_key(spelling(key))

    assert public_key_raw(loaded) == public_key_raw(key)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("not a key", "neither PEM nor base64"),
        (base64.b64encode(bytes(16)).decode(), "base64 of 16 bytes, not 32"),
        (
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
            "unreadable PEM",
        ),
        (_pem(generate_private_key(SECP256R1())), "not Ed25519"),
    ],
    ids=["garbage", "short", "bad PEM", "another algorithm"],
)
def test_a_malformed_key_is_refused_with_a_clear_error(text, says):
    with pytest.raises(SigningKeyError) as refused:
        load_signing_key(text)

    assert (
        "TOLLGATE_AUDIT_SIGNING_KEY is not an Ed25519 private key"
        in refused.value.message
    )
    assert says in refused.value.message


def test_no_key_configured_means_no_checkpoint(settings):
    settings.TOLLGATE_AUDIT_SIGNING_KEY = ""
    verification = Verification("org:1", 3, "ab" * 32, 3, None)

    assert configured_signing_key() is None
    assert (
        checkpoint_for(
            verification=verification, organization="acme", generated_at=_now()
        )
        is None
    )


def _now():
    from django.utils import timezone

    return timezone.now()


def test_the_signature_covers_the_canonical_payload(settings, key):
    settings.TOLLGATE_AUDIT_SIGNING_KEY = base64.b64encode(_raw(key)).decode()
    finding = Finding(2, Tampering.EDITED, "seq 2: content or hash was changed")
    verification = Verification("org:1", 3, "ab" * 32, 1, finding)

    checkpoint = checkpoint_for(
        verification=verification, organization="信用", generated_at=_now()
    )

    payload = checkpoint.payload
    assert (payload["verified"], payload["first_bad_seq"]) == (False, 2)
    assert set(payload) == {
        "chain",
        "head_seq",
        "head_hash",
        "verified",
        "first_bad_seq",
        "generated_at",
        "organization",
    }
    key.public_key().verify(
        base64.b64decode(checkpoint.signature), canonical_json(payload).encode()
    )
    document = json.loads(checkpoint.to_json())
    assert document["public_key"] == base64.b64encode(public_key_raw(key)).decode()
    assert document["payload"]["organization"] == "信用"
    assert checkpoint_sign(payload=payload, key=key).key_fingerprint == (
        checkpoint.key_fingerprint
    )
