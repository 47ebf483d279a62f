"""Data checks (allowed values, ranges, NaN).

A :class:`DataChecker` is fed blocks and reports what it saw. The validator feeds it
chunk-aligned blocks of about :data:`BLOCK_BYTES` (memory stays bounded whatever the dataset
size); writers feed it each batch before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from h5schema import _h5
from h5schema._codes import Code
from h5schema._report import Violation
from h5schema._spec import DatasetSpec
from h5schema._values import describe_bounds

__all__ = ["BLOCK_BYTES", "DataChecker", "check_data"]

BLOCK_BYTES = 32 * 1024 * 1024
_SHOW = 5


@dataclass
class _Finding:
    count: int = 0
    first: tuple[int, ...] | None = None
    samples: list[Any] = field(default_factory=list)

    def add(self, mask: np.ndarray, block: np.ndarray, offset: tuple[int, ...]) -> None:
        n = int(np.count_nonzero(mask))
        if not n:
            return
        if self.first is None:
            idx = np.argwhere(mask)[0] if mask.ndim else ()
            self.first = tuple(int(o + i) for o, i in zip(offset, idx, strict=True))
        self.count += n
        if len(self.samples) < _SHOW:
            for v in np.unique(block[mask])[: _SHOW - len(self.samples)].tolist():
                if v not in self.samples:
                    self.samples.append(v)


class DataChecker:
    """Accumulates the data-check findings of one dataset over any number of blocks."""

    def __init__(self, spec: DatasetSpec) -> None:
        self.spec = spec
        self.bounds = (spec.gt, spec.ge, spec.lt, spec.le)
        self.has_bounds = any(b is not None for b in self.bounds)
        self.allowed_set = frozenset(spec.values) if spec.values is not None else None
        self.outside, self.out_of_range, self.nans = _Finding(), _Finding(), _Finding()

    def feed(self, block: np.ndarray, offset: tuple[int, ...]) -> None:
        if block.dtype.names is not None:
            return
        if self.allowed_set is not None:
            self.outside.add(self._outside_mask(block), block, offset)
        kind = block.dtype.kind
        if kind in "fc":
            if self.has_bounds and kind == "f":
                self.out_of_range.add(_range_mask(block, *self.bounds), block, offset)
            if not self.spec.allow_nan:
                self.nans.add(np.isnan(block), block, offset)
        elif self.has_bounds and kind in "iu":
            self.out_of_range.add(_range_mask(block, *self.bounds), block, offset)

    def _outside_mask(self, block: np.ndarray) -> np.ndarray:
        assert self.allowed_set is not None
        if block.dtype.kind == "O":  # strings: test each distinct value once
            uniq, inverse = np.unique(block, return_inverse=True)
            bad = np.array([u not in self.allowed_set for u in uniq.tolist()], dtype=bool)
            return bad[inverse].reshape(block.shape)
        allowed = np.array(sorted(self.allowed_set, key=repr))
        return ~np.isin(block, allowed)

    def violations(self, path: str) -> list[Violation]:
        out: list[Violation] = []
        if self.outside.count:
            allowed = list(self.spec.values or ())
            out.append(_violation(path, f"values in {allowed!r}", self.outside, "outside them"))
        if self.out_of_range.count:
            out.append(_violation(path, describe_bounds(*self.bounds), self.out_of_range, "out of range"))
        if self.nans.count:
            out.append(_violation(path, "no NaN", self.nans, "NaN"))
        return out


def check_data(dsid: _h5.Handle, info: _h5.DatasetInfo, spec: DatasetSpec, path: str) -> list[Violation]:
    """Violations of the dataset's data checks, reading about BLOCK_BYTES at a time."""
    if info.shape is None:
        return []
    checker = DataChecker(spec)
    for offset, block in _h5.iter_blocks(dsid, info, BLOCK_BYTES):
        checker.feed(block, offset)
    return checker.violations(path)


def _range_mask(block: np.ndarray, gt: Any, ge: Any, lt: Any, le: Any) -> np.ndarray:
    """Elements breaking a bound. NaN breaks none: it is governed by allow_nan."""
    mask = np.zeros(block.shape, dtype=bool)
    with np.errstate(invalid="ignore"):
        if gt is not None:
            mask |= block <= gt
        if ge is not None:
            mask |= block < ge
        if lt is not None:
            mask |= block >= lt
        if le is not None:
            mask |= block > le
    return mask


def _violation(path: str, expected: str, f: _Finding, what: str) -> Violation:
    where = "" if f.first is None else f", first at index {list(f.first)}"
    shown = ", ".join(repr(v) for v in f.samples)
    return Violation(
        path=path,
        code=Code.VALUE_CONSTRAINT,
        message=f"{path}: expected {expected}, got {f.count} element(s) {what}: {shown}{where}",
        expected=expected,
        actual={"count": f.count, "examples": f.samples, "first_index": list(f.first or ())},
    )
