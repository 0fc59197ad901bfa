"""Which lines of a Python module to parse, when only some libraries matter.

Parsing is the slowest part of a scan, and a module that imports MLflow usually
spends most of its lines on other things. A module is cut into top-level blocks (a
statement starting in column 0 with everything indented under it, decorators with
what they decorate); the blocks that mention a focused library, a name imported from
one, or a method the rules look for (outside comments) are kept, every other line is
blanked (so line numbers stay true), and that text is parsed.

Lines inside triple-quoted strings never start a block, so a docstring's example code
stays a string. Whenever the cut text does not parse, the caller parses the whole
module instead: a wrong cut costs time, not a missed fact.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from dataclasses import dataclass

_TRIPLE = re.compile(r"\"\"\"|'''")
# A line in column 0 that starts a statement (not a comment, a closing bracket or
# the else/except/finally part of a statement above).
_COLUMN_ZERO = re.compile(r"\n(?![\s#)\]}]|(?:else|elif|except|finally|case)\b)")
_IMPORT = re.compile(r"import[ \t]+([^\n#;]+)")
_FROM_IMPORT = re.compile(r"from[ \t]+([\w.]+)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]*)")


def imported_names(text: str) -> dict[str, str]:
    """Name bound -> module or member it names, for every import statement."""
    bound: dict[str, str] = {}
    for match in _FROM_IMPORT.finditer(text):
        if _starts_line(text, match.start()):
            module, names = match.groups()
            for item in names.strip("()").replace("\n", " ").split(","):
                words = item.split()
                if words:
                    bound[words[-1]] = f"{module}.{words[0]}"
    for match in _IMPORT.finditer(text):
        if _starts_line(text, match.start()):
            for item in match.group(1).split(","):
                words = item.split()
                if len(words) == 3 and words[1] == "as":
                    bound[words[2]] = words[0]
                elif words:
                    root = words[0].split(".")[0]
                    bound[root] = root
    return bound


def _starts_line(text: str, index: int) -> bool:
    return not text[text.rfind("\n", 0, index) + 1 : index].strip()


@dataclass(frozen=True)
class Focus:
    """What a focused parse keeps: blocks naming one of `libraries` (module roots) or
    a name imported from one, a method of `methods` whose library is imported, or one
    of `always` (a word ending in `_` is a prefix: `expect_` for expect_column_...)."""

    libraries: frozenset[str]
    methods: Mapping[str, frozenset[str]]  # method name -> its libraries' roots
    always: frozenset[str] = frozenset()

    def words(self, names: dict[str, str]) -> set[str]:
        """The words that make a block worth parsing, in a module importing `names`."""
        roots = {target.split(".")[0] for target in names.values()} & self.libraries
        words = set(roots) | self.always
        words |= {
            name for name, target in names.items() if target.split(".")[0] in roots
        }
        words |= {method for method, libs in self.methods.items() if libs & roots}
        return words


def focused_source(text: str, focus: Focus, names: dict[str, str]) -> str | None:
    """`text` with the blocks that do not concern `focus` blanked (`names`: what
    imported_names found); None if every block does (parse the whole text)."""
    starts = _block_starts(text)
    kept = {
        bisect.bisect_right(starts, at) - 1
        for at in _mentions(text, focus.words(names))
        if not _in_comment(text, at)
    }
    if len(kept) == len(starts):
        return None
    bounds = [*starts, len(text)]
    out = []
    for index in range(len(starts)):
        begin, end = bounds[index], bounds[index + 1]
        out.append(
            text[begin:end] if index in kept else "\n" * text.count("\n", begin, end)
        )
    return "".join(out)


def _mentions(text: str, words: set[str]) -> list[int]:
    """Where any of `words` occurs as a whole word (one ending in `_` is a prefix:
    `expect_` for `expect_column_...`). Most words do not occur in a given module,
    and `in` says so faster than any regex over the text."""
    found = []
    for word in words:
        if word not in text:
            continue
        prefix = word.endswith("_")
        at = text.find(word)
        while at >= 0:
            end = at + len(word)
            if (at == 0 or not _is_word(text[at - 1])) and (
                prefix or end == len(text) or not _is_word(text[end])
            ):
                found.append(at)
            at = text.find(word, end)
    return found


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _in_comment(text: str, index: int) -> bool:
    """After a `#` on its line, with no quote before it that could hide the `#`."""
    line = text[text.rfind("\n", 0, index) + 1 : index]
    hash_at = line.find("#")
    return hash_at >= 0 and "'" not in line[:hash_at] and '"' not in line[:hash_at]


def alternation(words: list[str]) -> str:
    """A regex matching any of `words`, factored by prefix: re tries the branches of
    an alternation one by one, a trie's branches only for the right first letter."""
    if "" in words:
        rest = [w for w in words if w]
        return f"(?:{alternation(rest)})?" if rest else ""
    groups: dict[str, list[str]] = {}
    for word in words:
        groups.setdefault(word[0], []).append(word[1:])
    branches = [
        re.escape(first) + alternation(sorted(set(tails)))
        for first, tails in sorted(groups.items())
    ]
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


def _block_starts(text: str) -> list[int]:
    """Offsets where top-level blocks start (the first is always 0)."""
    strings = _multiline_strings(text)
    starts = [0]
    previous = ""
    for match in _COLUMN_ZERO.finditer(text):
        offset = match.end()
        if offset >= len(text):
            break
        inside = bisect.bisect_left(strings, offset) % 2 == 1
        before = text[text.rfind("\n", 0, offset - 1) + 1 : offset - 1]
        if not inside and not before.endswith("\\") and not previous.startswith("@"):
            starts.append(offset)
        previous = text[offset : offset + 1]
    return starts


def _multiline_strings(text: str) -> list[int]:
    """Sorted [open, close, open, close, ...] offsets of triple-quoted strings."""
    edges: list[int] = []
    closing = None
    for match in _TRIPLE.finditer(text):
        if closing is None:
            closing = match.group()
            edges.append(match.end())
        elif match.group() == closing and text[match.start() - 1] != "\\":
            closing = None
            edges.append(match.start())
    return edges
