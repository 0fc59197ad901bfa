from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, OutputWrapper
from tqdm import tqdm

from apps.dashboards import scale


class _BarStream:
    """The command's stderr as tqdm needs it: each carriage-return redraw written as
    it is (OutputWrapper would end it with a newline and colour it as an error)."""

    def __init__(self, wrapper: OutputWrapper) -> None:
        self._wrapper = wrapper

    def write(self, text: str) -> None:
        self._wrapper.write(text, style_func=str, ending="")

    def __getattr__(self, name: str):
        return getattr(self._wrapper, name)


class Command(BaseCommand):
    help = (
        "Create a large synthetic organisation for the leadership dashboards: teams "
        "with quarterly assessments scored by the real engine, repositories and "
        "signals, roadmaps and a model registry, bulk-inserted in one transaction. "
        "Refuses an organisation slug that already exists."
    )

    def add_arguments(self, parser):
        defaults = scale.ScaleOptions()
        parser.add_argument("--teams", type=int, default=defaults.teams)
        parser.add_argument(
            "--quarters",
            type=int,
            default=defaults.quarters,
            help="Quarterly assessments per team, ending with the last full quarter.",
        )
        parser.add_argument(
            "--models-per-team", type=int, default=defaults.models_per_team
        )
        parser.add_argument("--org-slug", default=defaults.org_slug)
        parser.add_argument(
            "--seed",
            type=int,
            default=defaults.seed,
            help="The same seed gives the same organisation.",
        )
        parser.add_argument(
            "--no-progress",
            action="store_true",
            help="No progress bars (there are none when stderr is not a terminal).",
        )

    def handle(self, *args, **options):
        given = scale.ScaleOptions(
            teams=options["teams"],
            quarters=options["quarters"],
            models_per_team=options["models_per_team"],
            org_slug=options["org_slug"],
            seed=options["seed"],
        )
        problems = scale.options_problems(given)
        if problems:
            raise CommandError(" ".join(problems))
        quiet = options["no_progress"] or not self.stderr.isatty()
        try:
            result = scale.seed_scale(
                options=given,
                progress=scale.no_progress if quiet else self._progress_bar,
            )
        except scale.ScaleError as exc:
            raise CommandError(str(exc)) from exc
        self._summary(result)

    def _progress_bar(self, description: str, total: int) -> tqdm:
        return tqdm(
            total=total, desc=description, unit="team", file=_BarStream(self.stderr)
        )

    def _summary(self, result: scale.ScaleResult) -> None:
        first, last = result.periods[0], result.periods[-1]
        self.stdout.write(
            self.style.SUCCESS(
                f"Organisation {result.organization!r} seeded in "
                f"{result.seconds:.1f} s ({first} to {last})."
            )
        )
        width = max(len(name) for name in result.counts)
        for name, count in result.counts.items():
            self.stdout.write(f"  {name.ljust(width)}  {count:>9,}")
        self.stdout.write(
            f"Every synthetic user's password (shown once): {result.password}\n"
            f"Check the audit chain: manage.py audit_verify --org {result.organization}"
        )
