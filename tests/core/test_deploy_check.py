"""CI's deploy check (scripts/security.sh deploy-check) passes with nothing silenced.

The script runs `manage.py check --deploy --fail-level WARNING` in a clean environment
with production values (random secret key, allowed hosts, TLS proxy, PostgreSQL and
Redis URLs), so a setting that regresses fails the suite, not only the CI step.
"""

from __future__ import annotations

import subprocess

from django.conf import settings


def test_deploy_check_reports_no_issues_with_production_environment():
    result = subprocess.run(
        ["bash", "scripts/security.sh", "deploy-check"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "security: passed: deploy-check" in result.stdout
