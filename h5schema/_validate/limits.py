"""Limits on the work one validation may do: time, memory, walk size, bytes read.

A hostile or corrupt file must give a report, never a hang, a crash or a machine out of memory.
The time and memory limits apply to isolated validation (the HDF5 work runs in a child process
that is killed at the limit); the others bound the walk and the data checks wherever it runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Limits", "describe_bytes", "parse_bytes"]

_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "kib": 1 << 10, "m": 1000**2, "mb": 1000**2,
          "mib": 1 << 20, "g": 1000**3, "gb": 1000**3, "gib": 1 << 30, "t": 1000**4, "tb": 1000**4,
          "tib": 1 << 40}  # fmt: skip


def parse_bytes(text: str) -> int:
    """A size such as ``"512MiB"``, ``"2 GiB"``, ``"1.5GB"`` or ``"4096"`` in bytes.

    >>> parse_bytes("2GiB"), parse_bytes("1.5 kB"), parse_bytes("64")
    (2147483648, 1500, 64)
    """
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", text)
    unit = m.group(2).lower() if m else ""
    if m is None or unit not in _UNITS:
        raise ValueError(f"not a size: {text!r} (use a number with an optional unit: 512MiB, 2GiB)")
    return int(float(m.group(1)) * _UNITS[unit])


def describe_bytes(n: int) -> str:
    """Bytes in the largest binary unit that keeps a short number.

    >>> describe_bytes(2 << 30), describe_bytes(1536 << 20), describe_bytes(100)
    ('2 GiB', '1.5 GiB', '100 bytes')
    """
    for unit, size in (("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:.4g} {unit}"
    return f"{n} bytes"


@dataclass(frozen=True, slots=True)
class Limits:
    """How much work validating one file may take. Each limit reached is reported, never raised.

    - ``timeout``: wall-clock seconds per file (isolated validation only); None for no limit.
    - ``memory``: address-space bytes of the child process (isolated only); None for no limit.
    - ``max_depth``: deepest group nesting walked; deeper groups are reported ``limit_exceeded``.
    - ``max_members``: links listed per group; a group with more is reported, its members unchecked.
    - ``max_attribute_bytes``: largest attribute value read for a value check.
    - ``max_chunk_bytes``: largest chunk (as declared, decompressed) a data check will read.

    >>> Limits().timeout, Limits(timeout=5).timeout
    (30.0, 5)
    """

    timeout: float | None = 30.0
    memory: int | None = 2 << 30
    max_depth: int = 256
    max_members: int = 1_000_000
    max_attribute_bytes: int = 64 << 20
    max_chunk_bytes: int = 256 << 20

    def __post_init__(self) -> None:
        for name in ("timeout", "memory"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not value > 0):
                raise ValueError(f"Limits.{name} must be a positive number or None, got {value!r}")
        for name in ("max_depth", "max_members", "max_attribute_bytes", "max_chunk_bytes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"Limits.{name} must be a positive integer, got {value!r}")
