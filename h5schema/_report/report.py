"""Validation results as data: :class:`Violation` records collected in a :class:`Report`."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from h5schema._errors import InvalidFileError
from h5schema._report.codes import Code, Severity

__all__ = ["Report", "Violation", "jsonable", "plural", "unreadable_report"]


def jsonable(value: Any) -> Any:
    """Turn numpy scalars/arrays, bytes, tuples and sets into plain JSON values."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else repr(value)
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((jsonable(v) for v in value), key=repr)
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        plain = tolist()
        if type(plain) is type(value):  # numpy's long doubles have no Python type to become
            kind = getattr(getattr(value, "dtype", None), "kind", "f")
            return jsonable(complex(value) if kind == "c" else float(value))
        return jsonable(plain)
    return str(value)


_CODES = {c.value: c for c in Code}


@dataclass(frozen=True, slots=True)
class Violation:
    """One way in which a file breaks its schema.

    ``path`` is the absolute HDF5 path; an attribute is ``/group/dataset@attr`` and a root
    attribute ``/@attr``. ``expected`` and ``actual`` are plain JSON values.
    """

    path: str
    code: Code
    message: str
    expected: Any = None
    actual: Any = None
    severity: Severity = Severity.ERROR

    def to_dict(self) -> dict[str, Any]:
        """The violation as a JSON-ready dict with the documented keys."""
        return {
            "path": self.path,
            "code": self.code.value,
            "severity": self.severity.value,
            "message": self.message,
            "expected": jsonable(self.expected),
            "actual": jsonable(self.actual),
        }

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> Violation:
        """The violation that :meth:`to_dict` gave ``doc``.

        >>> v = Violation("/x", Code.DTYPE_MISMATCH, "m", "int32", "float64")
        >>> Violation.from_dict(v.to_dict()) == v
        True
        """
        return cls(
            path=doc["path"],
            code=_CODES[doc["code"]],
            message=doc["message"],
            expected=doc.get("expected"),
            actual=doc.get("actual"),
            severity=Severity(doc.get("severity", Severity.ERROR)),
        )

    def __str__(self) -> str:
        return f"[{self.severity.value}] {self.code.value}: {self.message}"


@dataclass(frozen=True, slots=True)
class Report:
    """Every violation found in one file, never only the first.

    >>> r = Report(file="a.h5", schema="S", violations=())
    >>> r.valid, str(r)
    (True, 'a.h5: valid against S')
    """

    file: str
    schema: str
    violations: tuple[Violation, ...] = field(default_factory=tuple)

    @property
    def valid(self) -> bool:
        """True when there is no error (warnings are allowed)."""
        return not any(v.severity is Severity.ERROR for v in self.violations)

    @property
    def errors(self) -> tuple[Violation, ...]:
        return tuple(v for v in self.violations if v.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Violation, ...]:
        return tuple(v for v in self.violations if v.severity is Severity.WARNING)

    def __iter__(self) -> Iterator[Violation]:
        return iter(self.violations)

    def __len__(self) -> int:
        return len(self.violations)

    def codes(self) -> list[str]:
        """The code slugs in report order (handy in tests)."""
        return [v.code.value for v in self.violations]

    def at(self, path: str) -> tuple[Violation, ...]:
        """The violations recorded at exactly ``path``."""
        return tuple(v for v in self.violations if v.path == path)

    def only(
        self,
        *,
        select: Iterable[str] | None = None,
        ignore: Iterable[str] = (),
        limit: int | None = None,
    ) -> Report:
        """This report with only the codes in ``select`` (all when None), without those in
        ``ignore``, and at most ``limit`` violations (the first ones).

        >>> found = (Violation("/", Code.MISSING_GROUP, "m"), Violation("/x", Code.DTYPE_MISMATCH, "d"))
        >>> r = Report("f.h5", "S", found)
        >>> r.only(ignore=["missing_group"]).codes(), r.only(limit=1).codes()
        (['dtype_mismatch'], ['missing_group'])
        """
        chosen = None if select is None else set(select)
        dropped = set(ignore)
        kept = [
            v
            for v in self.violations
            if (chosen is None or v.code.value in chosen) and v.code.value not in dropped
        ]
        return Report(self.file, self.schema, tuple(kept[:limit] if limit is not None else kept))

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "schema": self.schema,
            "valid": self.valid,
            "violations": [v.to_dict() for v in self.violations],
        }

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> Report:
        """The report that :meth:`to_dict` gave ``doc`` (``valid`` is derived, not read).

        >>> r = Report("a.h5", "S", (Violation("/", Code.MISSING_GROUP, "m"),))
        >>> Report.from_dict(r.to_dict()) == r
        True
        """
        violations = tuple(Violation.from_dict(v) for v in doc.get("violations", ()))
        return cls(file=doc["file"], schema=doc["schema"], violations=violations)

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def raise_if_invalid(self) -> Report:
        """Raise :class:`InvalidFileError` carrying this report if there is an error."""
        if not self.valid:
            raise InvalidFileError(self)
        return self

    def summary(self) -> str:
        n_err, n_warn = len(self.errors), len(self.warnings)
        parts = [plural(n_err, "error")] + ([plural(n_warn, "warning")] if n_warn else [])
        state = "valid" if self.valid else "INVALID"
        return f"{self.file}: {state} against {self.schema}" + (
            f" ({', '.join(parts)})" if self.violations else ""
        )

    def __str__(self) -> str:
        lines = [self.summary()]
        for path, group in _grouped(self.violations):
            lines.append(f"  {path}")
            lines.extend(f"    {v}" for v in group)
        return "\n".join(lines)


def plural(n: int, word: str) -> str:
    """``n`` and ``word``, with an s unless n is 1.

    >>> plural(1, "error"), plural(3, "file")
    ('1 error', '3 files')
    """
    return f"{n} {word}{'' if n == 1 else 's'}"


def _grouped(violations: Iterable[Violation]) -> list[tuple[str, list[Violation]]]:
    groups: dict[str, list[Violation]] = {}
    for v in violations:
        groups.setdefault(v.path, []).append(v)
    return list(groups.items())


def unreadable_report(label: str, schema: str, reason: str) -> Report:
    """The report of a file that cannot be checked at all: one ``file_unreadable`` at ``/``."""
    v = Violation("/", Code.FILE_UNREADABLE, f"{label}: {reason}", expected="an HDF5 file", actual=reason)
    return Report(file=label, schema=schema, violations=(v,))
