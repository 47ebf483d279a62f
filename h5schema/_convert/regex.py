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
    out: list[str] = []
    names: dict[str, int] = {}
    groups, i, n, in_class = 0, 0, len(pattern), False
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            ref = _NUMBER_REF.match(pattern, i)
            if not in_class and ref and not re.match(r"\\[0-7]{3}", pattern[i:]):
                out.append(f"\\{int(ref.group(1)) + offset}")
                i = ref.end()
                continue
            esc = pattern[i : i + 2]
            out.append({"\\A": "^", "\\Z": _END}.get(esc, esc) if not in_class else esc)
            i += 2
            continue
        if in_class:
            in_class = c != "]"
            out.append(c)
        elif c == "[":
            in_class = True
            lead = "[^" if pattern.startswith("[^", i) else "["
            i += len(lead)
            out.append(lead)
            if pattern.startswith("]", i):  # a leading ] is a character in Python, ends [] in ECMA
                out.append("\\]")
                i += 1
            continue
        elif c == "(":
            named, ref = _NAMED.match(pattern, i), _NAMED_REF.match(pattern, i)
            if ref is not None and ref.group(1) in names:
                out.append(f"(?:\\{names[ref.group(1)]})")
                i = ref.end()
                continue
            if named is not None or not pattern.startswith("(?", i):
                groups += 1
            if named is not None:
                names[named.group(1)] = groups + offset
                out.append("(")
                i = named.end()
                continue
            out.append(c)
        elif c == "$":
            out.append(r"(?=\n?(?![\s\S]))")
        elif c == ".":
            out.append(r"[^\n]")
        else:
            out.append(c)
        i += 1
    return "".join(out), groups


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
