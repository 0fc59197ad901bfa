"""`manage.py scan_repo PATH_OR_URL [--ref REF] [--subdir DIR] [--json]`.

For operators: any local path may be scanned; URLs must pass the clone-URL rules with
settings.REPOS_ALLOWED_HOSTS. Limits come from REPOS_SCAN_MAX_FILES, _MAX_BYTES and
_TIMEOUT. Every failure is a one-line CommandError (exit status 1), never a traceback.
"""

from __future__ import annotations

import json
import os
import re

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.repos.scanner import ScanError, ScanLimits, ScanResult, scan_path, scan_url

_SCP_LIKE = re.compile(r"^[\w.~-]+@[\w.-]+:")


def _is_url(target: str) -> bool:
    if os.path.exists(target):
        return False
    return "://" in target or "::" in target or bool(_SCP_LIKE.match(target))


class Command(BaseCommand):
    help = (
        "Scan a git repository (local path or clone URL) for MLOps signals at one "
        "commit, without running any of its code. --json prints one JSON object."
    )

    def add_arguments(self, parser):
        parser.add_argument("target", metavar="PATH_OR_URL")
        parser.add_argument("--ref", help="Branch, tag or commit (default: HEAD).")
        parser.add_argument("--subdir", help="Scan this folder only (monorepos).")
        parser.add_argument(
            "--json", action="store_true", help="Print one JSON object."
        )

    def handle(self, *args, target, ref=None, subdir=None, **options):
        limits = ScanLimits(
            max_files=settings.REPOS_SCAN_MAX_FILES,
            max_bytes=settings.REPOS_SCAN_MAX_BYTES,
            timeout=settings.REPOS_SCAN_TIMEOUT,
        )
        try:
            if _is_url(target):
                result = scan_url(
                    target,
                    ref=ref,
                    subdir=subdir,
                    allowed_hosts=settings.REPOS_ALLOWED_HOSTS,
                    limits=limits,
                )
            else:
                result = scan_path(target, ref=ref, subdir=subdir, limits=limits)
        except ScanError as exc:
            raise CommandError(exc.message) from None
        if options["json"]:
            self.stdout.write(json.dumps(result.to_json()))
        else:
            self._table(result)

    def _table(self, result: ScanResult) -> None:
        write = self.stdout.write
        where = f" ({result.subdir}/)" if result.subdir else ""
        write(f"Commit {result.commit}{where}")
        write(f"{'Signal':<22}{'Value':<7}{'Strength':<10}Evidence")
        for key, signal in result.signals.items():
            evidence = ", ".join(signal.evidence[:2])
            if len(signal.evidence) > 2:
                evidence += f" (+{len(signal.evidence) - 2} more)"
            value = "yes" if signal.value else "no"
            write(f"{key:<22}{value:<7}{signal.strength or '-':<10}{evidence}")
        h, s = result.history, result.stats
        write(
            f"History: {h.commits_90d} commits by {h.contributors_90d} contributors "
            f"in 90 days; last commit {h.last_commit_age_days} days ago."
        )
        write(
            f"Read {s.files_read} of {s.files_listed} files ({s.bytes_read} bytes) "
            f"in {s.seconds:.2f} s."
        )
