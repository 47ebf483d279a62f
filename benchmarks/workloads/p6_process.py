"""P6: ``h5schema validate`` on one small file as a whole process, and ``import h5schema``.

The file is the tutorial layout (``schemas/speech_features.py``), two feature groups of 4 rows,
built by h5schema. The command is the installed ``h5schema`` console script (or ``python -m
h5schema`` when it is not installed), run as a subprocess; wall clock from spawn to exit, median
of 5 after a warm-up. For context: the same interpreter doing nothing (``python -c pass``) and
importing h5py. ``import h5schema`` is measured with ``python -X importtime``: the cumulative
time of the top-level ``h5schema`` import, median of 3, and the largest imports it pulls in.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np

import h5schema as h5s
from benchmarks.common import ROOT, Row, Settings, Target, log, measure, remove, seconds

SCHEMA_REF = f"{ROOT / 'schemas' / 'speech_features.py'}:SpeechFeatures"
_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def build(path: Path) -> Path:
    schema = h5s.load_schema(SCHEMA_REF)
    values = {
        f"features_{k}": {
            "@fs": 16000,
            "@win_dur": 0.025,
            "@hop_dur": 0.01,
            "features": np.zeros((4, 40, 200), np.float32),
            "gender": ["m", "f", "f", "m"],
        }
        for k in "AB"
    }
    h5s.materialize(path, schema, values=values)
    return path


def cli() -> list[str]:
    script = Path(sys.executable).with_name("h5schema")
    return [str(script)] if script.exists() else [sys.executable, "-m", "h5schema"]


def run_cli(path: Path) -> None:
    proc = subprocess.run(
        [*cli(), "validate", str(path), "--schema", SCHEMA_REF], capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise RuntimeError(f"h5schema validate exited {proc.returncode}: {proc.stdout}{proc.stderr}")


def run_python(code: str) -> None:
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def import_times() -> tuple[float, list[tuple[str, float]]]:
    """Seconds to import h5schema, and what weighs most in it (packages cumulative, own modules)."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import h5schema"],
        capture_output=True,
        text=True,
        check=True,
    )
    # (self seconds, cumulative seconds, depth, module) in the order the imports finished
    lines = [
        (int(m.group(1)) / 1e6, int(m.group(2)) / 1e6, len(m.group(3)), m.group(4))
        for m in map(_LINE.match, proc.stderr.splitlines())
        if m
    ]
    end = next(i for i, line in enumerate(lines) if line[3] == "h5schema" and line[2] == 1)
    start = end
    while start > 0 and lines[start - 1][2] > 1:  # back to the start of h5schema's import subtree
        start -= 1
    subtree = lines[start : end + 1]
    weights = {
        "h5schema's own modules (self)": sum(
            own for own, _, _, name in subtree if name.startswith("h5schema")
        )
    }
    for _, cumulative, _, name in subtree:
        if "." not in name and not name.startswith(("_", "h5schema")):
            weights[name] = max(weights.get(name, 0.0), cumulative)
    return lines[end][1], sorted(weights.items(), key=lambda kv: -kv[1])[:6]


_OPTIONAL = ("yaml", "click", "hypothesis", "pandas", "scipy")


def eager_optional() -> list[str]:
    """Which modules only some features need are loaded by a bare ``import h5schema``."""
    code = f"import sys, h5schema; print(' '.join(m for m in {_OPTIONAL!r} if m in sys.modules))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return proc.stdout.split()


def run(s: Settings) -> list[Row]:
    path = build(s.tmp / "p6.h5")
    runs = max(s.repeat, 5) if s.size != "tiny" else 1
    log(f"P6: {' '.join(cli())} validate (median of {runs})")
    t = measure(
        {
            "python -c pass": lambda: run_python("pass"),
            "import h5py": lambda: run_python("import h5py"),
            "h5schema validate": lambda: run_cli(path),
        },
        runs,
        warmup=s.warmup,
    )
    remove(path)
    samples = [import_times() for _ in range(max(1, s.repeat))]
    total = statistics.median(x[0] for x in samples)
    heavy = ", ".join(f"{name} {sec * 1e3:.0f} ms" for name, sec in samples[-1][1])
    return [
        Row(
            "P6",
            "`h5schema validate` one small file, whole process",
            f"python -c pass {seconds(t['python -c pass'])}; import h5py {seconds(t['import h5py'])}",
            seconds(t["h5schema validate"]),
            t["h5schema validate"],
            "seconds",
            Target("<", 0.5),
            details={"seconds": t},
        ),
        Row(
            "P6",
            "`import h5schema` (-X importtime, cumulative)",
            "-",
            seconds(total),
            note=f"largest imports under `import h5schema`: {heavy}; of {', '.join(_OPTIONAL)}, "
            f"loaded by it: {', '.join(eager_optional()) or 'none'}",
            details={"import_seconds": total},
        ),
    ]
