"""The documentation site builds: ``mkdocs build --strict`` (mkdocs.yml), as CI runs it.

The site is built once for this module; the tests read the pages it generated. Strict mode turns
every warning into a failure: a broken link or anchor between pages, a page missing from the nav,
a docstring mkdocstrings cannot render, a CLI reference mkdocs-click cannot generate.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

import h5schema
from h5schema._cli.app import cli

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site built with ``mkdocs build --strict`` into a temporary directory."""
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}  # mkdocs-material's banner about MkDocs 2.0
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, f"mkdocs build --strict failed:\n{proc.stderr}{proc.stdout}"
    return out


def _text(page: Path) -> str:
    """The page's article, tags stripped and entities decoded."""
    markup = page.read_text(encoding="utf-8")
    article = markup[markup.index("<article") : markup.index("</article>")]
    return html.unescape(re.sub(r"<[^>]+>", "", article))


def test_every_page_is_built(site: Path) -> None:
    """Every Markdown page of docs/ becomes a page of the site (strict mode keeps it in the nav)."""
    pages = sorted(p.stem for p in (ROOT / "docs").glob("*.md"))
    missing = [p for p in pages if not (site / ("" if p == "index" else p) / "index.html").exists()]
    assert pages and missing == []


def test_cli_reference_is_generated_from_the_cli(site: Path) -> None:
    """The CLI reference holds every command and the options of validate, from the click command."""
    text = _text(site / "cli-reference" / "index.html")
    commands = cli.list_commands(click.Context(cli))
    assert commands
    for command in commands:
        assert f"h5schema {command} [OPTIONS]" in text
    assert "--schema REF" in text and "--max-violations N" in text


def test_api_reference_renders_docstrings(site: Path) -> None:
    """The API reference shows signatures and docstring text, with reST roles turned into links."""
    page = site / "api" / "index.html"
    text = _text(page)
    assert "Check a file (a path, or an open h5py.File/h5py.Group) against a schema." in text
    assert "Hypothesis strategies for h5schema" in text
    assert ":class:" not in text and ":func:" not in text
    assert 'href="#h5schema.Limits"' in page.read_text(encoding="utf-8")  # :class:`Limits` in validate()


def test_api_reference_lists_every_public_name() -> None:
    """Every name in ``h5schema.__all__`` has an entry in docs/api.md, and so do the test helpers."""
    api = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    entries = set(re.findall(r"^::: (\S+)$", api, flags=re.MULTILINE))
    expected = {f"h5schema.{name}" for name in h5schema.__all__ if name != "__version__"}
    expected |= {"h5schema.testing", "h5schema.strategies"}  # each rendered with its members
    assert sorted(expected - entries) == [], "add a '::: name' entry to docs/api.md for each"
