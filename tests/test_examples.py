"""The README's main job and the ready schemas, end to end."""

from __future__ import annotations

import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np

import h5schema as h5s
from tests.helpers import ROOT, SPEECH_REF


def test_example_script_output_validates_through_the_cli(tmp_path: Path) -> None:
    """examples/make_speech_example.py writes a file that `h5schema validate` accepts."""
    out = tmp_path / "speech.h5"
    script = ROOT / "examples" / "make_speech_example.py"
    subprocess.run([sys.executable, str(script), str(out)], check=True, capture_output=True, timeout=120)
    proc = subprocess.run(
        [sys.executable, "-m", "h5schema", "validate", str(out), "--schema", SPEECH_REF],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "valid against SpeechFeatures" in proc.stdout
    with h5s.open(out, h5s.load_schema(SPEECH_REF)) as r:
        assert r["features_A/features"].shape == (6, 40, 200)
        assert r["features_B/gender"][:].tolist() == ["f", "m", "f", "m"]


def test_speech_schema_create_append_validate(tmp_path: Path) -> None:
    """The ready speech schema, from its class: materialize, append to two groups, validate."""
    module = h5s.load_schema(SPEECH_REF)
    ns = runpy.run_path(str(ROOT / "schemas" / "speech_features.py"))
    speech, feature_set = ns["SpeechFeatures"], ns["FeatureSet"]
    values = speech(  # type: ignore[operator]
        sets={n: feature_set(fs=16000, win_dur=0.025, hop_dur=0.01) for n in ("features_A", "features_B")}  # type: ignore[operator]
    )
    path = tmp_path / "s.h5"
    with h5s.create(path, values) as f:
        for name, rows in (("features_A", 70), ("features_B", 3)):
            for i in range(rows):
                f.group(name).append_row(features=np.full((40, 200), i, np.float32), gender="mf"[i % 2])
    report = h5s.validate(path, module)
    assert report.violations == ()
    with h5s.open(path, module) as r:
        assert r["features_A/features"][69, 0, 0] == 69
        assert len(r["features_A/gender"]) == 70


def test_schema_module_with_future_annotations(tmp_path: Path) -> None:
    """A schema module using `from __future__ import annotations` loads and validates."""
    mod = tmp_path / "future_schema.py"
    mod.write_text(
        "from __future__ import annotations\n"
        "import numpy as np\n"
        "import h5schema as h5s\n"
        "class Inner(h5s.Group):\n"
        "    x: int = h5s.attribute(gt=0)\n"
        "    d: h5s.Dataset = h5s.dataset(np.int8, shape=(2,))\n"
        "class Root(h5s.File):\n"
        "    inner: Inner = h5s.group()\n"
        "    maybe: Inner | None = None\n"
    )
    spec = h5s.load_schema(f"{mod}:Root")
    assert [m.name for m in spec.root.members] == ["inner", "maybe"]
    assert spec.root.members[1].required is False
    path = h5s.materialize(tmp_path / "f.h5", spec, values={"inner": {"@x": 1}})
    assert h5s.validate(path, spec).violations == ()
