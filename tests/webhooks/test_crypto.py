"""apps.core.crypto: secrets at rest, with key rotation and a key derived from SECRET_KEY."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured

from apps.core.crypto import (
    DecryptionError,
    decrypt_text,
    derived_key,
    encrypt_text,
    rotate_text,
)

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def test_encrypt_text_round_trips_without_showing_the_plaintext(settings):
    settings.TOLLGATE_ENCRYPTION_KEYS = [OLD_KEY]

    token = encrypt_text("whsec_plain-secret")

    assert "plain-secret" not in token
    assert token != encrypt_text("whsec_plain-secret")  # random IV each time
    assert decrypt_text(token) == "whsec_plain-secret"


def test_decrypt_text_reads_old_key_after_rotation_and_rotate_moves_to_new(settings):
    settings.TOLLGATE_ENCRYPTION_KEYS = [OLD_KEY]
    token = encrypt_text("s3cret")
    settings.TOLLGATE_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]

    assert decrypt_text(token) == "s3cret"
    rotated = rotate_text(token)

    settings.TOLLGATE_ENCRYPTION_KEYS = [NEW_KEY]
    assert decrypt_text(rotated) == "s3cret"
    with pytest.raises(DecryptionError):
        decrypt_text(token)


def test_decrypt_text_refuses_altered_ciphertext(settings):
    settings.TOLLGATE_ENCRYPTION_KEYS = [OLD_KEY]
    token = encrypt_text("s3cret")
    altered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]

    with pytest.raises(DecryptionError, match="altered"):
        decrypt_text(altered)


def test_without_keys_the_key_is_derived_from_secret_key(settings):
    settings.TOLLGATE_ENCRYPTION_KEYS = []
    token = encrypt_text("s3cret")

    # The documented way off the derived key: list it after a new one.
    settings.TOLLGATE_ENCRYPTION_KEYS = [NEW_KEY, derived_key()]
    assert decrypt_text(token) == "s3cret"

    settings.TOLLGATE_ENCRYPTION_KEYS = []
    settings.SECRET_KEY = "another-secret-key-entirely-" + "x" * 30
    with pytest.raises(DecryptionError):
        decrypt_text(token)


def test_derived_key_is_not_the_secret_key_itself(settings):
    key = derived_key("k" * 50)

    assert Fernet(key)  # a valid Fernet key
    assert "k" * 20 not in key
    assert key != derived_key("l" * 50)


def test_a_malformed_key_is_a_configuration_error_that_does_not_echo_it(settings):
    settings.TOLLGATE_ENCRYPTION_KEYS = [NEW_KEY, "not-a-fernet-key-but-secret"]

    with pytest.raises(ImproperlyConfigured, match="key 2") as refused:
        encrypt_text("x")

    assert "not-a-fernet-key-but-secret" not in str(refused.value)


def _settings_keys(**env: str) -> list[str]:
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; "
        "django.setup(); from django.conf import settings; "
        "print(','.join(settings.TOLLGATE_ENCRYPTION_KEYS))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={"PATH": os.environ.get("PATH", ""), "DJANGO_DEBUG": "true", **env},
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().split(",") if result.stdout.strip() else []


def test_settings_read_comma_separated_keys_from_env_or_file(tmp_path):
    (tmp_path / "keys").write_text(f"{NEW_KEY},{OLD_KEY}\n")

    from_env = _settings_keys(TOLLGATE_ENCRYPTION_KEYS=f" {NEW_KEY} , {OLD_KEY} ")
    from_file = _settings_keys(TOLLGATE_ENCRYPTION_KEYS_FILE=str(tmp_path / "keys"))
    unset = _settings_keys()

    assert from_env == from_file == [NEW_KEY, OLD_KEY]
    assert unset == []
