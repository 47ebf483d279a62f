"""Data checks (allowed values, ranges, NaN).

A :class:`DataChecker` is fed blocks and reports what it saw. The validator feeds it
chunk-aligned blocks of about :data:`BLOCK_BYTES` (memory stays bounded whatever the dataset
size); writers feed it each batch before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from h5schema import _h5
from h5schema._report.codes import Code
from h5schema._report.report import Violation
from h5schema._schema.spec import DatasetSpec
from h5schema._types.constraints import bound_problems, describe_bounds
from h5schema._types.dtypes import DTypeSpec
from h5schema._validate.limits import describe_bytes
from h5schema._validate.spread import SERIAL, PartsFailed, Spread

__all__ = ["BLOCK_BYTES", "DataChecker", "batch_problem", "check_data"]

BLOCK_BYTES = 1024 * 1024  # small enough that the check passes run from the CPU cache
_SHOW = 5


@dataclass
class _Finding:
    count: int = 0
    first: tuple[int, ...] | None = None
    samples: list[Any] = field(default_factory=list)

    def add(self, mask: np.ndarray, block: np.ndarray, offset: tuple[int, ...], repeat: int = 1) -> None:
        n = int(np.count_nonzero(mask)) * repeat
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

    def merge(self, later: _Finding) -> None:
        """Add the findings of a later part of the same dataset."""
        self.count += later.count
        if self.first is None:
            self.first = later.first
        for v in later.samples:
            if len(self.samples) < _SHOW and v not in self.samples:
                self.samples.append(v)


class DataChecker:
    """Accumulates the data-check findings of one dataset over any number of blocks."""

    def __init__(self, spec: DatasetSpec, stored: DTypeSpec | None = None) -> None:
        self.spec = spec
        self.stored = stored  # how blocks are read: the numbers of ragged sequences are checked
        self.rule = None if spec.dtype is None else spec.dtype.rule()
        self.bounds = spec.bounds
        self.has_bounds = spec.has_bounds
        self.allowed_set = frozenset(spec.values) if spec.values is not None else None
        numbers = [v for v in spec.values or () if isinstance(v, int | float) and not isinstance(v, bool)]
        self.allowed_numbers = sorted(numbers)
        self.implied = self.allowed_set is not None and _allowed_imply_the_rest(
            numbers, len(self.allowed_set), self.bounds
        )
        self.outside, self.out_of_range, self.nans = _Finding(), _Finding(), _Finding()
        self.broken = _Finding()  # elements breaking the declared dtype's own rule
        self._scratch: dict[tuple[tuple[int, ...], str], np.ndarray] = {}

    def feed(self, block: np.ndarray, offset: tuple[int, ...], repeat: int = 1) -> None:
        """Check a block (as read, strings decoded) whose first element sits at ``offset``; with
        ``repeat``, the block stands for that many copies of itself (the fill value of
        never-written regions)."""
        if self.rule is not None:
            self._dtype_rule(block, offset, repeat)
        owners = None if self.stored is None else self.stored.owners(block)
        if owners is None:
            self._values(block, offset, repeat)
            return
        assert self.stored is not None
        unset = [f for f in self.findings() if f.first is None]
        self._values(self.stored.check_view(block), (0,), repeat)
        for f in unset:  # found in the flat view: the index of the element holding it
            if f.first is not None:
                held = np.unravel_index(int(owners[f.first[0]]), block.shape)
                f.first = tuple(int(o + i) for o, i in zip(offset, held, strict=True))

    def _dtype_rule(self, block: np.ndarray, offset: tuple[int, ...], repeat: int) -> None:
        """Record the elements breaking the declared dtype's own rule (ragged lengths)."""
        assert self.spec.dtype is not None
        broken = self.spec.dtype.rule_breaks(block)
        if broken is not None:
            self.broken.add(broken[0], broken[1], offset, repeat)

    def _values(self, block: np.ndarray, offset: tuple[int, ...], repeat: int) -> None:
        """The allowed-value, NaN and range checks of a block of plain values."""
        if block.dtype.names is not None:
            return
        if self.allowed_set is not None and self._all_allowed(block, offset, repeat):
            return
        kind = block.dtype.kind
        if kind == "f":
            self._floats(block, offset, repeat)
        elif kind == "c":
            self._complex(block, offset, repeat)
        elif kind in "iu":
            self._integers(block, offset, repeat)

    def _all_allowed(self, block: np.ndarray, offset: tuple[int, ...], repeat: int) -> bool:
        """Record the values outside the allowed ones. True when there is none and the allowed
        values imply the range and NaN checks (numbers only), so the block needs no more passes."""
        mask = self._outside_mask(block)
        if mask is not None and mask.any():
            self.outside.add(mask, block, offset, repeat)
            return False
        return self.implied and block.dtype.kind in "iuf"

    def _floats(self, block: np.ndarray, offset: tuple[int, ...], repeat: int) -> None:
        """NaN and range checks of a float block; NaN propagates through min, so one pass finds
        it."""
        if not block.size:
            return
        lo, hi = block.min(), block.max()
        if np.isnan(lo):
            if not self.spec.allow_nan:
                self.nans.add(np.isnan(block), block, offset, repeat)
            if self.has_bounds:
                self._out_of_range(block, offset, repeat)
        elif self.has_bounds and self._breaks_bounds(lo, hi):
            self._out_of_range(block, offset, repeat)

    def _complex(self, block: np.ndarray, offset: tuple[int, ...], repeat: int) -> None:
        """The NaN check of a complex block (range checks do not apply to complex numbers)."""
        if not self.spec.allow_nan:
            self.nans.add(np.isnan(block), block, offset, repeat)

    def _integers(self, block: np.ndarray, offset: tuple[int, ...], repeat: int) -> None:
        """The range check of an integer block: its extremes first, the mask if needed."""
        if self.has_bounds and block.size and self._breaks_bounds(block.min(), block.max()):
            self._out_of_range(block, offset, repeat)

    def _breaks_bounds(self, lo: Any, hi: Any) -> bool:
        """Whether a block's smallest or largest value is out of range."""
        return bool(bound_problems(lo, *self.bounds) or bound_problems(hi, *self.bounds))

    def _out_of_range(self, block: np.ndarray, offset: tuple[int, ...], repeat: int) -> None:
        self.out_of_range.add(_range_mask(block, *self.bounds), block, offset, repeat)

    def _buffer(self, shape: tuple[int, ...], name: str) -> np.ndarray:
        buf = self._scratch.get((shape, name))
        if buf is None:
            buf = self._scratch[(shape, name)] = np.empty(shape, dtype=bool)
        return buf

    def _outside_mask(self, block: np.ndarray) -> np.ndarray | None:
        """The elements not among the allowed values; None when there is none (fast paths)."""
        assert self.allowed_set is not None
        if block.dtype.kind == "O":
            return _outside_objects(block, self.allowed_set)
        numbers = self.allowed_numbers
        if self._lookup_table_fits(block):  # one pass
            return ~np.isin(block, np.array(numbers), kind="table")
        if block.dtype.kind in "iuf" and 0 < len(numbers) <= 16 and len(numbers) == len(self.allowed_set):
            return self._outside_few_numbers(block)
        allowed = np.array(sorted(self.allowed_set, key=repr))
        return ~np.isin(block, allowed)

    def _lookup_table_fits(self, block: np.ndarray) -> bool:
        """An integer block and integer allowed values spanning at most 65536: a lookup table."""
        numbers = self.allowed_numbers
        if block.dtype.kind not in "iu" or not numbers or not all(isinstance(v, int) for v in numbers):
            return False
        return bool(numbers[-1] - numbers[0] <= 1 << 16)

    def _outside_few_numbers(self, block: np.ndarray) -> np.ndarray | None:
        """In place, a pass per allowed value: far cheaper than np.isin's temporaries."""
        numbers = self.allowed_numbers
        hit, tmp = self._buffer(block.shape, "hit"), self._buffer(block.shape, "tmp")
        np.equal(block, numbers[0], out=hit)
        for v in numbers[1:]:
            np.equal(block, v, out=tmp)
            np.logical_or(hit, tmp, out=hit)
        if hit.all():
            return None
        np.logical_not(hit, out=hit)
        return hit

    def findings(self) -> tuple[_Finding, _Finding, _Finding, _Finding]:
        return self.outside, self.out_of_range, self.nans, self.broken

    def merge(self, later: tuple[_Finding, _Finding, _Finding, _Finding]) -> None:
        for mine, theirs in zip(self.findings(), later, strict=True):
            mine.merge(theirs)

    def violations(self, path: str) -> list[Violation]:
        out: list[Violation] = []
        if self.outside.count:
            allowed = list(self.spec.values or ())
            out.append(_violation(path, f"values in {allowed!r}", self.outside, "outside them"))
        if self.out_of_range.count:
            out.append(_violation(path, describe_bounds(*self.bounds), self.out_of_range, "out of range"))
        if self.nans.count:
            out.append(_violation(path, "no NaN", self.nans, "NaN"))
        if self.broken.count and self.rule is not None:
            out.append(_violation(path, self.rule, self.broken, "of other lengths"))
        return out


