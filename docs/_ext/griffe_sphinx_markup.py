"""A Griffe extension for the API reference: h5schema's docstrings use a little reST (Sphinx
roles, ``::`` literal blocks, ``>>>`` examples, ```text <url>`_`` links); mkdocstrings renders
docstrings as Markdown. Before they are rendered, this rewrites those constructs as Markdown:

- ``:func:`validate``` becomes a link to the documented object when the API reference renders it
  (``h5schema.validate``, ``h5schema.strategies.dtypes``, ``h5schema.Report.only``), else code;
  a leading ``~`` shows the last component only, as in Sphinx;
- a paragraph ending in ``::`` and the indented block after it become a ```` ```python ```` block;
- a run of lines starting with ``>>>`` becomes a ```` ```pycon ```` block;
- ```text <url>`_`` becomes ``[text](url)``.

Loaded by mkdocs.yml (plugins: mkdocstrings: handlers: python: options: extensions).
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

import griffe

_ROLE = re.compile(r":(?:py:)?(?:func|class|meth|attr|mod|data|exc|obj):`(?P<tilde>~?)(?P<target>[^`]+)`")
_REST_LINK = re.compile(r"`(?P<text>[^`<]+?) <(?P<url>[^>]+)>`_")


class SphinxMarkup(griffe.Extension):
    """Rewrite the reST constructs of h5schema's docstrings as Markdown."""

    def __init__(self) -> None:
        super().__init__()
        self._documented: set[str] | None = None

    def on_object(self, *, obj: griffe.Object, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        if obj.docstring is None or not obj.path.startswith("h5schema"):
            return
        documented = self._documented_paths(loader)
        obj.docstring.value = _markdown(obj.docstring.value, _scopes(obj), documented)

    def _documented_paths(self, loader: griffe.GriffeLoader) -> set[str]:
        """The objects the API reference renders, by the path it renders them under."""
        if self._documented is None:
            package = loader.modules_collection["h5schema"]
            found = {"h5schema.testing", "h5schema.testing.assert_valid", "h5schema.strategies"}
            for prefix, module in (("h5schema", package), ("h5schema.strategies", package["strategies"])):
                for name in module.exports or ():
                    found.add(f"{prefix}.{name}")
                    target = module[name]
                    if target.is_class:  # its public members with a docstring get an anchor too
                        found.update(
                            f"{prefix}.{name}.{member}"
                            for member, value in target.members.items()
                            if not member.startswith("_") and not value.is_alias and value.docstring
                        )
            self._documented = found
        return self._documented


def _scopes(obj: griffe.Object) -> list[str]:
    """Where a bare name in ``obj``'s docstring may be documented, innermost first."""
    scopes = ["h5schema.strategies"] if obj.path.startswith("h5schema.strategies") else []
    scopes.append("h5schema")
    owner = obj if obj.is_class else obj.parent if obj.parent is not None and obj.parent.is_class else None
    if owner is not None:  # a method's or attribute's siblings, under the class's public path
        scopes = [f"{scope}.{owner.name}" for scope in scopes] + scopes
    return scopes


def _markdown(text: str, scopes: list[str], documented: set[str]) -> str:
    def role(match: re.Match[str]) -> str:
        target = match["target"]
        shown = target.rsplit(".", 1)[-1] if match["tilde"] else target
        tail = target.removeprefix("h5schema.").removeprefix("strategies.")
        for candidate in [target] + [f"{scope}.{tail}" for scope in scopes]:
            if candidate in documented:
                return f"[`{shown}`][{candidate}]"
        return f"`{shown}`"

    text = _REST_LINK.sub(lambda m: f"[{m['text']}]({m['url']})", text)
    return _ROLE.sub(role, _fence_blocks(text))


def _fence_blocks(text: str) -> str:
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith(">>>"):
            end = i
            while end < len(lines) and lines[end].strip():
                end += 1
            out += ["```pycon", *lines[i:end], "```"]
            i = end
        elif line.rstrip().endswith("::") and i + 1 < len(lines) and not lines[i + 1].strip():
            end = i + 2
            while end < len(lines) and (not lines[end].strip() or lines[end].startswith(" ")):
                end += 1
            block = textwrap.dedent("\n".join(lines[i + 2 : end])).strip("\n")
            head = line.rstrip()[:-2].rstrip()
            out += ([head + ":", ""] if head else []) + ["```python", *block.splitlines(), "```", ""]
            i = end
        else:
            out.append(line)
            i += 1
    return "\n".join(out)
