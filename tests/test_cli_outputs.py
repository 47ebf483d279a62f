"""The command line's report formats, selection flags, directories and check-schema."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import h5py
import pytest

from h5schema._cli.validate import _expand
from tests.helpers import SPEECH_REF, write_tutorial
from tests.test_cli import run


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """A valid file, one with an error and a warning, one with a warning only, one not HDF5."""

    def error_and_warning(f: h5py.File) -> None:
        del f["features_A"].attrs["fs"]
        f.create_group("features_A/extra")

    junk = tmp_path / "junk.h5"
    junk.write_bytes(b"not hdf5")
    return {
        "good": write_tutorial(tmp_path / "good.h5"),
        "bad": write_tutorial(tmp_path / "bad.h5", error_and_warning),
        "warn": write_tutorial(tmp_path / "warn.h5", lambda f: f.create_group("features_A/extra")),
        "junk": junk,
    }


def validate(*paths: Path, fmt: str = "text", extra: tuple[str, ...] = ()) -> tuple[int, str, str]:
    return run("validate", *map(str, paths), "--schema", SPEECH_REF, "--format", fmt, *extra)


def test_junit_has_a_testcase_per_file_and_a_failure_per_error(files: dict[str, Path]) -> None:
    code, out, _ = validate(*files.values(), fmt="junit")
    assert code == 1
    root = ET.fromstring(out.encode())
    suite = root.find("testsuite")
    assert suite is not None and suite.get("tests") == "4" and suite.get("failures") == "2"
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert set(cases) == {str(p) for p in files.values()}
    bad = [f.get("type") for f in cases[str(files["bad"])].iter("failure")]
    assert bad == ["missing_attribute"]  # the warning is not a failure ...
    assert "unexpected_member" in (cases[str(files["bad"])].findtext("system-out") or "")  # ... but shown
    assert [f.get("type") for f in cases[str(files["junk"])].iter("failure")] == ["file_unreadable"]
    assert list(cases[str(files["good"])]) == []


def test_junit_strict_makes_warnings_failures(files: dict[str, Path]) -> None:
    code, out, _ = validate(files["warn"], fmt="junit", extra=("--strict",))
    assert code == 1
    (case,) = ET.fromstring(out.encode()).iter("testcase")
    assert [f.get("type") for f in case.iter("failure")] == ["unexpected_member"]


WORKFLOW_COMMAND = re.compile(r"^::(error|warning) file=[^,:\n]+,title=[^:\n]+::[^\n]+$")


def test_github_workflow_commands(files: dict[str, Path]) -> None:
    code, out, _ = validate(files["good"], files["bad"], fmt="github")
    lines = out.splitlines()
    assert code == 1 and len(lines) == 2
    assert all(WORKFLOW_COMMAND.match(line) for line in lines)
    assert lines[0].startswith(f"::error file={files['bad']},title=missing_attribute at /features_A@fs::")
    assert lines[1].startswith("::warning ")


def test_github_escapes_newlines_and_separators() -> None:
    from h5schema._report.codes import Code
    from h5schema._report.formats import render
    from h5schema._report.report import Report, Violation

    report = Report("a,b:c.h5", "S", (Violation("/x", Code.DTYPE_MISMATCH, "line1\nline2 50%"),))
    (line,) = render("github", [report]).splitlines()
    assert line == "::error file=a%2Cb%3Ac.h5,title=dtype_mismatch at /x::line1%0Aline2 50%25"


def test_strict_fails_on_warnings(files: dict[str, Path]) -> None:
    assert validate(files["warn"])[0] == 0
    code, out, _ = validate(files["warn"], extra=("--strict",))
    assert code == 1 and out.splitlines()[-1] == "1 file, 1 invalid, 0 errors, 1 warning"


def test_select_and_ignore(files: dict[str, Path]) -> None:
    code, out, _ = validate(files["bad"], extra=("--ignore", "missing_attribute"))
    assert code == 0 and "unexpected_member" in out and "missing_attribute" not in out
    code, out, _ = validate(files["bad"], extra=("--select", "missing_attribute,dtype_mismatch"))
    assert code == 1 and "unexpected_member" not in out
    code, _, err = validate(files["bad"], extra=("--select", "no_such_code"))
    assert code == 2 and "unknown code 'no_such_code'" in err


def test_max_violations_limits_what_is_shown_not_the_status(files: dict[str, Path]) -> None:
    code, out, _ = validate(files["bad"], fmt="json", extra=("--max-violations", "1"))
    doc = json.loads(out)
    assert code == 1 and len(doc["files"][0]["violations"]) == 1


def test_directories_are_searched_recursively(tmp_path: Path, files: dict[str, Path]) -> None:
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    write_tutorial(nested / "deep.hdf5")
    write_tutorial(nested / "other.dat")
    (nested / "notes.txt").write_text("not a data file")
    code, out, _ = validate(tmp_path / "a", fmt="json")
    assert code == 0 and [f["file"] for f in json.loads(out)["files"]] == [str(nested / "deep.hdf5")]
    code, out, _ = validate(tmp_path / "a", fmt="json", extra=("--glob", "*.dat"))
    assert [f["file"] for f in json.loads(out)["files"]] == [str(nested / "other.dat")]


def test_check_schema(tmp_path: Path) -> None:
    code, out, _ = run("check-schema", SPEECH_REF)
    assert code == 0 and out.startswith(f"{SPEECH_REF}: ok: schema SpeechFeatures")
    bad = tmp_path / "bad_schema.py"
    bad.write_text(
        "import numpy as np\nimport h5schema as h5s\n\n\nclass Bad(h5s.File):\n"
        "    x: h5s.Dataset = h5s.dataset(np.int8, shape=(4,), maxshape=(2,))\n"
    )
    code, _, err = run("check-schema", f"{bad}:Bad")
    assert code == 2 and "Bad.x" in err and "maxshape" in err and "Traceback" not in err


def test_check_schema_and_formats_as_processes(tmp_path: Path, files: dict[str, Path]) -> None:
    """The installed command, as CI would run it."""
    done = subprocess.run(
        [sys.executable, "-m", "h5schema", "check-schema", SPEECH_REF], capture_output=True, text=True
    )
    assert done.returncode == 0 and "ok" in done.stdout
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "h5schema",
            "validate",
            str(files["bad"]),
            "-s",
            SPEECH_REF,
            "--format",
            "github",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1 and done.stdout.startswith("::error ")


def test_pre_commit_hooks_run_the_command_line(files: dict[str, Path]) -> None:
    """The hooks the repository publishes call commands that exist, on the files they match."""
    import yaml

    from tests.helpers import ROOT

    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"h5schema-validate", "h5schema-check-schema"}
    validate_hook = hooks["h5schema-validate"]
    assert re.search(validate_hook["files"], "data/run_1.h5") and not re.search(
        validate_hook["files"], "a.txt"
    )
    argv = validate_hook["entry"].split()[1:]  # as pre-commit runs it: entry, args, file names
    code, _, _ = run(*argv, "--schema", SPEECH_REF, str(files["good"]), str(files["bad"]))
    assert code == 1
    code, _, _ = run(*hooks["h5schema-check-schema"]["entry"].split()[1:], SPEECH_REF)
    assert code == 0


def test_json_output_follows_the_shipped_json_schema(files: dict[str, Path]) -> None:
    """The JSON report validates against h5schema/report.schema.json, for every kind of file."""
    import importlib.resources

    import jsonschema

    text = importlib.resources.files("h5schema").joinpath("report.schema.json").read_text()
    schema = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(schema)
    from h5schema import Code

    assert schema["$defs"]["violation"]["properties"]["code"]["enum"] == sorted(c.value for c in Code)
    code, out, _ = validate(*files.values(), fmt="json")
    doc = json.loads(out)
    jsonschema.validate(doc, schema)
    assert code == 1 and {v["code"] for f in doc["files"] for v in f["violations"]} >= {"file_unreadable"}
    broken = {**doc, "files": [{**doc["files"][0], "violations": [{"path": "x", "code": "nope"}]}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


class _Terminal:
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_and_never_with_no_color(
    files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from h5schema._report.formats import render, use_color
    from h5schema._report.report import Report

    report = Report(str(files["bad"]), "SpeechFeatures")
    assert "\x1b[" in render("text", [report], color=True)
    assert "\x1b[" not in render("text", [report])
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_color(_Terminal()) and not use_color(object())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_color(_Terminal())
    _, out, err = validate(*files.values())  # not a terminal: plain text, and no progress bar
    assert "\x1b[" not in out and err == ""


def _run_on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run the command with stdout and stderr on a pseudo-terminal; what the terminal showed."""
    import fcntl
    import os
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a real size
    proc = subprocess.Popen(args, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # the terminal closed when the process ended
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_progress_bar_and_colour_on_a_terminal(tmp_path: Path, files: dict[str, Path]) -> None:
    """Many files on a terminal: a progress bar on stderr and coloured text; NO_COLOR drops colour."""
    import os
    import shutil

    many = tmp_path / "many"
    many.mkdir()
    for i in range(60):
        shutil.copy(files["good"], many / f"f{i:02d}.h5")
    args = [sys.executable, "-m", "h5schema", "validate", str(many), "-s", SPEECH_REF]
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    shown = _run_on_a_terminal(args, env)
    assert "60 files, 0 invalid" in shown
    assert "h5schema:   0%" in shown and "0/60" in shown  # the progress bar, on stderr
    assert "\x1b[32mvalid\x1b[0m" in shown
    plain = _run_on_a_terminal(args, {**env, "NO_COLOR": "1"})
    assert "\x1b[32m" not in plain and "60 files, 0 invalid" in plain


def test_show_prints_the_tree_with_violations(tmp_path: Path, files: dict[str, Path]) -> None:
    """show: every node with its header and attributes; with a schema, [ok] or the violations."""
    with h5py.File(files["bad"], "a") as f:
        f["latest"] = h5py.SoftLink("/features_A")
        f["elsewhere"] = h5py.ExternalLink("other.h5", "/x")
    code, out, _ = run("show", str(files["good"]))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "/" and "  features_A/" in lines
    header = "features  float32, shape (3, 40, 200), maxshape (None, 40, 200)"
    assert any(line.strip().startswith(header) for line in lines)
    assert any(line.strip().startswith("@fs = 16000 (int64)") for line in lines)
    code, out, _ = run("show", str(files["bad"]), "--schema", SPEECH_REF)
    assert code == 1
    assert "  features_A/\n" in out  # the group with a violation has no [ok] mark
    assert "[error] missing_attribute: /features_A@fs" in out
    assert "latest -> /features_A  (soft link)" in out and "elsewhere -> other.h5:/x  (external link)" in out
    assert "features_B/  [ok]" in out
    assert out.splitlines()[-1].startswith(f"{files['bad']}: INVALID against SpeechFeatures")


def test_show_unreadable_file_and_process(files: dict[str, Path]) -> None:
    code, out, err = run("show", str(files["junk"]))
    assert code == 1 and "not an HDF5 file" in out and "Traceback" not in out + err
    done = subprocess.run(
        [sys.executable, "-m", "h5schema", "show", str(files["good"]), "-s", SPEECH_REF],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and "[ok]" in done.stdout


def test_internal_error_is_one_line_unless_debug(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], files: dict[str, Path]
) -> None:
    """A bug of ours is one line on stderr and exit 2; --debug shows the traceback instead."""
    from h5schema._cli import app as _cli
    from h5schema._cli import schemas

    def broken(ref: str) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(schemas, "load_schema", broken)
    monkeypatch.delenv("H5SCHEMA_DEBUG", raising=False)
    with pytest.raises(SystemExit) as stop:
        _cli.main(["check-schema", SPEECH_REF])
    err = capsys.readouterr().err
    assert stop.value.code == 2
    assert err.startswith("h5schema: error: internal error: RuntimeError: boom") and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    with pytest.raises(RuntimeError, match="boom"):
        _cli.main(["--debug", "check-schema", SPEECH_REF])


def test_no_files_is_a_usage_error_and_quoted_globs_expand(tmp_path: Path, files: dict[str, Path]) -> None:
    """A run with nothing to validate fails (exit 2) rather than passing; a quoted glob expands."""
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = run("validate", str(empty), "--schema", SPEECH_REF)
    assert code == 2 and "no files to validate" in err
    code, _, err = run("validate", str(empty / "*.h5"), "--schema", SPEECH_REF)
    assert code == 2 and "no files to validate" in err
    pattern = str(files["good"].parent / "**" / "*.h5")
    code, out, _ = run("validate", pattern, "--schema", SPEECH_REF)
    assert code == 1 and out.splitlines()[-1].startswith(
        f"{len(list(files['good'].parent.rglob('*.h5')))} files"
    )


def test_check_schema_takes_several_refs_and_usage_errors_are_one_line(tmp_path: Path) -> None:
    code, out, err = run("check-schema", SPEECH_REF, str(tmp_path / "nope.yaml"), SPEECH_REF)
    assert code == 2 and out.count(": ok: schema SpeechFeatures") == 2 and "nope.yaml" in err
    proc = subprocess.run(
        [sys.executable, "-m", "h5schema", "validate", "x.h5"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        "h5schema: error: Missing option '--schema' / '-s'. (see 'h5schema validate --help')"
    ]


def test_directories_are_searched_as_rglob_would(tmp_path: Path) -> None:
    """One walk for all patterns: nested files in path order, symlinked files kept, symlinked
    directories not entered, broken links and non-matching names skipped, fifos kept."""
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "b.h5").write_bytes(b"")
    (tmp_path / "a-c.h5").write_bytes(b"")
    (tmp_path / "x.nc").write_bytes(b"")
    (tmp_path / "notes.txt").write_bytes(b"")
    (tmp_path / "link.hdf5").symlink_to(tmp_path / "x.nc")
    (tmp_path / "broken.h5").symlink_to(tmp_path / "nowhere")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    os.mkfifo(tmp_path / "pipe.h5")
    globs = ("*.h5", "*.hdf5", "*.nc")
    found = _expand((str(tmp_path),), globs)
    expected = {f for g in globs for f in tmp_path.rglob(g) if f.is_file() or f.is_fifo()}
    assert found == [str(f) for f in sorted(expected)]
    names = [Path(f).relative_to(tmp_path).as_posix() for f in found]
    assert names == ["a/b.h5", "a-c.h5", "link.hdf5", "pipe.h5", "x.nc"]
    deeper = _expand((str(tmp_path),), ("a/*.h5",))  # a pattern with a folder: rglob itself
    assert deeper == [str(tmp_path / "a" / "b.h5")]
