import json

from django.core.management.base import BaseCommand, CommandError

from apps.assessments.models import Assessment, ScoreSnapshot
from apps.assessments.selectors import assessment_get_unscoped, snapshot_get

DIMENSION_ROW = "{id:<24} {level:>5} {progress:>8} {score:>6} {weight:>6}  {core}"
CREDIT_ROW = "  {criterion:<32} L{level}  {credit:>4}  {why}"


class Command(BaseCommand):
    help = (
        "Print an assessment's stored scores: the latest snapshot, or --snapshot ID. "
        "A table by default; --json prints the stored payload."
    )

    def add_arguments(self, parser):
        parser.add_argument("assessment_id", type=int)
        parser.add_argument("--snapshot", type=int, metavar="ID")
        parser.add_argument("--json", action="store_true", help="The payload as JSON.")

    def handle(self, *args, assessment_id: int, snapshot: int | None, **options):
        assessment = assessment_get_unscoped(assessment_id=assessment_id)
        if assessment is None:
            raise CommandError(f"No assessment {assessment_id}.")
        stored = snapshot_get(assessment=assessment, snapshot_id=snapshot)
        if stored is None and snapshot is not None:
            raise CommandError(
                f"Assessment {assessment_id} has no snapshot {snapshot}."
            )
        if stored is None:
            raise CommandError(f"Assessment {assessment_id} has no scores yet.")
        if options["json"]:
            self.stdout.write(json.dumps(stored.payload, indent=2, sort_keys=True))
            return
        for line in _table(assessment, stored):
            self.stdout.write(line)


def _table(assessment: Assessment, snapshot: ScoreSnapshot) -> list[str]:
    payload = snapshot.payload
    lines = [
        f"{assessment.team} {assessment.period}, revision {assessment.revision} "
        f"(assessment {assessment.pk}, {assessment.get_status_display().lower()})",
        f"Snapshot {snapshot.pk}: {snapshot.get_kind_display().lower()}, "
        f"{snapshot.created_at:%Y-%m-%d %H:%M %Z}; rubric {snapshot.rubric}, "
        f"engine {snapshot.engine_version}",
        "",
        f"Floor {snapshot.floor}   Index {snapshot.index:.2f}   "
        f"Confidence {snapshot.confidence:.2f}   Target gap {snapshot.target_gap:g}",
        "",
        DIMENSION_ROW.format(
            id="Dimension",
            level="Level",
            progress="Progress",
            score="Score",
            weight="Weight",
            core="Core",
        ),
    ]
    dimensions = payload.get("dimensions", [])
    lines += [_dimension_row(d) for d in dimensions]
    lines += ["", "Credits"]
    lines += [_credit_row(c) for d in dimensions for c in d["credits"]]
    conflicts = ", ".join(payload.get("conflicts", [])) or "none"
    return [*lines, "", f"Conflicts: {conflicts}"]


def _dimension_row(dimension: dict) -> str:
    return DIMENSION_ROW.format(
        id=dimension["id"],
        level=dimension["level"],
        progress=f"{dimension['progress']:.2f}",
        score=f"{dimension['score']:.2f}",
        weight=f"{dimension['weight']:.2f}",
        core="yes" if dimension["core"] else "no",
    )


def _credit_row(credit: dict) -> str:
    value = credit["credit"]
    why = [credit.get("claim", "")]
    if credit.get("evidenced"):
        why.append("evidenced")
    if credit.get("conflict"):
        why.append("CONFLICT with a signal")
    return CREDIT_ROW.format(
        criterion=credit["criterion"],
        level=credit["level"],
        credit="n/a" if value is None else f"{value:g}",
        why=", ".join(w for w in why if w),
    )
