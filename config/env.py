"""Environment access for settings: django-environ plus `<NAME>_FILE` secrets."""

from __future__ import annotations

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    env.read_env(str(BASE_DIR / ".env"))


def env_secret(name: str, *, default: str | None = None) -> str | None:
    """Read a secret from NAME, or from the file named by NAME_FILE (container secrets)."""
    path = env.str(f"{name}_FILE", default="")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(
                f"{name}_FILE points at {path!r}: {exc}"
            ) from exc
    return env.str(name, default=default)


def env_value(name: str, default: str) -> str:
    """The variable's value, or `default` when it is unset or empty (`NAME=` in a .env)."""
    return env.str(name, default="") or default
