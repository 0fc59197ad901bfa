from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.audit.export import export_lines
from apps.audit.models import Chain
from apps.audit.selectors import audit_event_export


class Command(BaseCommand):
    help = (
        "Write an organisation's audit chain as JSON Lines: one event per line with its "
        "seq, the canonical text that was hashed, prev_hash and hash (hex), so the "
        "export can be re-verified offline (apps/audit/offline/verify_audit_export.py)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", metavar="SLUG", required=True)
        parser.add_argument("--out", metavar="FILE.jsonl", required=True, type=Path)
        parser.add_argument(
            "--through-seq",
            metavar="N",
            type=int,
            help="Stop at seq N, e.g. the head a governance report verified.",
        )

    def handle(self, *args, org, out, through_seq=None, **options):
        chain = Chain.objects.filter(organization__slug=org).first()
        if chain is None:
            raise CommandError(f"No audit chain for organisation {org!r}.")
        if through_seq is not None and not 1 <= through_seq <= chain.head_seq:
            raise CommandError(
                f"--through-seq must be between 1 and the head seq {chain.head_seq}."
            )
        if not out.parent.is_dir():
            raise CommandError(f"The folder {str(out.parent)!r} does not exist.")
        partial = out.with_name(out.name + ".partial")
        try:
            count = self._write(chain, partial, through_seq)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        # Rename last, so a failed export never leaves a truncated file under the name.
        partial.replace(out)
        self.stdout.write(f"Wrote {count} events of {org} to {out}")

    def _write(self, chain: Chain, path: Path, through_seq: int | None) -> int:
        count = 0
        rows = audit_event_export(chain=chain)
        with path.open("w", encoding="utf-8") as handle:
            for line in export_lines(rows, through_seq=through_seq):
                handle.write(line)
                count += 1
        return count
