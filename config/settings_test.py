"""Test settings: the production settings with about ten test-only overrides."""

import os

os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault(
    "DJANGO_SECRET_KEY", "tests-only-secret-key-not-used-anywhere-else"
)
# Playwright's sync API runs an event loop in the test thread; the ORM calls made by
# end-to-end tests are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from config.settings import *  # noqa: F403
from config.settings import REST_FRAMEWORK, STORAGES

ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Factories write rows without audit events, which the figures' cache is keyed on: off,
# but for the tests of that cache (tests/dashboards/test_figures_cache.py).
DASHBOARDS_FIGURES_CACHE_SECONDS = 0
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"anon": "10000/min", "user": "10000/min"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Tasks run in-process unless a test asks for the real worker (tests/conftest.py), even
# when CELERY_BROKER_URL points at Redis in the PostgreSQL pass of .ci/run.
CELERY_TASK_ALWAYS_EAGER = True
