"""Small secrets encrypted at rest: webhook signing secrets, repository credentials.

`encrypt_text` and `decrypt_text` use Fernet (AES-128-CBC with an HMAC-SHA256 tag)
through `MultiFernet`. The keys are the setting TOLLGATE_ENCRYPTION_KEYS: the first
one encrypts, every one decrypts. To rotate, put a new key first, run `rotate_text`
over the stored values (or let them be rewritten on their next change), then drop
the old key. A new key comes from `Fernet.generate_key()`.

When TOLLGATE_ENCRYPTION_KEYS is empty, one key is derived from SECRET_KEY with HKDF,
so development and small installations work without a second secret to manage. HKDF
with its own `info` label makes that key independent of SECRET_KEY's other uses
(sessions, password-reset tokens, signing): none of them reveals it, and it reveals
none of them. The price: rotating SECRET_KEY makes every stored secret unreadable,
which is why production should set TOLLGATE_ENCRYPTION_KEYS explicitly. To move off
the derived key, set TOLLGATE_ENCRYPTION_KEYS to "<new key>,<derived key>" (the
derived key is printed by `derived_key()`), rotate, then drop it.
"""

from __future__ import annotations

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Changing this label changes the derived key: every secret stored under it is lost.
_HKDF_INFO = b"tollgate.core.crypto.fernet.v1"


class DecryptionError(ValueError):
    """The text was not encrypted by any configured key, or was altered."""


def derived_key(secret_key: str | None = None) -> str:
    """The Fernet key derived from SECRET_KEY (used when no keys are configured)."""
    material = (secret_key or settings.SECRET_KEY).encode()
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO)
    return base64.urlsafe_b64encode(hkdf.derive(material)).decode()


@functools.lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if not keys:
        keys = (derived_key(secret_key),)
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key))
        except (ValueError, TypeError) as exc:
            # Name the position only: the key itself never reaches a message.
            raise ImproperlyConfigured(
                f"TOLLGATE_ENCRYPTION_KEYS: key {position} is not a Fernet key "
                "(32 url-safe base64-encoded bytes, from Fernet.generate_key())."
            ) from exc
    return MultiFernet(fernets)


def _current() -> MultiFernet:
    # Settings are read on every call (tests override them); the cache keeps it cheap.
    keys = tuple(getattr(settings, "TOLLGATE_ENCRYPTION_KEYS", ()) or ())
    return _fernet(keys, settings.SECRET_KEY)


def encrypt_text(plaintext: str) -> str:
    """Encrypt with the first configured key; the result is ASCII, safe to store."""
    return _current().encrypt(plaintext.encode()).decode("ascii")


def decrypt_text(token: str) -> str:
    """Decrypt text encrypted by any configured key; DecryptionError otherwise."""
    try:
        return _current().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError) as exc:
        raise DecryptionError(
            "Cannot decrypt: unknown key or altered ciphertext."
        ) from exc


def rotate_text(token: str) -> str:
    """Re-encrypt stored text under the first key (after a new key was put first)."""
    try:
        return _current().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError) as exc:
        raise DecryptionError(
            "Cannot decrypt: unknown key or altered ciphertext."
        ) from exc
