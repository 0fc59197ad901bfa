from django.core.management.base import BaseCommand, CommandError

from apps.audit.integrity import chain_verify
from apps.audit.models import Chain


class Command(BaseCommand):
    help = (
        "Recompute audit chains. Exit 0 and print the head when intact; exit 1 and "
        "print the first bad seq and why (edited, deleted, inserted, reordered)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--org", metavar="SLUG", help="Verify this organisation only."
        )

    def handle(self, *args, org=None, **options):
        chains = Chain.objects.select_related("organization").order_by("key")
        if org:
            chains = chains.filter(organization__slug=org)
            if not chains.exists():
                raise CommandError(f"No audit chain for organisation {org!r}.")
        broken = 0
        for chain in chains:
            label = chain.organization.slug if chain.organization else chain.key
            result = chain_verify(chain=chain)
            if result.ok:
                self.stdout.write(
                    f"{label}: OK head seq {result.head_seq} hash {result.head_hash}"
                )
            else:
                broken += 1
                finding = result.finding
                self.stdout.write(
                    f"{label}: BROKEN at seq {finding.seq}: {finding.reason} ({finding.detail})"
                )
        if broken:
            raise SystemExit(1)
