"""Deterministic mutators: a seed file's bytes and a seeded ``random.Random`` give one mutant.

Each mutator changes a ``bytearray`` in place and returns a short description of what it did,
so a failure can be read as well as replayed. ``mutate`` applies one to three of them, chosen by
weight; the same bytes, hints and rng state always give the same mutant.

- ``bit_flips``: flips 1 to 8 bits anywhere;
- ``random_bytes``: overwrites 1 to 16 bytes anywhere with random ones;
- ``truncate``: cuts the file short, anywhere or (more often) near its end;
- ``zero_range``: zeroes 1 to 1024 bytes;
- ``copy_block``: copies a block of 4 to 512 bytes over another place in the file;
- ``insert_block``: inserts 1 to 256 bytes (copied from the file, or random), shifting the rest;
- ``header_field``: near an object header, a structure signature (``OHDR``, ``GCOL``, ``TREE``,
  ...) or the superblock, flips a bit, zeroes a few bytes, or writes a boundary integer of 1 to 8
  bytes (0, all ones, 2**(n-1), an address at or past the end of the file, ...);
- ``chunk_data``: inside a stored data chunk, flips a bit, writes random bytes or zeroes a range,
  for the decompressors and the fletcher32 check.

>>> import random
>>> one = mutant(bytes(range(256)) * 4, random.Random(7))
>>> one == mutant(bytes(range(256)) * 4, random.Random(7)) and one != bytes(range(256)) * 4
True
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["MUTATORS", "SIGNATURES", "Hints", "Mutant", "mutant", "mutate", "signature_offsets"]

SIGNATURES = (
    b"\x89HDF\r\n\x1a\n",  # superblock
    b"OHDR", b"OCHK",  # v2 object headers and their continuation blocks
    b"HEAP", b"GCOL", b"TREE", b"SNOD",  # local heap, global heap, v1 B-tree, symbol table node
    b"BTHD", b"BTIN", b"BTLF",  # v2 B-tree
    b"FRHP", b"FHDB", b"FHIB",  # fractal heap
    b"FSHD", b"FSSE",  # free space
    b"EAHD", b"EAIB", b"EADB", b"EASB",  # extensible array chunk index
    b"FAHD", b"FADB",  # fixed array chunk index
    b"SMTB", b"SMLI",  # shared object header messages
)  # fmt: skip
"""Signatures that start HDF5 metadata structures."""

_WINDOW = 96  # how far after a structure's start header_field aims


@dataclass(frozen=True)
class Hints:
    """Where a seed keeps its metadata and its data (from ``corpus.SeedFile``); may be empty."""

    headers: tuple[int, ...] = ()
    chunks: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Mutant:
    """The mutated bytes and what was done to get them."""

    data: bytes
    steps: tuple[str, ...]


Mutator = Callable[[bytearray, random.Random, Hints], str]


def _span(rng: random.Random, low: int, high: int) -> int:
    """A length in ``[low, high]``, log-uniform so short ones are as common as long ones."""
    return min(high, max(low, round(low * (high / low) ** rng.random())))


def _place(buf: bytearray, rng: random.Random, length: int) -> int:
    return rng.randrange(max(1, len(buf) - length + 1))


def bit_flips(buf: bytearray, rng: random.Random, hints: Hints) -> str:
    offsets = sorted(rng.randrange(len(buf)) for _ in range(rng.randint(1, 8)))
    for offset in offsets:
        buf[offset] ^= 1 << rng.randrange(8)
    return f"bit_flips at {offsets}"


def random_bytes(buf: bytearray, rng: random.Random, hints: Hints) -> str:
    length = rng.randint(1, 16)
    at = _place(buf, rng, length)
    new = bytes(rng.randrange(256) for _ in range(length))
    buf[at : at + length] = new[: len(buf) - at]
    return f"random_bytes {length} at {at}"


def truncate(buf: bytearray, rng: random.Random, hints: Hints) -> str:
    size = len(buf)
    keep = rng.randrange(size) if rng.random() < 0.4 else size - _span(rng, 1, max(1, size // 10))
    keep = max(0, min(keep, size - 1))
    del buf[keep:]
    return f"truncate to {keep} of {size}"


def zero_range(buf: bytearray, rng: random.Random, hints: Hints) -> str:
    length = _span(rng, 1, 1024)
    at = _place(buf, rng, length)
    buf[at : at + length] = bytes(len(buf[at : at + length]))
    return f"zero_range {length} at {at}"


def copy_block(buf: bytearray, rng: random.Random, hints: Hints) -> str:
    length = _span(rng, 4, 512)
    src, dst = _place(buf, rng, length), _place(buf, rng, length)
    block = bytes(buf[src : src + length])
    buf[dst : dst + len(block)] = block[: len(buf) - dst]
    return f"copy_block {length} from {src} to {dst}"


def insert_block(buf: bytearray, rng: random.Random, hints: Hints) -> str:
    length = _span(rng, 1, 256)
    at = rng.randrange(len(buf) + 1)
    if rng.random() < 0.5:
        src = _place(buf, rng, length)
        block, origin = bytes(buf[src : src + length]), f"copied from {src}"
    else:
        block, origin = bytes(rng.randrange(256) for _ in range(length)), "random"
    buf[at:at] = block
    return f"insert_block {len(block)} ({origin}) at {at}"


def signature_offsets(data: bytes | bytearray) -> list[int]:
    """Offsets of every metadata signature in ``data`` (the superblock at 0 included)."""
    found = []
    for sig in SIGNATURES:
        at = data.find(sig)
        while at != -1:
            found.append(at)
            at = data.find(sig, at + 1)
    return sorted(found)


def _boundary(rng: random.Random, width: int, size: int) -> int:
    top = 1 << (8 * width)
    values = [0, 1, 2, 0x7F, 0x80, 0xFF, top - 1, top >> 1, (top >> 1) - 1, rng.randrange(top)]
    if width >= 4:  # addresses and lengths: just past the end, or somewhere inside the file
        values += [size, size + 1, rng.randrange(max(1, size)), 0xFFFF_FFFF]
    return rng.choice(values) % top


def header_field(buf: bytearray, rng: random.Random, hints: Hints) -> str:
    starts = sorted({0, *signature_offsets(buf), *(h for h in hints.headers if h < len(buf))})
    start = rng.choice(starts)
    at = min(len(buf) - 1, start + rng.randrange(_WINDOW))
    how = rng.random()
    if how < 0.35:
        bit = rng.randrange(8)
        buf[at] ^= 1 << bit
        return f"header_field near {start}: bit {bit} of byte {at}"
    if how < 0.85:
        width = rng.choice((1, 2, 4, 8))
        value = _boundary(rng, width, len(buf))
        raw = value.to_bytes(width, "little")[: len(buf) - at]
        buf[at : at + len(raw)] = raw
        return f"header_field near {start}: {width}-byte {value:#x} at {at}"
    length = rng.randint(1, 8)
    buf[at : at + length] = bytes(len(buf[at : at + length]))
    return f"header_field near {start}: zero {length} at {at}"


def chunk_data(buf: bytearray, rng: random.Random, hints: Hints) -> str:
    chunks = [(o, n) for o, n in hints.chunks if n > 0 and o + n <= len(buf)]
    if not chunks:
        return random_bytes(buf, rng, hints)
    offset, size = rng.choice(chunks)
    how = rng.random()
    if how < 0.5:
        at = offset + rng.randrange(size)
        buf[at] ^= 1 << rng.randrange(8)
        return f"chunk_data ({size} at {offset}): bit flip at {at}"
    length = rng.randint(1, min(size, 64))
    at = offset + rng.randrange(size - length + 1)
    if how < 0.8:
        buf[at : at + length] = bytes(rng.randrange(256) for _ in range(length))
        return f"chunk_data ({size} at {offset}): random {length} at {at}"
    buf[at : at + length] = bytes(length)
    return f"chunk_data ({size} at {offset}): zero {length} at {at}"


MUTATORS: dict[str, tuple[Mutator, int]] = {
    "bit_flips": (bit_flips, 15),
    "random_bytes": (random_bytes, 10),
    "truncate": (truncate, 5),
    "zero_range": (zero_range, 10),
    "copy_block": (copy_block, 10),
    "insert_block": (insert_block, 5),
    "header_field": (header_field, 30),
    "chunk_data": (chunk_data, 15),
}
"""Each mutator with its weight."""


def mutate(
    data: bytes, rng: random.Random, hints: Hints | None = None, *, only: Sequence[str] = ()
) -> Mutant:
    """One to three mutations of ``data`` (one in 70% of mutants); never returns ``data`` unchanged.

    ``only`` restricts the choice to the mutators named.
    """
    if not data:
        raise ValueError("cannot mutate an empty file")
    hints = hints or Hints()
    names = list(only or MUTATORS)
    weights = [MUTATORS[n][1] for n in names]
    count = rng.choices((1, 2, 3), weights=(70, 20, 10))[0]
    buf = bytearray(data)
    steps: list[str] = []
    while len(steps) < count or buf == data:
        if not buf:  # cut to nothing: nothing left to mutate
            break
        name = rng.choices(names, weights=weights)[0]
        steps.append(MUTATORS[name][0](buf, rng, hints))
    return Mutant(bytes(buf), tuple(steps))


def mutant(data: bytes, rng: random.Random, hints: Hints | None = None) -> bytes:
    """The bytes of one mutant of ``data`` (see :func:`mutate`)."""
    return mutate(data, rng, hints).data
