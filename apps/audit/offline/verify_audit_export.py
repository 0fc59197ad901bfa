#!/usr/bin/env python3
"""Re-verify a Tollgate audit export offline, with Python 3's standard library only.

    python3 verify_audit_export.py audit-events.jsonl --head-seq N --head-hash HEX
    python3 verify_audit_export.py audit-events.jsonl --checkpoint checkpoint.json

The export (from a governance report, or `manage.py audit_export`) holds one event per
line: {"seq", "canonical", "prev_hash", "hash"}. The trail is intact when, line by
line:

  1. seq runs 1, 2, 3, ... with no gap or repeat, and the canonical text's own
     "seq" says the same;
  2. prev_hash is the previous line's hash (32 zero bytes for seq 1);
  3. hash = SHA-256(prev_hash || SHA-256(canonical as UTF-8 bytes));

and the last line is the head the report printed (--head-seq, --head-hash): a file
cut short or extended does not match it.

With --checkpoint, the head is the signed checkpoint's (--head-seq and --head-hash,
if given too, must agree), and its Ed25519 signature over the canonical JSON of its
payload (keys sorted, no spaces, UTF-8) is checked when the `cryptography` package is
importable; --public-key pins the key it must be signed with (base64 of the 32 raw
bytes, as the organisation publishes it).

Exit status: 0, printing "OK ..."; 1, printing "FAILED ..." with the first bad line
and seq; 2 for a missing file or bad arguments.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import sys

ZERO_HASH = bytes(32)


class Failure(Exception):
    """The export or checkpoint does not verify: the message says where and why."""


def chain_hash(prev_hash: bytes, canonical: bytes) -> bytes:
    return hashlib.sha256(prev_hash + hashlib.sha256(canonical).digest()).digest()


def canonical_json(value: object) -> bytes:
    """The bytes Tollgate signs: keys sorted, no insignificant whitespace, UTF-8."""
    text = json.dumps(
        value,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )
    return text.encode("utf-8")


def _parse_line(number: int, line: str) -> tuple[int, str, bytes, bytes]:
    try:
        item = json.loads(line)
        seq, canonical = item["seq"], item["canonical"]
        prev_hash = bytes.fromhex(item["prev_hash"])
        digest = bytes.fromhex(item["hash"])
    except (ValueError, KeyError, TypeError) as exc:
        raise Failure(f"line {number} is not an exported event ({exc})") from exc
    if type(seq) is not int or not isinstance(canonical, str):
        raise Failure(f"line {number} is not an exported event (bad seq or canonical)")
    return seq, canonical, prev_hash, digest


def _body(number: int, seq: int, canonical: str) -> dict:
    try:
        body = json.loads(canonical)
    except ValueError as exc:
        raise Failure(f"line {number} (seq {seq}): canonical is not JSON") from exc
    if not isinstance(body, dict) or body.get("seq") != seq:
        raise Failure(
            f"line {number} (seq {seq}): the hashed text says seq "
            f"{body.get('seq') if isinstance(body, dict) else '?'}"
        )
    return body


def verify_export(lines, *, chain: str | None = None) -> tuple[int, bytes, str | None]:
    """Walk the export; return (last seq, last hash, chain key) or raise Failure at
    the first line that does not fit."""
    expected, prev = 1, ZERO_HASH
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            raise Failure(f"line {number} is empty")
        seq, canonical, prev_hash, digest = _parse_line(number, line)
        if seq != expected:
            what = "missing" if seq > expected else "out of order or repeated"
            raise Failure(
                f"line {number} (seq {seq}): expected seq {expected}; events are {what}"
            )
        if prev_hash != prev:
            raise Failure(
                f"line {number} (seq {seq}): prev_hash is not the previous "
                "event's hash (an event before it was removed, inserted or "
                "rewritten, or its prev_hash was edited)"
            )
        if chain_hash(prev_hash, canonical.encode("utf-8")) != digest:
            raise Failure(
                f"line {number} (seq {seq}): the hash does not recompute "
                "(the event's content or hash was edited)"
            )
        body_chain = _body(number, seq, canonical).get("chain")
        chain = chain or body_chain
        if body_chain != chain:
            raise Failure(f"line {number} (seq {seq}): event of chain {body_chain!r}")
        expected, prev = seq + 1, digest
    return expected - 1, prev, chain


def check_head(last_seq: int, last_hash: bytes, head_seq: int, head_hash: bytes):
    if last_seq < head_seq:
        raise Failure(
            f"the file ends at seq {last_seq}, before the head seq {head_seq}: "
            "events are missing"
        )
    if last_seq > head_seq:
        raise Failure(
            f"the file runs on to seq {last_seq}, past the head seq {head_seq}: "
            "events were added"
        )
    if last_hash != head_hash:
        raise Failure(
            f"line {last_seq} (seq {last_seq}): its hash {last_hash.hex()} is not "
            f"the head hash {head_hash.hex()}"
        )


# --- Checkpoint -------------------------------------------------------------------------


def _b64(value: object, what: str) -> bytes:
    try:
        return base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Failure(f"the checkpoint's {what} is not base64") from exc


def load_checkpoint(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            checkpoint = json.load(handle)
        payload = checkpoint["payload"]
        int(payload["head_seq"]), bytes.fromhex(payload["head_hash"])
        for key in ("signature", "public_key", "key_fingerprint"):
            str(checkpoint[key])
    except (ValueError, KeyError, TypeError) as exc:
        raise Failure(f"{path} is not a Tollgate checkpoint ({exc})") from exc
    return checkpoint


def check_key(checkpoint: dict, pinned: str | None) -> bytes:
    """The raw public key the checkpoint says signed it, held to its fingerprint and
    to the key pinned on the command line."""
    raw = _b64(checkpoint["public_key"], "public key")
    if hashlib.sha256(raw).hexdigest() != checkpoint["key_fingerprint"]:
        raise Failure("the checkpoint's public key does not match its fingerprint")
    if pinned is not None and _b64(pinned, "pinned key") != raw:
        raise Failure(
            "the checkpoint was signed with another key than --public-key "
            f"(its key's fingerprint is {checkpoint['key_fingerprint']})"
        )
    return raw


def check_signature(checkpoint: dict, raw_key: bytes) -> str:
    """Verify the Ed25519 signature; a sentence saying what was checked."""
    message = canonical_json(checkpoint["payload"])
    signature = _b64(checkpoint["signature"], "signature")
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import (
            Ed25519PublicKey,
        )
    except ImportError:
        return (
            "NOT CHECKED: the signature needs the Python package `cryptography` "
            "(python3 -m pip install cryptography), then run this again; or check "
            "with any Ed25519 tool that the signature (base64) signs the canonical "
            "JSON of the payload (keys sorted, no spaces, UTF-8) under the public key "
            "(base64 of 32 raw bytes)."
        )
    try:
        Ed25519PublicKey.from_public_bytes(raw_key).verify(signature, message)
    except (InvalidSignature, ValueError) as exc:
        raise Failure(
            "the checkpoint's signature does not verify: its payload or signature "
            "was changed, or it was signed with another key"
        ) from exc
    return f"verified (Ed25519, key fingerprint {checkpoint['key_fingerprint']})"


# --- Command line -----------------------------------------------------------------------


def _arguments(argv):
    parser = argparse.ArgumentParser(
        description="Re-verify a Tollgate audit export (JSON Lines) offline."
    )
    parser.add_argument("export", help="audit-events.jsonl")
    parser.add_argument("--head-seq", type=int, help="the head seq the report printed")
    parser.add_argument("--head-hash", help="the head hash the report printed (hex)")
    parser.add_argument("--checkpoint", help="checkpoint.json from the report")
    parser.add_argument(
        "--public-key", help="the key the checkpoint must be signed with (base64)"
    )
    args = parser.parse_args(argv)
    if args.checkpoint is None and (args.head_seq is None or args.head_hash is None):
        parser.error("give --head-seq and --head-hash, or --checkpoint")
    if args.public_key and not args.checkpoint:
        parser.error("--public-key checks a --checkpoint")
    return args


def _head(args, checkpoint: dict | None) -> tuple[int, bytes]:
    try:
        given = bytes.fromhex(args.head_hash) if args.head_hash else None
    except ValueError as exc:
        raise Failure("--head-hash is not hex") from exc
    if checkpoint is None:
        return args.head_seq, given
    payload = checkpoint["payload"]
    seq, digest = int(payload["head_seq"]), bytes.fromhex(payload["head_hash"])
    if (args.head_seq is not None and args.head_seq != seq) or (
        given is not None and given != digest
    ):
        raise Failure("the checkpoint's head is not the --head-seq/--head-hash given")
    return seq, digest


def _verify(args) -> list[str]:
    """What verified, line by line; raises Failure at the first problem."""
    checkpoint = load_checkpoint(args.checkpoint) if args.checkpoint else None
    head_seq, head_hash = _head(args, checkpoint)
    chain = checkpoint["payload"].get("chain") if checkpoint else None
    with open(args.export, encoding="utf-8") as lines:
        last_seq, last_hash, chain = verify_export(lines, chain=chain)
    check_head(last_seq, last_hash, head_seq, head_hash)
    report = [
        f"OK {args.export}: events 1-{last_seq} of chain {chain} recompute to "
        f"the head hash {head_hash.hex()}"
    ]
    if checkpoint is not None:
        signature = check_signature(checkpoint, check_key(checkpoint, args.public_key))
        report.append(f"Checkpoint signature {signature}")
        payload = checkpoint["payload"]
        if not payload.get("verified"):
            raise Failure(
                "the checkpoint records that Tollgate's own verification failed "
                f"at seq {payload.get('first_bad_seq')} when it was signed"
            )
    return report


def main(argv=None) -> int:
    args = _arguments(argv)
    try:
        lines = _verify(args)
    except OSError as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 2
    except Failure as failure:
        print(f"FAILED {args.export}: {failure}")
        return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