def _allowed_imply_the_rest(numbers: list[Any], allowed: int, bounds: tuple[Any, ...]) -> bool:
    """Every allowed value a number within the bounds and none NaN: a block whose values are all
    allowed cannot break the range or NaN checks, so those passes are skipped for it."""
    return all(v == v and not bound_problems(v, *bounds) for v in numbers) and len(numbers) == allowed


def _outside_objects(block: np.ndarray, allowed: frozenset[Any]) -> np.ndarray:
    """Object elements (strings) not among the allowed values: a few tested one by one (one
    appended row), more by testing each distinct value once."""
    if block.size <= 64:
        return np.fromiter((v not in allowed for v in block.flat), bool, block.size).reshape(block.shape)
    uniq, inverse = np.unique(block, return_inverse=True)
    bad = np.array([u not in allowed for u in uniq.tolist()], dtype=bool)
    return bad[inverse].reshape(block.shape)


PARALLEL_BYTES = 64 << 20  # below this, forking copies costs more than it saves


def check_data(
    dsid: _h5.Handle,
    info: _h5.DatasetInfo,
    spec: DatasetSpec,
    path: str,
    max_chunk_bytes: int | None = None,
    spread: Spread = SERIAL,
) -> list[Violation]:
    """Violations of the dataset's data checks, reading about BLOCK_BYTES at a time.

    Only stored data is read: never-written regions (unallocated chunks, unallocated contiguous
    storage) read back as the fill value, which is checked once and counted for each element.
    A chunk larger than ``max_chunk_bytes`` once decompressed is not read at all. A big dataset
    is split into the parts of ``spread``, each reading a consecutive share of the blocks."""
    if info.shape is None:
        return []
    over = _chunk_over_limit(info, path, max_chunk_bytes)
    if over is not None:
        return [over]
    missing, first, stored = _h5.unwritten(dsid, info)
    elements = int(np.prod(info.shape, dtype=np.float64)) - missing

    def part(k: int, n: int) -> DataChecker:
        checker = DataChecker(spec, info.dtype)
        if stored is None:
            blocks = _h5.iter_blocks(dsid, info, BLOCK_BYTES, (k, n))
        else:
            blocks = _h5.iter_chunks(dsid, info, stored, (k, n))
        for offset, block in blocks:
            checker.feed(block, offset)
        return checker

    n = spread.workers if elements * max(info.nbytes_per_item, 1) >= PARALLEL_BYTES else 1
    checker = _in_parts(spec, info.dtype, part, n, spread)
    if missing:
        fill = _h5.fill_block(dsid, info)
        if fill is not None:
            checker.feed(fill, first, repeat=missing)
    return checker.violations(path)


