"""Messages between the parent and a reader: typed records, each sent as a 4-byte length and a
JSON document that names its record type.

Requests (parent to reader)::

    Validate   validate one file against the schema ``schema_key`` and answer ``Validated``
    Load       load the schema ``schema_key`` and answer ``Loaded`` (or ``SchemaRefused``)
    Describe   read one file's manifest (``show``) or infer its schema; answer ``Described``

A request carries ``schema`` (a :class:`SchemaPayload`) the first time a reader meets a key;
a reader that has forgotten it answers ``NeedSchema`` and the parent sends it again.

Answers (reader to parent)::

    Ready          the reader started (its pid); sent once, before any request
    Validated      the report, as ``Report.to_dict()`` gives it
    Loaded         the loaded schema's name
    Described      the manifest or the inferred text, or why the file cannot be read
    NeedSchema     the reader does not have the schema of the request
    SchemaRefused  the schema reference does not load in the reader
    Failed         the request failed (memory, or a bug of ours); the reader exits after it
"""

from __future__ import annotations

import dataclasses
import json
import os
import select
import struct
import time
import typing
from dataclasses import dataclass
from typing import Any, Literal

from h5schema._validate.limits import Limits

__all__ = [
    "Answer",
    "ChildGone",
    "Describe",
    "Described",
    "Failed",
    "Load",
    "Loaded",
    "NeedSchema",
    "Ready",
    "Request",
    "SchemaPayload",
    "SchemaRefused",
    "TimedOut",
    "Validate",
    "Validated",
    "receive",
    "send",
]

_HEADER = struct.Struct(">I")


class ChildGone(Exception):
    """The other end closed the pipe (the child died, or the parent went away)."""


class TimedOut(Exception):
    """No complete message arrived before the deadline."""


@dataclass(frozen=True, kw_only=True)
class SchemaPayload:
    """A schema on its way to a reader: ``pickled`` (base64 of the caller's own object) or
    ``ref``, a reference (``file.py:Class``, a document) that the reader loads itself, from the
    caller's working directory ``cwd`` (a reader may have been started in another)."""

    pickled: str | None = None
    ref: str | None = None
    cwd: str | None = None


@dataclass(frozen=True, kw_only=True)
class Validate:
    """Validate the file at ``path`` (absolute), reported under ``label``."""

    path: str
    label: str
    schema_key: str
    check_data: bool
    limits: Limits
    data_workers: int = 1
    schema: SchemaPayload | None = None


@dataclass(frozen=True, kw_only=True)
class Load:
    """Load the schema ``schema_key`` (sent with it), so that files can follow."""

    schema_key: str
    schema: SchemaPayload | None = None


@dataclass(frozen=True, kw_only=True)
class Describe:
    """Read the file at ``path``: its manifest (``what="manifest"``), or the schema inferred
    from it, named ``name`` and written as ``form`` (yaml, json, or python under ``header``)."""

    what: Literal["manifest", "infer"]
    path: str
    limits: Limits
    name: str = ""
    form: str = "yaml"
    header: str = ""


@dataclass(frozen=True, kw_only=True)
class Ready:
    pid: int


@dataclass(frozen=True, kw_only=True)
class Validated:
    report: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class Loaded:
    name: str


@dataclass(frozen=True, kw_only=True)
class Described:
    """Exactly one of ``manifest`` and ``text`` is set, or ``unreadable`` says why neither is."""

    manifest: dict[str, Any] | None = None
    text: str | None = None
    unreadable: str | None = None


@dataclass(frozen=True, kw_only=True)
class NeedSchema:
    schema_key: str


@dataclass(frozen=True, kw_only=True)
class SchemaRefused:
    reason: str


@dataclass(frozen=True, kw_only=True)
class Failed:
    """``kind`` is ``"memory"`` (the reader ran out of memory) or ``"error"`` (``detail`` says)."""

    kind: Literal["memory", "error"]
    detail: str = ""


Request = Validate | Load | Describe
Answer = Ready | Validated | Loaded | Described | NeedSchema | SchemaRefused | Failed

_RECORDS: dict[str, type[Any]] = {
    cls.__name__: cls for cls in (*typing.get_args(Request), *typing.get_args(Answer))
}
_NESTED: dict[str, type[Any]] = {"limits": Limits, "schema": SchemaPayload}


def encode(record: Request | Answer) -> bytes:
    """The record as its JSON document (ASCII escapes keep names from corrupt files, lone
    surrogates included, encodable; :func:`decode` undoes them)."""
    doc = {"type": type(record).__name__, **dataclasses.asdict(record)}
    return json.dumps(doc, ensure_ascii=True, allow_nan=False).encode("ascii")


def decode(data: bytes) -> Any:
    """The record that :func:`encode` gave ``data``."""
    doc = json.loads(data)
    cls = _RECORDS[doc.pop("type")]
    for name, nested in _NESTED.items():
        if isinstance(doc.get(name), dict):
            doc[name] = nested(**doc[name])
    return cls(**doc)


def send(fd: int, record: Request | Answer) -> None:
    data = encode(record)
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        try:
            n = os.write(fd, view)
        except OSError as exc:
            raise ChildGone(str(exc)) from None
        view = view[n:]


def _read_exactly(fd: int, n: int, deadline: float | None) -> bytes:
    parts: list[bytes] = []
    while n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimedOut
        try:
            chunk = os.read(fd, min(n, 1 << 20))
        except OSError as exc:
            raise ChildGone(str(exc)) from None
        if not chunk:
            raise ChildGone("end of stream")
        parts.append(chunk)
        n -= len(chunk)
    return b"".join(parts)


def receive(fd: int, deadline: float | None = None) -> Any:
    """The next record; ``deadline`` is a ``time.monotonic()`` value, or None to wait forever."""
    (size,) = _HEADER.unpack(_read_exactly(fd, _HEADER.size, deadline))
    return decode(_read_exactly(fd, size, deadline))
