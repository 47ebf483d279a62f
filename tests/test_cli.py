"""The command line: exit statuses, text and JSON output, schema references."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import h5py
import pytest
from click.testing import CliRunner

from h5schema._cli.app import cli
from tests.helpers import ROOT, SPEECH_REF, speech_schema, write_tutorial


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return write_tutorial(tmp_path / "good.h5")


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    def mutate(f: h5py.File) -> None:
        del f["features_A"].attrs["fs"]

    return write_tutorial(tmp_path / "bad.h5", mutate)


def test_valid_file_exits_0(good: Path) -> None:
    """A valid file prints 'valid' and a summary line, exit 0."""
    code, out, _ = run("validate", str(good), "--schema", SPEECH_REF)
    assert code == 0
    assert out.splitlines()[-1] == "1 file, 0 invalid, 0 errors, 0 warnings"


def test_invalid_file_exits_1_with_every_violation(good: Path, bad: Path) -> None:
    """Any error in any file gives exit 1; the text names path and code."""
    code, out, _ = run("validate", str(good), str(bad), "--schema", SPEECH_REF)
    assert code == 1
    assert "/features_A@fs" in out and "missing_attribute" in out
    assert out.splitlines()[-1] == "2 files, 1 invalid, 1 error, 0 warnings"


def test_warnings_alone_exit_0(tmp_path: Path) -> None:
    """Warnings (extra members in an open group) do not fail the run."""
    path = write_tutorial(tmp_path / "w.h5", lambda f: f.create_group("features_A/extra"))
    code, out, _ = run("validate", str(path), "--schema", SPEECH_REF)
    assert code == 0 and "unexpected_member" in out


def test_unreadable_file_exits_1(tmp_path: Path) -> None:
    """A non-HDF5 file is a file_unreadable error: exit 1, no traceback."""
    junk = tmp_path / "junk.h5"
    junk.write_bytes(b"\x00" * 100)
    code, out, err = run("validate", str(junk), "--schema", SPEECH_REF)
    assert code == 1 and "file_unreadable" in out and "Traceback" not in out + err


def test_json_document(good: Path, bad: Path) -> None:
    """--format json prints one document with every file and violation record."""
    code, out, _ = run("validate", str(good), str(bad), "--schema", SPEECH_REF, "--format", "json")
    doc = json.loads(out)
    assert code == 1 and doc["valid"] is False
    assert [f["valid"] for f in doc["files"]] == [True, False]
    (v,) = doc["files"][1]["violations"]
    assert set(v) == {"path", "code", "severity", "message", "expected", "actual"}
    assert (v["path"], v["code"], v["severity"], v["expected"], v["actual"]) == (
        "/features_A@fs", "missing_attribute", "error", "int", None,
    )  # fmt: skip
    assert doc["files"][1]["schema"] == "SpeechFeatures"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["validate", "missing.h5", "--schema", SPEECH_REF], "no such file: missing.h5"),
        (["validate", "{good}", "--schema", "nomodule_xyz:Thing"], "cannot import 'nomodule_xyz'"),
        (["validate", "{good}", "--schema", "noref"], "must be 'path/to/file.py:Class'"),
        (["validate", "{good}", "--schema", "nofile.py:X"], "schema file 'nofile.py' does not exist"),
        (
            ["validate", "{good}", "--schema", f"{ROOT / 'schemas' / 'speech_features.py'}:Nope"],
            "has no attribute 'Nope'",
        ),
        (["validate", "{good}", "--schema", "h5schema:Code"], "is not an h5s.File/h5s.Group subclass"),
        (["validate", "{good}", "--schema", "absent.yaml"], "does not exist"),
        (["validate", "{good}"], "Missing option '--schema'"),
        (["validate", "{good}", "--schema", SPEECH_REF, "--format", "xml"], "Invalid value for '--format'"),
    ],
)
def test_usage_errors_exit_2_with_one_line(good: Path, args: list[str], words: str) -> None:
    """Usage errors and bad schema references: exit 2, a one-line message, no traceback."""
    code, out, err = run(*[a.replace("{good}", str(good)) for a in args])
    assert code == 2
    assert words in err
    assert "Traceback" not in out + err


def test_bad_schema_module_exits_2(tmp_path: Path, good: Path) -> None:
    """A schema file that fails at definition time is a usage error naming the field."""
    mod = tmp_path / "bad_schema.py"
    mod.write_text(
        "import numpy as np, h5schema as h5s\n"
        "class S(h5s.File):\n"
        "    d: h5s.Dataset = h5s.dataset(np.int8, shape=(5,), maxshape=(3,))\n"
    )
    code, _, err = run("validate", str(good), "--schema", f"{mod}:S")
    assert code == 2 and "S.d: maxshape (3,) is smaller than shape (5,)" in err
    broken = tmp_path / "broken.py"
    broken.write_text("raise RuntimeError('oops')\n")
    code, _, err = run("validate", str(good), "--schema", f"{broken}:S")
    assert code == 2 and "RuntimeError: oops" in err and len(err.strip().splitlines()) == 1


def test_document_schema_references(tmp_path: Path, good: Path) -> None:
    """.json and .yaml documents validate exactly like the class they were exported from."""
    for fmt in ("json", "yaml"):
        code, out, _ = run("export", SPEECH_REF, "--format", fmt)
        assert code == 0
        doc = tmp_path / f"speech.{fmt}"
        doc.write_text(out)
        code, out, _ = run("validate", str(good), "--schema", str(doc))
        assert code == 0, out
    assert json.loads(run("export", SPEECH_REF, "--format", "json")[1]) == json.loads(
        speech_schema().to_json()
    )


def test_bad_yaml_document_exits_2(tmp_path: Path, good: Path) -> None:
    """A malformed document is a usage error with its location."""
    doc = tmp_path / "s.yaml"
    doc.write_text(
        "root:\n  members:\n    - kind: dataset\n      name: d\n      shape: [5]\n      maxshape: [3]\n"
    )
    code, _, err = run("validate", str(good), "--schema", str(doc))
    assert code == 2 and "maxshape (3,) is smaller than shape (5,)" in err


def _subprocess(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "h5schema", *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_python_m_validate_subprocess(good: Path, bad: Path) -> None:
    """python -m h5schema validate works as a whole process, with the same exit statuses."""
    assert _subprocess("validate", str(good), "--schema", SPEECH_REF).returncode == 0
    proc = _subprocess("validate", str(bad), "--schema", SPEECH_REF, "--format", "json")
    assert proc.returncode == 1 and json.loads(proc.stdout)["valid"] is False
    proc = _subprocess("validate", str(good), "--schema", "nope:X")
    assert (
        proc.returncode == 2 and proc.stderr.startswith("h5schema: error:") and "Traceback" not in proc.stderr
    )


def test_python_m_export_subprocess() -> None:
    """python -m h5schema export prints the YAML document."""
    proc = _subprocess("export", SPEECH_REF)
    assert proc.returncode == 0 and proc.stdout.startswith("format: h5schema/1")


def test_console_script_subprocess(good: Path) -> None:
    """The installed h5schema script runs the same command line."""
    exe = Path(sys.executable).with_name("h5schema")
    if not exe.exists():
        pytest.skip("the package is not installed as a script in this environment")
    proc = subprocess.run(
        [str(exe), "validate", str(good), "-s", SPEECH_REF],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr


def test_console_script_imports_modules_from_the_current_directory(good: Path) -> None:
    """`h5schema validate -s package.module:Class` finds modules in the working directory."""
    exe = Path(sys.executable).with_name("h5schema")
    if not exe.exists():
        pytest.skip("the package is not installed as a script in this environment")
    proc = subprocess.run(
        [str(exe), "validate", str(good), "-s", "schemas.speech_features:SpeechFeatures"],
        capture_output=True, text=True, timeout=120, check=False, cwd=ROOT,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr


def test_relative_schema_references_load_from_the_callers_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader started in one directory loads ``schema.py:S`` from the directory of the run
    that sends it, not from its own: two runs, two schema files of one name, two answers."""
    for name, dtype in (("a", "int32"), ("b", "float64")):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "schema.py").write_text(
            "import numpy as np\nimport h5schema as h5s\n\n\nclass S(h5s.File):\n"
            f"    x: h5s.Dataset = h5s.dataset(np.{dtype}, shape=(2,))\n"
        )
        with h5py.File(folder / "f.h5", "w") as f:
            f["x"] = [1, 2]  # int64: valid under neither schema, each for its own reason
    for name, dtype in (("a", "int32"), ("b", "float64")):
        monkeypatch.chdir(tmp_path / name)
        code, out, _ = run("validate", "f.h5", "--schema", "schema.py:S", "-j", "1", "--format", "json")
        assert code == 1
        (violation,) = json.loads(out)["files"][0]["violations"]
        assert violation["expected"] == dtype, out
