"""Signed checkpoints: the chain's head, and whether it verified, signed with the
organisation's Ed25519 key (settings.TOLLGATE_AUDIT_SIGNING_KEY), so a reader holding
the public key can trust an exported trail offline. Without a key, nothing is signed.

The signature covers the canonical JSON of the payload (apps.audit.canonical: keys
sorted, no insignificant whitespace, UTF-8); apps/audit/offline/verify_audit_export.py
checks it the same way.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings

from apps.audit.canonical import canonical_json, format_timestamp
from apps.audit.integrity import Verification
from apps.core.exceptions import ApplicationError

SETTING = "TOLLGATE_AUDIT_SIGNING_KEY"
_MALFORMED = (
    f"{SETTING} is not an Ed25519 private key: give PEM text (`openssl genpkey "
    "-algorithm ed25519`) or the base64 of its 32 raw bytes"
)


class SigningKeyError(ApplicationError):
    """The configured signing key cannot be read."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"{_MALFORMED} ({reason}).", code="signing_key_malformed")


@dataclass(frozen=True)
class SignedCheckpoint:
    payload: dict[str, Any]
    signature: str  # base64
    public_key: str  # base64 of the 32 raw bytes
    key_fingerprint: str  # SHA-256 of the raw public key, hex

    @property
    def payload_text(self) -> str:
        """The payload for people to read (the signature covers its canonical form)."""
        return json.dumps(self.payload, indent=2, ensure_ascii=False)

    def to_json(self) -> str:
        """checkpoint.json, as embedded in reports."""
        document = {
            "algorithm": "Ed25519",
            "payload": self.payload,
            "signed": "canonical JSON of payload: keys sorted, no spaces, UTF-8",
            "signature": self.signature,
            "public_key": self.public_key,
            "key_fingerprint": self.key_fingerprint,
        }
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def load_signing_key(text: str) -> Ed25519PrivateKey:
    """An Ed25519 private key from PEM text or the base64 of its 32 raw bytes."""
    text = text.strip().replace("\\n", "\n")  # PEM in a one-line variable
    if text.startswith("-----BEGIN"):
        return _from_pem(text)
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise SigningKeyError("neither PEM nor base64") from None
    if len(raw) != 32:
        raise SigningKeyError(f"base64 of {len(raw)} bytes, not 32")
    return Ed25519PrivateKey.from_private_bytes(raw)


def _from_pem(text: str) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(text.encode(), password=None)
    except (ValueError, TypeError) as exc:
        # The library's message says what it could not parse; never the key itself.
        raise SigningKeyError(f"unreadable PEM: {type(exc).__name__}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"a PEM {type(key).__name__}, not Ed25519")
    return key


def configured_signing_key() -> Ed25519PrivateKey | None:
    text = getattr(settings, SETTING, "")
    return load_signing_key(text) if text else None


def public_key_raw(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )


def checkpoint_payload(
    *, verification: Verification, organization: str, generated_at: datetime
) -> dict[str, Any]:
    """What a checkpoint states: the chain's head, and the verification run on it."""
    finding = verification.finding
    return {
        "chain": verification.chain,
        "head_seq": verification.head_seq,
        "head_hash": verification.head_hash,
        "verified": verification.ok,
        "first_bad_seq": finding.seq if finding else None,
        "generated_at": format_timestamp(generated_at),
        "organization": organization,
    }


def checkpoint_sign(
    *, payload: dict[str, Any], key: Ed25519PrivateKey
) -> SignedCheckpoint:
    signature = key.sign(canonical_json(payload).encode())
    raw = public_key_raw(key)
    return SignedCheckpoint(
        payload=payload,
        signature=base64.b64encode(signature).decode(),
        public_key=base64.b64encode(raw).decode(),
        key_fingerprint=hashlib.sha256(raw).hexdigest(),
    )


def checkpoint_for(
    *, verification: Verification, organization: str, generated_at: datetime
) -> SignedCheckpoint | None:
    """The signed checkpoint of a verification; None when no signing key is set."""
    key = configured_signing_key()
    if key is None:
        return None
    payload = checkpoint_payload(
        verification=verification, organization=organization, generated_at=generated_at
    )
    return checkpoint_sign(payload=payload, key=key)
