"""Render a report now, through the same service the workers use, and write it out."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import BusinessUnit, Organization, Team
from apps.core.exceptions import ApplicationError
from apps.registry.models import RegisteredModel
from apps.reports import services
from apps.reports.models import Report


class Command(BaseCommand):
    help = (
        "Render a PDF report synchronously (as a worker would) and write it to --out; "
        "prints its SHA-256 and page count. The report is stored and audited like "
        "one requested from the app."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=Report.Kind.values)
        parser.add_argument("--org", required=True, help="The organisation's slug.")
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--team", help="The team's slug (team_assessment).")
        scope.add_argument("--model", help="The model's name (governance).")
        scope.add_argument(
            "--business-unit", help="The business unit's slug (leadership)."
        )
        parser.add_argument("--period", default="", help='e.g. "2026-Q3"; else latest')
        parser.add_argument(
            "--page-size", default=Report.PageSize.A4, choices=Report.PageSize.values
        )
        parser.add_argument("--out", required=True, type=Path)

    def handle(self, *args, **options):
        out: Path = options["out"]
        if not out.parent.is_dir():
            raise CommandError(f"{out.parent} is not a folder.")
        organization = Organization.objects.filter(slug=options["org"]).first()
        if organization is None:
            raise CommandError(f"No organisation {options['org']!r}.")
        try:
            report = services.report_request(
                kind=options["kind"],
                organization=organization,
                **self._scope(organization, options),
                requested_by=None,
                period=options["period"],
                page_size=options["page_size"],
                enqueue=False,
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        report = services.report_render(report_id=report.pk)
        if report.status != Report.Status.DONE:
            raise CommandError(f"Report #{report.pk} failed: {report.error}")
        self._write(report, out)
        self.stdout.write(
            f"{out}\nsha256 {report.sha256}\npages {report.page_count}\n"
            f"report #{report.pk}"
        )

    @staticmethod
    def _scope(organization: Organization, options: dict) -> dict:
        """The --team, --model or --business-unit named, found in the organisation."""
        lookups = {
            "team": (Team.objects, "slug", "team"),
            "model": (RegisteredModel.objects, "name", "model"),
            "business_unit": (BusinessUnit.objects, "slug", "business unit"),
        }
        for option, (objects, field, label) in lookups.items():
            value = options[option]
            if value is None:
                continue
            found = objects.filter(organization=organization, **{field: value}).first()
            if found is None:
                raise CommandError(
                    f"No {label} {value!r} in organisation {organization.slug!r}."
                )
            return {option: found}
        return {}

    @staticmethod
    def _write(report: Report, out: Path) -> None:
        """Written next to --out and renamed into place: never a half-written file."""
        handle, partial = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.")
        try:
            with os.fdopen(handle, "wb") as target, report.file.open("rb") as source:
                target.write(source.read())
            os.replace(partial, out)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
