"""What the Code enum carries agrees with everything that lists codes: the defect makers, the
codes page of the documentation and the JSON Schema of the JSON report."""

from __future__ import annotations

import importlib.resources
import json
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import h5schema as h5s
import h5schema.strategies  # importing it registers the makers
from h5schema.strategies._defects import MAKERS, makes

ROOT = Path(__file__).resolve().parent.parent
CODES_PAGE = ROOT / "docs" / "codes.md"
_ROW = re.compile(r"^\| \[`(?P<slug>[^`]+)`\]\(#(?P<anchor>[^)]+)\) \| (?P<cells>.*) \|$")


def test_every_code_a_defect_makes_has_exactly_one_maker() -> None:
    """The codes marked ``defect`` are exactly the codes with a registered maker, one each."""
    assert set(MAKERS) == {c for c in h5s.Code if c.defect}
    with pytest.raises(ValueError, match="dtype_mismatch has two defect makers"):
        makes(h5s.Code.DTYPE_MISMATCH)(lambda f, node: [])
    with pytest.raises(ValueError, match="file_unreadable is not marked"):
        makes(h5s.Code.FILE_UNREADABLE)(lambda f, node: [])
    assert MAKERS[h5s.Code.DTYPE_MISMATCH].__name__ == "_dtype_mismatches"  # the refused ones left no trace
    assert h5s.Code.FILE_UNREADABLE not in MAKERS


def test_codes_sit_at_the_bottom_of_the_imports() -> None:
    """h5schema._report.codes imports no other h5schema module (its packages aside), and neither
    hypothesis nor the strategies."""
    code = (
        "import sys, h5schema._report.codes; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('h5schema', 'hypothesis')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['h5schema', 'h5schema._report', 'h5schema._report.codes']"


def _listing_problems(what: str, shown: list[str], slugs: list[str]) -> list[str]:
    """What is wrong with a listing of the codes (``shown``) that should be ``slugs``, in order."""
    missing, extra = [s for s in slugs if s not in shown], [s for s in shown if s not in slugs]
    problems = [f"no {what} for {missing}"] if missing else []
    problems += [f"{what}s for no code: {extra}"] if extra else []
    if not problems and shown != slugs:
        problems.append(f"{what}s out of the enum's order: {shown}")
    return problems


def page_problems(codes: Iterable[Any], page: str) -> list[str]:
    """How the codes page disagrees with ``codes``: its table (one row per code, in order, with the
    code's summary, severity and category) and its sections (one ``## `slug``` per code, in order)."""
    codes = list(codes)
    slugs = [c.value for c in codes]
    rows = {m["slug"]: m for m in map(_ROW.match, page.splitlines()) if m is not None}
    problems = _listing_problems("table row", list(rows), slugs)
    for code in codes:
        row = rows.get(code.value)
        if row is None:
            continue
        summary, severity, category = row["cells"].split(" | ")
        shown = (row["anchor"], summary, severity.split(";")[0], category)
        facts = (code.value, code.summary, code.severity.value, code.category.value)
        if shown != facts:
            problems.append(f"{code.value}: the table shows {shown}, the enum has {facts}")
        if code.severity is h5s.Severity.WARNING and "error" not in severity:
            problems.append(f"{code.value}: a warning, and an error where closed: say so ({severity!r})")
    sections = re.findall(r"^## `([^`]+)`$", page, flags=re.MULTILINE)
    return problems + _listing_problems("section", sections, slugs)


def test_codes_page_shows_every_code_as_the_enum_has_it() -> None:
    """docs/codes.md has a table row and a section for each code, with its summary, severity and
    category, and names every category."""
    page = CODES_PAGE.read_text(encoding="utf-8")
    assert page_problems(h5s.Code, page) == []
    assert [c.value for c in h5s.Category if f"`{c.value}`" not in page] == []


def test_codes_page_check_refuses_an_undocumented_code() -> None:
    """The page check catches a code without a row or section, facts shown wrong, and disorder."""

    def code(slug: str, severity: h5s.Severity, category: h5s.Category) -> SimpleNamespace:
        return SimpleNamespace(value=slug, summary=f"{slug} found", severity=severity, category=category)

    a = code("a_code", h5s.Severity.WARNING, h5s.Category.DATA)
    b = code("b_code", h5s.Severity.ERROR, h5s.Category.LAYOUT)
    rows = [
        "| [`a_code`](#a_code) | a_code found | warning; error where closed | data |",
        "| [`b_code`](#b_code) | b_code found | error | layout |",
    ]
    page = "\n".join([*rows, "", "## `a_code`", "", "## `b_code`", ""])
    assert page_problems([a, b], page) == []
    c = code("c_code", h5s.Severity.ERROR, h5s.Category.LIMIT)
    assert page_problems([a, b, c], page) == ["no table row for ['c_code']", "no section for ['c_code']"]
    assert page_problems([a], page) == [
        "table rows for no code: ['b_code']",
        "sections for no code: ['b_code']",
    ]
    assert page_problems([b, a], page) == [
        "table rows out of the enum's order: ['a_code', 'b_code']",
        "sections out of the enum's order: ['a_code', 'b_code']",
    ]
    wrong = page.replace("| error | layout |", "| warning | data |").replace("; error where closed", "")
    assert page_problems([a, b], wrong) == [
        "a_code: a warning, and an error where closed: say so ('warning')",
        "b_code: the table shows ('b_code', 'b_code found', 'warning', 'data'), "
        "the enum has ('b_code', 'b_code found', 'error', 'layout')",
    ]


def test_report_schema_lists_every_code_and_severity() -> None:
    """report.schema.json enumerates exactly the codes' and severities' values."""
    text = importlib.resources.files("h5schema").joinpath("report.schema.json").read_text()
    violation = json.loads(text)["$defs"]["violation"]["properties"]
    assert violation["code"]["enum"] == sorted(c.value for c in h5s.Code)
    assert violation["severity"]["enum"] == sorted(s.value for s in h5s.Severity)
