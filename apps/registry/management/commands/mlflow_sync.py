from django.core.management.base import BaseCommand, CommandError

from apps.registry.mlflow import sync
from apps.registry.models import MlflowConnection


class Command(BaseCommand):
    help = (
        "Import models and versions from each organisation's MLflow server and report "
        "protected aliases moved there (what the hourly task does), now. Exit 1 if a "
        "sync fails."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", metavar="SLUG", help="Only this organisation.")

    def handle(self, *args, org=None, **options):
        connections = MlflowConnection.objects.filter(enabled=True).select_related(
            "organization", "default_team", "configured_by"
        )
        if org:
            connections = connections.filter(organization__slug=org)
        connections = list(connections.order_by("organization__slug"))
        if not connections:
            where = f"organisation {org!r}" if org else "any organisation"
            raise CommandError(f"No enabled MLflow connection for {where}.")
        failures = [c.organization.slug for c in connections if not self._sync(c)]
        if failures:
            raise CommandError(f"MLflow sync failed for: {', '.join(failures)}.")

    def _sync(self, connection: MlflowConnection) -> bool:
        slug = connection.organization.slug
        try:
            report = sync.mlflow_import(connection=connection)
        except sync.MlflowError as exc:
            self.stderr.write(f"{slug}: {exc}")
            return False
        self.stdout.write(
            f"{slug}: {report.models_imported} models and {report.versions_imported} "
            f"versions imported ({report.versions_submitted} submitted), "
            f"{report.findings} new findings."
        )
        for problem in report.problems:
            self.stdout.write(f"{slug}: {problem}")
        return True
