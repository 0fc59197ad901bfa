"""The audit signing key's public half, to publish; or a new key, to configure."""

from __future__ import annotations

import base64
import hashlib

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management.base import BaseCommand, CommandError

from apps.audit.checkpoints import SETTING, configured_signing_key, public_key_raw
from apps.core.exceptions import ApplicationError


class Command(BaseCommand):
    help = (
        f"Print the public key and fingerprint of {SETTING}, which signs the audit "
        "checkpoints in governance reports: publish them, so readers can pin the key "
        "(verify_audit_export.py --public-key). With --generate, print a new private "
        "key to set as the variable instead."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--generate",
            action="store_true",
            help="Print a new Ed25519 private key (base64 of its 32 raw bytes).",
        )

    def handle(self, *args, generate: bool, **options):
        if generate:
            key = Ed25519PrivateKey.generate()
            raw = key.private_bytes(
                serialization.Encoding.Raw,
                serialization.PrivateFormat.Raw,
                serialization.NoEncryption(),
            )
            self.stdout.write(
                f"{SETTING}={base64.b64encode(raw).decode()}\n"
                "Keep it secret, like the database password; publish only the "
                "public key this command prints once it is set."
            )
            return
        try:
            key = configured_signing_key()
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        if key is None:
            raise CommandError(
                f"{SETTING} is not set: governance reports are not signed. "
                "`audit_signing_key --generate` makes a key."
            )
        raw = public_key_raw(key)
        self.stdout.write(
            f"public key  {base64.b64encode(raw).decode()}\n"
            f"fingerprint {hashlib.sha256(raw).hexdigest()}"
        )
