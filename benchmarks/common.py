"""Shared pieces of the benchmark harness: settings, side-by-side timing, table rows.

Every timed case is run ``repeat`` times (3 by default) after one untimed warm-up call, with the
cases interleaved (baseline, h5schema, baseline, h5schema, ...) so that both see the same machine
state, and the median is kept. Files are read once through the OS before the warm-up, so both
sides start from a warm page cache.
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MB = 1e6  # throughputs are in decimal megabytes per second


@dataclass(frozen=True)
class Settings:
    """How big and how often: ``size`` is "tiny" (smoke test), "quick" or "full"."""

    tmp: Path
    size: str = "full"
    repeat: int = 3
    warmup: bool = True

    def pick(self, tiny: Any, quick: Any, full: Any) -> Any:
        """The value for this size."""
        return {"tiny": tiny, "quick": quick, "full": full}[self.size]


@dataclass(frozen=True)
class Target:
    """A target on a ratio: ``ratio <op> value``, op "<=", "<" or ">="."""

    op: str
    value: float

    def met(self, ratio: float) -> bool:
        if self.op == "<":
            return ratio < self.value
        return ratio <= self.value if self.op == "<=" else ratio >= self.value

    def __str__(self) -> str:
        return f"{self.op} {self.value:g}"

    def miss(self, ratio: float) -> str:
        """How far a ratio is from the target, as a factor."""
        factor = ratio / self.value if self.op != ">=" else self.value / ratio if ratio else float("inf")
        return f"{factor:.2f}x off"


@dataclass
class Row:
    """One line of the results table."""

    workload: str
    what: str
    baseline: str
    h5schema: str
    ratio: float | None = None
    ratio_means: str = ""
    target: Target | None = None
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def met(self) -> bool | None:
        if self.target is None or self.ratio is None:
            return None
        return self.target.met(self.ratio)

    def met_text(self) -> str:
        if self.met is None:
            return "n/a"
        assert self.target is not None and self.ratio is not None
        return "yes" if self.met else f"**no** ({self.target.miss(self.ratio)})"


def log(message: str) -> None:
    """Progress on stderr, so that stdout holds only the table."""
    print(message, file=sys.stderr, flush=True)


def warm_cache(*paths: Path) -> None:
    """Read files through the OS page cache (the same warm-up for every tool)."""
    for path in paths:
        with open(path, "rb") as f:
            while f.read(16 << 20):
                pass


def measure(
    cases: Mapping[str, Callable[[], object]],
    repeat: int,
    *,
    setup: Callable[[], None] | None = None,
    warmup: bool = True,
) -> dict[str, float]:
    """Median wall-clock seconds of each case, the cases interleaved round by round."""
    times: dict[str, list[float]] = {name: [] for name in cases}
    rounds = [False] * (1 if warmup else 0) + [True] * repeat
    for timed in rounds:
        for name, fn in cases.items():
            if setup is not None:
                setup()
            gc.collect()
            start = time.perf_counter()
            fn()
            elapsed = time.perf_counter() - start
            if timed:
                times[name].append(elapsed)
    return {name: statistics.median(ts) for name, ts in times.items()}


def size_text(nbytes: float) -> str:
    return f"{nbytes / 1e9:.2f} GB" if nbytes >= 1e9 else f"{nbytes / 1e6:.0f} MB"


def seconds(t: float) -> str:
    return f"{t:.3f} s" if t >= 0.01 else f"{t * 1000:.2f} ms"


def remove(*paths: Path) -> None:
    for path in paths:
        if path.exists():
            os.remove(path)


def markdown_table(rows: Iterable[Row]) -> str:
    """The results as a markdown table (readable in a terminal too)."""
    head = ["workload", "baseline", "h5schema", "ratio", "target", "met"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        ratio = (
            ""
            if r.ratio is None
            else f"{r.ratio:.2f} ({r.ratio_means})"
            if r.ratio_means
            else f"{r.ratio:.2f}"
        )
        cells = [
            f"{r.workload}: {r.what}",
            r.baseline,
            r.h5schema,
            ratio,
            str(r.target or "context"),
            r.met_text(),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
