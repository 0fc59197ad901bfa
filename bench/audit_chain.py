"""Audit chain throughput: append through record_event, verify with chain_verify.

    .venv/bin/python bench/audit_chain.py [--events N] [--database-url URL]

By default it runs on a throw-away SQLite file in a temporary folder (never var/). With
--database-url it runs on Django's test database next to the one named (`test_<name>`),
created for the run and dropped afterwards, so the named database is never written to.

It prints one JSON object. Rates are events per second, wall clock, best of --repeat
runs for the read side (the machine may be shared):
- append_events_per_s: N events through record_event, --batch per transaction, one
  writer; append_single_tx_events_per_s: --single-tx-events, one transaction each;
- verify_events_per_s: chain_verify over the chain of N events (the hash walk, the
  head check and one catalogue query that the indexed columns are still generated
  from the hashed text: no per-row column check);
- hash_walk_events_per_s: the hash walk alone (rows fetched and walk_chain);
- hashlib_floor_events_per_s: sha256(prev + sha256(canonical)) over the same bytes,
  already in memory, in a tight loop: no verifier can beat it;
- verify_ratio_to_floor: verify / floor; hash_walk_ratio_to_floor: hash walk / floor.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=100, help="events per transaction")
    parser.add_argument("--single-tx-events", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", default="")
    return parser.parse_args()


def configure(database_url: str, scratch: Path) -> None:
    """Point Django at the bench database before it is imported."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DJANGO_DEBUG"] = "true"
    os.environ["DATABASE_URL"] = (
        database_url or f"sqlite:///{scratch / 'bench.sqlite3'}"
    )
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))

    import django
    from django.conf import settings

    django.setup()
    # DEBUG only spares the bench a secret key. Left on, Django would also log every
    # query (on SQLite with one more query each to quote its parameters), which no
    # production process does.
    settings.DEBUG = False


def create_database(use_test_database: bool) -> None:
    from django.core.management import call_command
    from django.db import connection

    if use_test_database:
        connection.creation.create_test_db(verbosity=0, autoclobber=True)
    else:
        call_command("migrate", verbosity=0)


def drop_database(use_test_database: bool) -> None:
    from django.db import connection

    if use_test_database:
        connection.creation.destroy_test_db(
            connection.settings_dict["NAME"].removeprefix("test_"), verbosity=0
        )
    connection.close()


def append(organization, count: int, batch: int) -> float:
    """Seconds to append `count` events, `batch` per transaction."""
    from django.db import transaction

    from apps.audit.services import record_event

    started = time.perf_counter()
    for first in range(0, count, batch):
        with transaction.atomic():
            for n in range(first, min(first + batch, count)):
                record_event(
                    organization=organization,
                    actor=None,
                    action="bench.event",
                    target=("bench.thing", n),
                    data={"n": n, "note": "benchmark event", "tags": ["a", "b"]},
                )
    return time.perf_counter() - started


def best_seconds(run: Callable[[], object], repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        timings.append(time.perf_counter() - started)
    return min(timings)


def verify(chain) -> None:
    from apps.audit.integrity import chain_verify

    result = chain_verify(chain=chain)
    if not result.ok:
        raise SystemExit(f"the bench chain does not verify: {result.finding}")


def hash_walk(chain) -> None:
    from apps.audit.integrity import ChainRows
    from apps.audit.verify import walk_chain

    head = {"head_seq": chain.head_seq, "head_hash": bytes(chain.head_hash)}
    _, finding = walk_chain(ChainRows(chain), **head)
    assert finding is None, finding


def hashlib_floor(texts: list[bytes]) -> None:
    sha256, prev = hashlib.sha256, bytes(32)
    for text in texts:
        prev = sha256(prev + sha256(text).digest()).digest()


def canonical_bytes(chain) -> list[bytes]:
    from apps.audit.models import AuditEvent

    events = AuditEvent.objects.filter(chain=chain).order_by("seq")
    return [text.encode() for text in events.values_list("canonical", flat=True)]


def run(args: argparse.Namespace) -> dict:
    from django.db import connection

    from apps.accounts.models import Organization
    from apps.audit.models import Chain

    single_org = Organization.objects.create(name="Bench single", slug="bench-single")
    single_s = append(single_org, args.single_tx_events, batch=1)

    organization = Organization.objects.create(name="Bench", slug="bench")
    append_s = append(organization, args.events, batch=args.batch)

    chain = Chain.objects.get(organization=organization)
    events = chain.head_seq
    texts = canonical_bytes(chain)
    verify_rate = events / best_seconds(lambda: verify(chain), args.repeat)
    walk_rate = events / best_seconds(lambda: hash_walk(chain), args.repeat)
    floor_rate = events / best_seconds(lambda: hashlib_floor(texts), args.repeat)
    return {
        "events": events,
        "database_vendor": connection.vendor,
        "append_batch": args.batch,
        "append_events_per_s": round(args.events / append_s),
        "append_single_tx_events": args.single_tx_events,
        "append_single_tx_events_per_s": round(args.single_tx_events / single_s),
        "verify_events_per_s": round(verify_rate),
        "hash_walk_events_per_s": round(walk_rate),
        "hashlib_floor_events_per_s": round(floor_rate),
        "verify_ratio_to_floor": round(verify_rate / floor_rate, 3),
        "hash_walk_ratio_to_floor": round(walk_rate / floor_rate, 3),
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="tollgate-bench-") as scratch:
        configure(args.database_url, Path(scratch))
        use_test_database = bool(args.database_url)
        create_database(use_test_database)
        try:
            figures = run(args)
        finally:
            drop_database(use_test_database)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
