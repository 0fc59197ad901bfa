"""The reading pipeline of a scan: list, plan, read, apply the rules.

ls-tree's output is parsed as it comes; each file some rule reads is asked of
cat-file at once, and blobs whose answers have arrived are read while ls-tree lists
on. Path-only rules (lock files, model cards) run on the listing; the others run on
the content, parsing each file at most once per kind, and only after its needle (a
quick byte test) says the parse may find something.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .errors import ScanLimitExceeded
from .gitcmd import Git, listing_chunks
from .limits import ScanLimits
from .objects import ObjectReader
from .pyfacts import python_facts
from .python_rules import detect_python
from .rules import PARSERS, PYTHON, Rule, context_only, rules_for, split_rules
from .signals import Hit, refers_to
from .tree import ROOT_CONTEXT, Entry, Listing, parse_records

logger = logging.getLogger(__name__)
Progress = Callable[[str, int], None]


@dataclass
class Run:
    """The state of one scan's reading: limits, hits so far, counts."""

    limits: ScanLimits
    subdir: str | None
    hits: list[Hit] = field(default_factory=list)
    unparsed: list[Entry] = field(default_factory=list)  # Python left unparsed
    asked: list[str] = field(default_factory=list)  # blobs requested, in order
    position: dict[str, int] = field(default_factory=dict)  # blob → index in asked
    # Files listed after their blob (same content as an earlier file) was read.
    late: list[tuple[Entry, tuple[Rule, ...]]] = field(default_factory=list)
    next: int = 0  # how many of them were read
    files_read: int = 0
    bytes_read: int = 0
    skipped_large: int = 0
    parse_errors: int = 0

    def add(self, hits: list[Hit]) -> None:
        self.hits += hits


Plan = dict[str, list[tuple[Entry, tuple[Rule, ...]]]]


def list_and_plan(
    git: Git, reader: ObjectReader, commit: str, run: Run, listing: Listing
) -> Plan:
    """List the tree; apply path-only rules; ask cat-file for each file to read as
    soon as the listing names it, and read what has arrived while ls-tree lists on
    (git inflates, Python parses, ls-tree lists: three things at once). Files are
    grouped by blob: each blob is read once."""
    limits = run.limits
    pathspecs = ["--", run.subdir, *ROOT_CONTEXT] if run.subdir else []

    def over() -> ScanLimitExceeded:
        return ScanLimitExceeded(
            "max_files",
            limits.max_files,
            f"the tree lists more than {limits.max_files} files",
        )

    plan: Plan = {}
    total = 0
    for chunk in listing_chunks(
        git,
        "ls-tree", "-r", "-z", "-l", "--full-tree", commit, *pathspecs,
        limit=limits.max_files,
        on_limit=over,
    ):  # fmt: skip
        asked = []
        added = parse_records(chunk, run.subdir, listing, rules_for)
        for entry, rules in added:
            to_read = _path_rules(entry.path, rules, entry.in_scope, run)
            if not to_read:
                continue
            size, sha = entry.size, entry.sha
            cap = limits.max_notebook_bytes if entry.rel.endswith(".ipynb") else None
            if size > (cap or limits.max_file_bytes):
                run.skipped_large += 1
                continue
            if sha in plan:
                if run.position[sha] < run.next:  # read already: read it again
                    run.late.append((entry, to_read))
                else:
                    plan[sha].append((entry, to_read))
                continue
            plan[sha] = [(entry, to_read)]
            run.position[sha] = len(run.asked) + len(asked)
            asked.append(sha)
            total += size
        if total > limits.max_bytes:
            raise ScanLimitExceeded(
                "max_bytes",
                limits.max_bytes,
                f"the files to read hold over {total} bytes",
            )
        reader.request(asked)
        reader.flush()
        run.asked += asked
        read_blobs(reader, plan, run, None, wait=False)
    return plan