def _chunk_over_limit(info: _h5.DatasetInfo, path: str, max_chunk_bytes: int | None) -> Violation | None:
    """A chunk larger than the limit once decompressed is not read: the violation saying so."""
    if info.chunks is None or max_chunk_bytes is None:
        return None
    size = int(np.prod(info.chunks, dtype=np.float64)) * max(info.nbytes_per_item, 1)
    if size <= max_chunk_bytes:
        return None
    msg = (
        f"data checks not run: one chunk is {describe_bytes(size)} decompressed, over "
        f"the {describe_bytes(max_chunk_bytes)} chunk limit"
    )
    expected = f"chunks of at most {max_chunk_bytes} bytes"
    return Violation(path, Code.LIMIT_EXCEEDED, msg, expected, size)


def _in_parts(
    spec: DatasetSpec, stored: DTypeSpec, part: Callable[[int, int], DataChecker], n: int, spread: Spread
) -> DataChecker:
    """The findings of the dataset's ``n`` parts, run by ``spread`` when n > 1 (all here when the
    parts cannot run apart)."""
    if n == 1:
        return part(0, 1)
    try:
        shares = spread.run(n, lambda k: part(k, n).findings())
    except PartsFailed:
        return part(0, 1)
    checker = DataChecker(spec, stored)
    for found in shares:  # in order: the first index found is the smallest
        checker.merge(found)
    return checker


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


def _detail(expected: str, f: _Finding, what: str) -> str:
    where = "" if f.first is None else f", first at index {list(f.first)}"
    shown = ", ".join(repr(v) for v in f.samples)
    return f"expected {expected}, got {f.count} element(s) {what}: {shown}{where}"


def _violation(path: str, expected: str, f: _Finding, what: str) -> Violation:
    return Violation(
        path=path,
        code=Code.VALUE_CONSTRAINT,
        message=_detail(expected, f, what),
        expected=expected,
        actual={"count": f.count, "examples": f.samples, "first_index": list(f.first or ())},
    )


def batch_problem(spec: DatasetSpec, dtype: DTypeSpec, batch: np.ndarray) -> str | None:
    """The first data-check problem of an in-memory batch (as stored, strings still encoded),
    without the path; None when the batch passes. Materializing and appending both use it."""
    view = dtype.decode(batch)
    checker = DataChecker(spec, dtype)
    checker.feed(view, (0,) * view.ndim)
    found = checker.violations("")
    return found[0].message if found else None
