"""Python regular expressions rewritten for JSON Schema, with the same meaning in Python's ``re``
(the validator's engine, and that of Python JSON Schema validators) and in ECMA-262 (the
dialect JSON Schema names).

Rewritten, outside character classes: ``$`` (Python's also matches before a final newline),
``.`` (ECMA's also refuses ``\\r``, U+2028 and U+2029), ``\\A``, ``\\Z``, named groups
``(?P<name>...)`` and their references ``(?P=name)`` (numbered instead), numbered references
(shifted when patterns are combined), and a ``]`` first in a class (escaped). Kept as they
are: inline flags such as ``(?i)``, which ECMA-262 lacks, and ``\\d``, ``\\w``, ``\\s``,
``\\b``, which match non-ASCII digits, letters and spaces in Python but only ASCII ones in
ECMA-262.
"""

from __future__ import annotations

import re

__all__ = ["ecma_pattern", "exact_name", "full_match"]

_END = r"(?![\s\S])"  # the very end of the text, in both dialects
_SYNTAX = set("^$\\.*+?()[]{}|/")
_NAMED = re.compile(r"\(\?P<([^>]+)>")
_NAMED_REF = re.compile(r"\(\?P=([^)]+)\)")
_NUMBER_REF = re.compile(r"\\([1-9][0-9]?)")


def exact_name(name: str) -> str:
    """A regex matching ``name`` literally, escaping only ECMA-262 syntax characters (its
    unicode mode refuses escapes of other punctuation, which Python's ``re.escape`` adds)."""
    return "".join("\\" + c if c in _SYNTAX else c for c in name)


def _translate(pattern: str, offset: int) -> tuple[str, int]:
    """The pattern rewritten, and the number of capturing groups it holds."""
    return _Translation(pattern, offset).run()


# Rewritten outside character classes: Python's $ also matches before a final newline, and
# ECMA's . also refuses \r, U+2028 and U+2029.
_OUTSIDE_CLASSES = {"$": r"(?=\n?(?![\s\S]))", ".": r"[^\n]"}


class _Translation:
    """One pass over a pattern, token by token; back references are shifted by ``offset`` (the
    groups of the patterns combined before this one)."""

    def __init__(self, pattern: str, offset: int) -> None:
        self.pattern, self.offset = pattern, offset
        self.out: list[str] = []
        self.names: dict[str, int] = {}
        self.groups = 0
        self.in_class = False

    def run(self) -> tuple[str, int]:
        i = 0
        while i < len(self.pattern):
            i = self.step(i)
        return "".join(self.out), self.groups

    def step(self, i: int) -> int:
        """Translate the token at ``i``; the index after it."""
        c = self.pattern[i]
        if c == "\\" and i + 1 < len(self.pattern):
            return self.escape(i)
        if self.in_class:
            self.in_class = c != "]"
            self.out.append(c)
            return i + 1
        if c == "[":
            return self.class_start(i)
        if c == "(":
            return self.group_start(i)
        self.out.append(_OUTSIDE_CLASSES.get(c, c))
        return i + 1

    def escape(self, i: int) -> int:
        """A numbered back reference is shifted (an octal escape is not one); outside classes
        \\A and \\Z become ECMA's anchors; other escapes are kept."""
        ref = _NUMBER_REF.match(self.pattern, i)
        if not self.in_class and ref and not re.match(r"\\[0-7]{3}", self.pattern[i:]):
            self.out.append(f"\\{int(ref.group(1)) + self.offset}")
            return ref.end()
        esc = self.pattern[i : i + 2]
        self.out.append({"\\A": "^", "\\Z": _END}.get(esc, esc) if not self.in_class else esc)
        return i + 2

    def class_start(self, i: int) -> int:
        """A class opens; a leading ] is a character in Python but ends [] in ECMA: escaped."""
        self.in_class = True
        lead = "[^" if self.pattern.startswith("[^", i) else "["
        i += len(lead)
        self.out.append(lead)
        if self.pattern.startswith("]", i):
            self.out.append("\\]")
            i += 1
        return i

    def group_start(self, i: int) -> int:
        """A named group becomes a numbered one, a reference to it a numbered reference; every
        capturing group is counted."""
        named, ref = _NAMED.match(self.pattern, i), _NAMED_REF.match(self.pattern, i)
        if ref is not None and ref.group(1) in self.names:
            self.out.append(f"(?:\\{self.names[ref.group(1)]})")
            return ref.end()
        if named is not None or not self.pattern.startswith("(?", i):
            self.groups += 1
        if named is not None:
            self.names[named.group(1)] = self.groups + self.offset
            self.out.append("(")
            return named.end()
        self.out.append("(")
        return i + 1


def ecma_pattern(pattern: str) -> str:
    """A pattern searched for in text (``re.search``) as JSON Schema's ``pattern`` keyword."""
    return _translate(pattern, 0)[0]


def full_match(pattern: str, declared: list[str], earlier: list[str]) -> str:
    """A ``patternProperties`` key for member names that ``pattern`` matches in full
    (``re.fullmatch``), are not ``declared``, and match none of the ``earlier`` patterns in full:
    the names the validator checks against this pattern."""
    parts, groups = ["^"], 0
    if declared:
        parts.append(f"(?!(?:{'|'.join(exact_name(d) for d in declared)}){_END})")
    for p in earlier:
        text, k = _translate(p, groups)
        parts.append(f"(?!(?:{text}){_END})")
        groups += k
    parts.append(f"(?:{_translate(pattern, groups)[0]}){_END}")
    return "".join(parts)
