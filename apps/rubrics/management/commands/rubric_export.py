from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.rubrics.selectors import rubric_get, rubric_spec
from apps.rubrics.services import rubric_to_yaml


class Command(BaseCommand):
    help = "Write a stored rubric version as YAML (to stdout, or --out FILE)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("version")
        parser.add_argument("--out", type=Path)

    def handle(self, *args, slug: str, version: str, out: Path | None, **options):
        rubric = rubric_get(slug=slug, version=version)
        if rubric is None:
            raise CommandError(f"No rubric {slug} {version}.")
        text = rubric_to_yaml(rubric_spec(rubric=rubric))
        if out is None:
            self.stdout.write(text, ending="")
            return
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{out}: cannot write: {exc}") from exc
        self.stdout.write(f"Wrote {slug} {version} to {out}")
