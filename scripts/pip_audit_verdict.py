"""Read one pip-audit run and decide: clean, vulnerable, or service unusable.

`python scripts/pip_audit_verdict.py REPORT STDERR` reads pip-audit's JSON report
(`-f json -o REPORT`; missing when pip-audit died) and its captured stderr, prints the
verdict and exits 0 (every dependency audited, no known vulnerability), 1 (a
vulnerability, or a run that audited only part of the lock file or broke) or 3 (the
vulnerability service could not be used at all: scripts/security.sh then tries the
next service, and reports SKIPPED when none answers).

pip-audit itself exits 0 when it could audit nothing: its PyPI service turns every
404 of https://pypi.org/pypi/NAME/VERSION/json into a skipped dependency, "not found
on PyPI", and prints "No known vulnerabilities found".
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

CLEAN, FAILED, UNREACHABLE = 0, 1, 3

NOT_FOUND = "Dependency not found on PyPI"
# What pip-audit and requests print when the service cannot be reached at all.
CONNECTION_MARKERS = (
    "ConnectionError",
    "NameResolutionError",
    "Max retries exceeded",
    "Could not connect",
    "your network may be blocking this service",
)


def verdict(report: str | None, stderr: str) -> tuple[int, list[str]]:
    """The exit status for one pip-audit run, and the lines explaining it."""
    if not report:
        return _no_report(stderr)
    dependencies = json.loads(report)["dependencies"]
    if not dependencies:
        return FAILED, ["FAILED: the report lists no dependencies (empty export?)"]
    vulnerable = [dep for dep in dependencies if dep.get("vulns")]
    skipped = [dep for dep in dependencies if "skip_reason" in dep]
    if vulnerable:
        count = sum(len(dep["vulns"]) for dep in vulnerable)
        lines = [f"FAILED: {count} known vulnerabilities in {len(vulnerable)} packages"]
        lines += [
            _vulnerability(dep, vuln) for dep in vulnerable for vuln in dep["vulns"]
        ]
        return FAILED, lines + [_skip(dep) for dep in skipped]
    if len(skipped) == len(dependencies) and all(
        dep["skip_reason"].startswith(NOT_FOUND) for dep in skipped
    ):
        return UNREACHABLE, [
            f"every one of the {len(skipped)} dependencies came back not found, "
            f"e.g. {skipped[0]['skip_reason']!r}: the service does not answer here"
        ]
    if skipped:
        lines = [
            f"FAILED: {len(skipped)} of {len(dependencies)} dependencies unaudited"
        ]
        return FAILED, lines + [_skip(dep) for dep in skipped]
    return CLEAN, [
        f"OK: {len(dependencies)} dependencies audited, no known vulnerabilities"
    ]


def _no_report(stderr: str) -> tuple[int, list[str]]:
    lines = stderr.strip().splitlines()
    for line in reversed(lines):
        if any(marker in line for marker in CONNECTION_MARKERS):
            return UNREACHABLE, [f"unreachable: {line.strip()}"]
    return FAILED, ["FAILED: pip-audit wrote no report; its last words:", *lines[-20:]]


def _vulnerability(dep: dict, vuln: dict) -> str:
    aliases = ", ".join(vuln.get("aliases") or [])
    fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed release"
    named = f"{vuln['id']} ({aliases})" if aliases else vuln["id"]
    return f"  {dep['name']} {dep['version']}: {named}, fixed in {fixed}"


def _skip(dep: dict) -> str:
    return f"  not audited: {dep['skip_reason']}"


def main(argv: list[str]) -> int:
    report_path, stderr_path = (Path(arg) for arg in argv)
    report = report_path.read_text() if report_path.exists() else None
    stderr = stderr_path.read_text() if stderr_path.exists() else ""
    status, lines = verdict(report, stderr)
    print("\n".join(lines))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