def _path_rules(
    path: str, rules: tuple[Rule, ...], in_scope: bool, run: Run
) -> tuple[Rule, ...]:
    """Apply the rules that need only the path; return those that read the file."""
    by_path, to_read = split_rules(rules if in_scope else context_only(rules))
    for rule in by_path:
        run.add(rule.detect(path, None))
    return to_read


def read_blobs(
    reader: ObjectReader,
    plan: Plan,
    run: Run,
    report: Progress | None,
    *,
    wait: bool,
) -> None:
    """Read and check the requested blobs in order: all of them (`wait`), or only
    those whose answers have already arrived (while the listing goes on, when the
    total is not known yet: no progress is reported then)."""
    step = max(1, len(plan) // 8)
    while run.next < len(run.asked):
        sha = run.asked[run.next]
        group = plan[sha]
        size = group[0][0].size
        data = reader.blob(sha, size, wait=wait)
        if data is None:
            return
        run.next += 1
        if run.next % 512 == 0 and reader.git.deadline.expired():
            raise reader.git.deadline.exceeded()  # git is done, Python is not
        run.bytes_read += size
        run.files_read += len(group)
        if report and run.next % step == 0:
            report("reading", 10 + 80 * run.next // len(plan))
        if len(group) == 1 and len(group[0][1]) == 1 and group[0][0].in_scope:
            _apply(group[0][1][0], group[0][0], data, {}, run)  # the usual case
            continue
        parsed: dict[str, object] = {}
        for entry, rules in group:
            if entry.in_scope or _mentions_folder(entry, data, run.subdir):
                for rule in rules:
                    _apply(rule, entry, data, parsed, run)


def read_late(reader: ObjectReader, run: Run) -> None:
    """The files whose blob had been read before the listing reached them (a copy of
    an earlier file, far away in a big tree): each is asked for again."""
    for entry, rules in run.late:
        found = reader.get(entry.sha)
        if found is None:
            continue
        data = found[2]
        run.files_read += 1
        run.bytes_read += len(data)
        if entry.in_scope or _mentions_folder(entry, data, run.subdir):
            parsed: dict[str, object] = {}
            for rule in rules:
                _apply(rule, entry, data, parsed, run)


def _apply(rule: Rule, entry: Entry, data: bytes, parsed: dict, run: Run) -> None:
    """Run one rule on one file, parsing it (once per kind) if its needle passes."""
    kind = rule.kind
    if rule.needle is not None and not rule.needle(data):
        if kind == PYTHON:
            run.unparsed.append(entry)
        return
    if kind not in parsed:
        parsed[kind] = PARSERS[kind](data)
        run.parse_errors += parsed[kind] is None
    content = parsed[kind]
    if content is not None:
        try:
            run.add(rule.detect(entry.path, content))
        except (TypeError, AttributeError, ValueError, KeyError, RecursionError):
            # A file shaped like nothing the rule expected: it shows nothing, and
            # the rest of the scan goes on.
            logger.warning("%s could not read %s", rule.detect.__qualname__, entry.path)
            run.parse_errors += 1


def read_scheduled_scripts(reader: ObjectReader, run: Run) -> None:
    """Parse, whole, the Python scripts that scheduled CI jobs run but that imported
    nothing of interest (so were not parsed): do they train a model?"""
    refs = {ref for hit in run.hits for ref in hit.refs}
    if not refs:
        return
    for entry in run.unparsed:
        if any(refers_to(ref, entry.path) for ref in refs):
            found = reader.get(entry.sha)
            facts = python_facts(found[2]) if found else None
            if facts is not None:
                run.add(detect_python(entry.path, facts))


def _mentions_folder(entry: Entry, data: bytes, subdir: str | None) -> bool:
    """A root CI config counts for a monorepo folder only if it names the folder."""
    if entry.path == ".dvc/config" or not subdir:
        return True
    pattern = rb"(?<![\w.-])" + re.escape(subdir.encode()) + rb"(?![\w.-])"
    return re.search(pattern, data) is not None
