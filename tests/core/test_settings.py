"""Settings come from the environment and refuse unsafe production setups.

Each test starts a fresh interpreter with a clean environment: settings are read once
per process, and the test process runs with config.settings_test.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import subprocess
import sys

from django.conf import settings

SETUP = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; "
    "django.setup()"
)
PRINT_KEY_DIGEST = (
    "; import hashlib; from django.conf import settings; "
    "print(hashlib.sha256(settings.SECRET_KEY.encode()).hexdigest())"
)
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_ALLOWED_HOSTS": "tollgate.example.com",
}


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env}
    return subprocess.run(
        [sys.executable, *args],
        env=clean,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_settings_refuse_production_without_secret_key():
    result = _run(["-c", SETUP], **PRODUCTION)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY is required" in result.stderr


def test_settings_pass_deploy_check_in_production_mode():
    key = secrets.token_urlsafe(50)

    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_SECRET_KEY=key,
        **PRODUCTION,
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr


def test_settings_read_secret_key_from_file(tmp_path):
    key = secrets.token_urlsafe(50)
    (tmp_path / "secret").write_text(key + "\n")

    result = _run(
        ["-c", SETUP + PRINT_KEY_DIGEST],
        DJANGO_SECRET_KEY_FILE=str(tmp_path / "secret"),
        **PRODUCTION,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == hashlib.sha256(key.encode()).hexdigest()


def test_settings_refuse_missing_secret_key_file(tmp_path):
    result = _run(
        ["-c", SETUP],
        DJANGO_SECRET_KEY_FILE=str(tmp_path / "absent"),
        **PRODUCTION,
    )

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY_FILE points at" in result.stderr


def test_settings_default_to_debug_off_and_no_hosts():
    result = _run(
        [
            "-c",
            SETUP + "; from django.conf import settings as s; "
            "print(s.DEBUG, s.ALLOWED_HOSTS, s.SESSION_COOKIE_SECURE)",
        ],
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False [] True"
