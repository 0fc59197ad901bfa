import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.audit.models import Chain
from apps.audit.selectors import audit_event_export


class Command(BaseCommand):
    help = (
        "Write an organisation's audit chain as JSON Lines: one event per line with its "
        "seq, the canonical text that was hashed, prev_hash and hash (hex), so the "
        "export can be re-verified offline."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", metavar="SLUG", required=True)
        parser.add_argument("--out", metavar="FILE.jsonl", required=True, type=Path)

    def handle(self, *args, org, out, **options):
        chain = Chain.objects.filter(organization__slug=org).first()
        if chain is None:
            raise CommandError(f"No audit chain for organisation {org!r}.")
        if not out.parent.is_dir():
            raise CommandError(f"The folder {str(out.parent)!r} does not exist.")
        partial = out.with_name(out.name + ".partial")
        try:
            count = self._write(chain, partial)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        # Rename last, so a failed export never leaves a truncated file under the name.
        partial.replace(out)
        self.stdout.write(f"Wrote {count} events of {org} to {out}")

    def _write(self, chain: Chain, path: Path) -> int:
        count = 0
        with path.open("w", encoding="utf-8") as handle:
            for seq, canonical, prev_hash, digest in audit_event_export(chain=chain):
                line = {
                    "seq": seq,
                    "canonical": canonical,
                    "prev_hash": bytes(prev_hash).hex(),
                    "hash": bytes(digest).hex(),
                }
                handle.write(json.dumps(line, ensure_ascii=False) + "\n")
                count += 1
        return count
