"""Rendering reports for the command line: text, JSON, JUnit XML and GitHub workflow commands.

Each renderer takes the reports of one run (in the order the files were given) and returns the
whole output as one string; nothing here reads files or decides the exit status.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from typing import Any

from h5schema._report.codes import Severity
from h5schema._report.report import Report, Violation, plural

__all__ = ["FORMATS", "colored", "passed", "render", "summary_line", "use_color"]


def summary_line(reports: Sequence[Report], *, strict: bool = False) -> str:
    """ "3 files, 2 invalid, 5 errors, 1 warning"."""
    n_err = sum(len(r.errors) for r in reports)
    n_warn = sum(len(r.warnings) for r in reports)
    invalid = sum(not passed(r, strict) for r in reports)
    return (
        f"{plural(len(reports), 'file')}, {invalid} invalid, "
        f"{plural(n_err, 'error')}, {plural(n_warn, 'warning')}"
    )


def passed(report: Report, strict: bool) -> bool:
    """Valid, and with ``strict`` also free of warnings."""
    return report.valid and not (strict and report.warnings)


def use_color(stream: Any) -> bool:
    """Colour only on a terminal, and never when ``NO_COLOR`` is set (https://no-color.org)."""
    return not os.environ.get("NO_COLOR") and bool(getattr(stream, "isatty", lambda: False)())


_STYLES = {
    "[error]": "\x1b[31m[error]\x1b[0m",
    "[warning]": "\x1b[33m[warning]\x1b[0m",
    ": INVALID against": ": \x1b[1;31mINVALID\x1b[0m against",
    ": valid against": ": \x1b[32mvalid\x1b[0m against",
}


def colored(text: str, styles: dict[str, str] = _STYLES) -> str:
    """``text`` with each phrase of ``styles`` (a report's, by default) in its terminal colours."""
    for plain, styled in styles.items():
        text = text.replace(plain, styled)
    return text


def _text(reports: Sequence[Report], strict: bool) -> str:
    """Each report as ``str(report)``, then the totals line."""
    return "\n".join([*(str(r) for r in reports), summary_line(reports, strict=strict)])


def _json(reports: Sequence[Report], strict: bool) -> str:
    doc: dict[str, Any] = {
        "valid": all(passed(r, strict) for r in reports),
        "files": [r.to_dict() for r in reports],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)


def _located(v: Violation) -> str:
    """The violation's message after its path, for formats that show it outside a report."""
    return f"{v.path}: {v.message}"


def _junit(reports: Sequence[Report], strict: bool) -> str:
    """One testcase per file, one failure per violation that fails it (warnings too if strict)."""
    suites = ET.Element("testsuites", name="h5schema")
    suite = ET.SubElement(suites, "testsuite", name="h5schema validate", tests=str(len(reports)))
    failures = 0
    for r in reports:
        case = ET.SubElement(suite, "testcase", classname=r.schema, name=r.file)
        failing = [v for v in r if v.severity is Severity.ERROR or strict]
        for v in failing:
            failure = ET.SubElement(case, "failure", type=v.code.value, message=_located(v))
            failure.text = json.dumps(v.to_dict(), ensure_ascii=False)
        others = [v for v in r if v not in failing]
        if others:
            lines = (f"[{v.severity.value}] {v.code.value}: {_located(v)}" for v in others)
            ET.SubElement(case, "system-out").text = "\n".join(lines)
        failures += bool(failing)
    suite.set("failures", str(failures))
    suites.set("tests", str(len(reports)))
    suites.set("failures", str(failures))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suites, encoding="unicode")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _github(reports: Sequence[Report], strict: bool) -> str:
    """GitHub Actions workflow commands: ``::error file=F,title=CODE::message`` per violation."""
    lines = []
    for r in reports:
        for v in r:
            level = "error" if v.severity is Severity.ERROR else "warning"
            props = f"file={_escape_property(r.file)},title={_escape_property(f'{v.code.value} at {v.path}')}"
            lines.append(f"::{level} {props}::{_escape_data(v.message)}")
    return "\n".join(lines)


Renderer = Callable[[Sequence[Report], bool], str]
_RENDERERS: dict[str, Renderer] = {"text": _text, "json": _json, "junit": _junit, "github": _github}
FORMATS = tuple(_RENDERERS)  # the choices of --format


def render(fmt: str, reports: Sequence[Report], *, strict: bool = False, color: bool = False) -> str:
    """The whole output of one run in format ``fmt``; ``color`` styles the text format only."""
    text = _RENDERERS[fmt](reports, strict)
    return colored(text) if color and fmt == "text" else text
