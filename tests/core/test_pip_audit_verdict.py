"""scripts/pip_audit_verdict.py: pip-audit's JSON report turned into CI's verdict.

Reports follow pip-audit's documented JSON format (`pip-audit -f json`); the "not
found" reason is the one its PyPI service gives for a 404 of the per-version JSON API.
"""

from __future__ import annotations

import importlib.util
import json

from django.conf import settings
from packaging.version import Version
from pip_audit._format import JsonFormat
from pip_audit._service import ResolvedDependency, VulnerabilityResult

_spec = importlib.util.spec_from_file_location(
    "pip_audit_verdict", settings.BASE_DIR / "scripts" / "pip_audit_verdict.py"
)
verdict_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(verdict_module)
verdict = verdict_module.verdict

FLASK_VULNERABLE = {
    "name": "flask",
    "version": "0.5",
    "vulns": [
        {
            "id": "PYSEC-2019-179",
            "fix_versions": ["1.0"],
            "aliases": ["CVE-2019-1010083"],
            "description": "The Pallets Project Flask before 1.0 is affected by...",
        },
        {
            "id": "PYSEC-2018-66",
            "fix_versions": ["0.12.3"],
            "aliases": ["CVE-2018-1000656"],
            "description": "The Pallets Project flask version Before 0.12.3...",
        },
    ],
}
JINJA_CLEAN = {"name": "jinja2", "version": "3.1.6", "vulns": []}


def _not_found(name: str, version: str) -> dict:
    reason = (
        f"Dependency not found on PyPI and could not be audited: {name} ({version})"
    )
    return {"name": name, "skip_reason": reason}


def _report(*dependencies: dict) -> str:
    return json.dumps({"dependencies": list(dependencies), "fixes": []})


def test_verdict_fails_on_a_known_vulnerability():
    status, lines = verdict(_report(FLASK_VULNERABLE, JINJA_CLEAN), "")

    assert status == verdict_module.FAILED
    assert lines[0] == "FAILED: 2 known vulnerabilities in 1 packages"
    assert "  flask 0.5: PYSEC-2019-179 (CVE-2019-1010083), fixed in 1.0" in lines


def test_verdict_fails_on_a_vulnerability_in_pip_audits_own_json():
    vulnerability = VulnerabilityResult(
        id="PYSEC-2019-179",
        description="The Pallets Project Flask before 1.0 is affected by...",
        fix_versions=[Version("1.0")],
        aliases={"CVE-2019-1010083"},
    )
    flask = ResolvedDependency(name="flask", version=Version("0.5"))
    report = JsonFormat(output_desc=True, output_aliases=True).format(
        {flask: [vulnerability]}, []
    )

    status, lines = verdict(report, "")

    assert status == verdict_module.FAILED
    assert "  flask 0.5: PYSEC-2019-179 (CVE-2019-1010083), fixed in 1.0" in lines


def test_verdict_passes_when_every_dependency_is_audited_clean():
    status, lines = verdict(_report(JINJA_CLEAN), "")

    assert status == verdict_module.CLEAN
    assert lines == ["OK: 1 dependencies audited, no known vulnerabilities"]


def test_verdict_calls_the_service_unreachable_when_nothing_was_found():
    report = _report(_not_found("django", "5.2.19"), _not_found("celery", "5.7.0"))

    status, lines = verdict(report, "")

    assert status == verdict_module.UNREACHABLE
    assert "every one of the 2 dependencies came back not found" in lines[0]


def test_verdict_fails_when_only_some_dependencies_were_audited():
    status, lines = verdict(_report(JINJA_CLEAN, _not_found("django", "5.2.19")), "")

    assert status == verdict_module.FAILED
    assert lines[0] == "FAILED: 1 of 2 dependencies unaudited"


def test_verdict_fails_on_an_empty_report():
    status, lines = verdict(_report(), "")

    assert status == verdict_module.FAILED
    assert "no dependencies" in lines[0]


def test_verdict_calls_a_connection_error_unreachable():
    stderr = (
        "Traceback (most recent call last):\n"
        "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='api.osv.dev',"
        " port=443): Max retries exceeded with url: /v1/query\n"
    )

    status, lines = verdict(None, stderr)

    assert status == verdict_module.UNREACHABLE
    assert "api.osv.dev" in lines[0]


def test_verdict_fails_when_pip_audit_breaks_otherwise():
    stderr = "ERROR:pip_audit._cli:invalid requirements input: requirements.txt\n"

    status, lines = verdict(None, stderr)

    assert status == verdict_module.FAILED
    assert lines[-1] == stderr.strip()
