"""The files the kill runs write: rows that encode their index, and a big-ish layout to create.

Every row of a ``LogFile`` is a function of its index, in three datasets appended together (one
gzip-compressed, one of strings: variable-length, or fixed-length for SWMR writing), so a row
that was lost, torn, shifted or zero-filled is told apart from the row that was written.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import h5schema as h5s

CHUNK = 64


class Log(h5s.Group):
    """One row per step; the three datasets share the dim ``n``."""

    i: h5s.Dataset = h5s.dataset(np.int64, shape=("n",), maxshape=(None,), chunks=(CHUNK,))
    x: h5s.Dataset = h5s.dataset(
        np.float64, shape=("n", 3), maxshape=(None, 3), chunks=(CHUNK, 3), compression="gzip"
    )
    s: h5s.Dataset = h5s.dataset(str, shape=("n",), maxshape=(None,), chunks=(CHUNK,))


class LogFile(h5s.File):
    log: Log = h5s.group()


class SwmrLog(Log):
    """The same for SWMR writing, which takes fixed-length strings only."""

    s: h5s.Dataset = h5s.dataset(h5s.string(24), shape=("n",), maxshape=(None,), chunks=(CHUNK,))


class SwmrLogFile(h5s.File):
    log: SwmrLog = h5s.group()


def schema(mode: str) -> type[h5s.File]:
    return SwmrLogFile if mode == "swmr" else LogFile


def text(k: int) -> str:
    """Row ``k``'s string: its lengths vary, so the strings' heap grows unevenly."""
    return f"row {k}" + "~" * (k % 7)


def one_row(k: int) -> dict[str, Any]:
    return {"i": k, "x": [float(k), k * 0.5, float(-k)], "s": text(k)}


def batch(start: int, stop: int) -> dict[str, Any]:
    """Rows ``start`` to ``stop - 1``, as one aligned batch."""
    idx = np.arange(start, stop, dtype=np.int64)
    x = np.stack([idx, idx * 0.5, -idx], axis=1).astype(np.float64)
    return {"i": idx, "x": x, "s": [text(k) for k in range(start, stop)]}


def bad_rows(name: str, values: Any) -> list[int]:
    """The indices of the rows of dataset ``name`` read back that differ from the rows written."""
    want = batch(0, len(values))[name]
    if name == "s":
        return [k for k, (got, w) in enumerate(zip(values, want, strict=True)) if got != w]
    diff = values != want
    return [int(k) for k in np.flatnonzero(diff if diff.ndim == 1 else diff.any(axis=1))]


class Block(h5s.Group):
    """One block of the layout the materializer is killed while creating."""

    index: int = h5s.attribute(ge=0)
    label: str
    data: h5s.Dataset = h5s.dataset(np.float64, shape=(None,), chunks=(512,), compression="gzip")
    names: h5s.Dataset = h5s.dataset(str, shape=(None,))


class Archive(h5s.File):
    blocks: dict[str, Block] = h5s.members(r"block_\d{3}", min_count=1)


def block_data(b: int, rows: int) -> np.ndarray:
    return np.arange(rows, dtype=np.float64) * (b + 1)


def archive(blocks: int, rows: int) -> Archive:
    """An ``Archive`` of ``blocks`` blocks of ``rows`` values each."""
    return Archive(
        blocks={
            f"block_{b:03d}": Block(
                index=b,
                label=f"block {b}",
                data=block_data(b, rows),
                names=[f"{b}.{k}" for k in range(rows // 8)],
            )
            for b in range(blocks)
        }
    )
