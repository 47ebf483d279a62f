"""The documentation runs: every ```python block of docs/*.md and README.md is executed.

The blocks of one Markdown file run in order, in one shared namespace, inside a fresh temporary
working directory, so a page reads as one session; a traceback points at the Markdown line.
Blocks fenced as ```text, ```console, ```yaml or ```json are shown, not run, with one check: a
```text, ```yaml or ```json block that directly follows a ```python block (only blank lines
between) is that block's output, and must be exactly what it printed, so shown output cannot
drift from the code. Put a sentence between them to show text that is not output.
"""

from __future__ import annotations

import contextlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "docs").glob("*.md")) + [p for p in [ROOT / "README.md"] if p.exists()]

_FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[\w-]*)[ \t]*$")
_OUTPUT_LANGS = ("text", "yaml", "json")
_LINK = re.compile(r"\]\((?P<target>[^)#\s]+)(?:#[^)\s]*)?\)")


@dataclass(frozen=True)
class Block:
    """One fenced block: its language, first content line (1-based) and dedented text."""

    lang: str
    line: int
    text: str


def fenced_blocks(markdown: str) -> list[Block]:
    """Every fenced block of a Markdown text, in order."""
    blocks: list[Block] = []
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if match is None:
            i += 1
            continue
        indent, end = match["indent"], i + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        if end == len(lines):
            raise AssertionError(f"line {i + 1}: unclosed ``` block")
        body = [line[len(indent) :] if line.startswith(indent) else line for line in lines[i + 1 : end]]
        blocks.append(Block(match["lang"], i + 2, "\n".join(body) + "\n"))
        i = end + 1
    return blocks


def _shown_output(markdown: str, blocks: list[Block], k: int) -> Block | None:
    """The output block right after python block ``k`` (only blank lines between), if any."""
    if k + 1 >= len(blocks) or blocks[k + 1].lang not in _OUTPUT_LANGS:
        return None
    lines = markdown.splitlines()
    code_end = blocks[k].line + blocks[k].text.count("\n") - 1  # 0-based index of the closing fence
    between = lines[code_end + 1 : blocks[k + 1].line - 2]
    return blocks[k + 1] if all(not line.strip() for line in between) else None


def _page_id(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


def test_pages_found() -> None:
    """The documentation pages exist, so the parametrized tests below are not vacuous."""
    names = {p.name for p in PAGES}
    assert {"index.md", "concepts.md", "schema.md", "codes.md", "cli.md", "recipes.md"} <= names


@pytest.mark.parametrize("page", PAGES, ids=_page_id)
def test_python_blocks_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every ```python block of the page runs, in order, in one namespace, in a fresh directory."""
    monkeypatch.chdir(tmp_path)
    markdown = page.read_text(encoding="utf-8")
    blocks = fenced_blocks(markdown)
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}", "REPO": ROOT}
    for k, block in enumerate(blocks):
        if block.lang != "python":
            continue
        # Pad with blank lines so a traceback names the Markdown file and line; do not inherit
        # this module's `from __future__ import annotations`: examples run as plain scripts.
        code = compile("\n" * (block.line - 1) + block.text, str(page), "exec", dont_inherit=True)
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(code, namespace)
        shown = _shown_output(markdown, blocks, k)
        if shown is not None:
            where = f"{page.name}:{shown.line}"
            assert printed.getvalue().rstrip() == shown.text.rstrip(), f"output shown at {where} drifted"


@pytest.mark.parametrize("page", PAGES, ids=_page_id)
def test_relative_links_resolve(page: Path) -> None:
    """Every relative link of the page points at a file that exists."""
    text = page.read_text(encoding="utf-8")
    broken = [
        m["target"]
        for m in _LINK.finditer(text)
        if "://" not in m["target"] and not (page.parent / m["target"]).exists()
    ]
    assert broken == []
