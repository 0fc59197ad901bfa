from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.core.exceptions import ApplicationError
from apps.rubrics.services import rubric_import
from apps.rubrics.validation import RubricFileError, parse_rubric


class Command(BaseCommand):
    help = (
        "Validate a rubric YAML file and import it as a whole (nothing on any error)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--publish", action="store_true", help="Publish it (immutable)."
        )

    def handle(self, *args, path: Path, publish: bool, **options):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path}: cannot read: {exc}") from exc
        try:
            spec = parse_rubric(text, filename=str(path))
            result = rubric_import(spec=spec, publish=publish)
        except RubricFileError as exc:
            count = len(exc.errors)
            raise CommandError(
                f"{path} refused ({count} problem{'s' * (count != 1)}):\n{exc}"
            ) from exc
        except ApplicationError as exc:
            raise CommandError(f"{path}: {exc.message}") from exc
        rubric = result.rubric
        verb = "Imported" if result.created else "Already imported, unchanged:"
        self.stdout.write(
            f"{verb} {rubric.slug} {rubric.version} ({len(spec.criteria_by_key)} criteria, "
            f"{len(spec.dimensions)} dimensions), status {rubric.status}"
        )
