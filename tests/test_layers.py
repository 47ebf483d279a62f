"""The layering rule (docs/architecture.md): each package imports only from the layers below it.

The library's private packages are stages of one pipeline, lowest first::

    _errors  |  _typing                  exceptions and type aliases, for every layer
    _types                               dtypes, shapes, strings, coercion, constraints, JSON values
    _schema  |  _report                  the schema document; codes and reports
    _h5                                  the only code that imports h5py
    _validate                            the walk and its checks
    _io  |  _diff  |  _convert           files written and read; schema versions; other forms
    _sandbox                             reading untrusted files in killable child processes
    _api                                 validate, validate_many
    _cli                                 the command line

A module may import its own package and any package on a lower line; packages on one line are
independent of each other. Imports under ``if TYPE_CHECKING:`` name types for annotations only
(``_errors`` names the ``Report`` that ``InvalidFileError`` carries) and run nothing, so they are
exempt. The public modules (``h5schema``, ``h5schema.testing``,
``h5schema.strategies``) sit above all of them. The rule holds for imports inside functions as
well as at module level, and inside functions only the optional or heavy dependencies that
``import h5schema`` must not load are imported (:data:`LAZY`).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "h5schema"

LAYERS: tuple[tuple[str, ...], ...] = (
    ("_errors", "_typing"),
    ("_types",),
    ("_schema", "_report"),
    ("_h5",),
    ("_validate",),
    ("_io", "_diff", "_convert"),
    ("_sandbox",),
    ("_api",),
    ("_cli",),
    ("__init__", "__main__", "testing", "strategies"),
)
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}

# Third-party modules a library function may import when called, so that ``import h5schema``
# (and the readers) never load them: test tooling, and what only some commands need.
LAZY = frozenset({"hypothesis", "yaml", "tqdm", "click"})

# Internal imports a function may make, each with its reason.
LAZY_INTERNAL = {
    # validate, show and infer send the schema reference to the readers, which load it; only
    # when it does not load there is it loaded in the command-line process, to say why (or to
    # find a module the readers cannot see), and only then are pydantic and numpy imported here.
    ("h5schema._cli.common", "h5schema._schema.loader"),
}


@dataclass(frozen=True)
class Import:
    """One import statement: where it is, what it names, and whether it runs inside a function."""

    module: str  # the importing module, dotted
    line: int
    target: str  # the imported module, dotted
    in_function: bool
    type_only: bool = False  # under ``if TYPE_CHECKING:``: names a type, runs nothing


def _package_of(dotted: str) -> str:
    """The first component under ``h5schema`` (``__init__`` for the package itself)."""
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _dotted(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:  # relative: resolve against the importing module's package
        base = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
        prefix = ".".join(base)
        return [f"{prefix}.{node.module}" if node.module else prefix]
    assert node.module is not None
    if node.module == "h5schema":  # from h5schema import _h5: the names are modules
        return [f"h5schema.{alias.name}" for alias in node.names]
    return [node.module]


def imports_of(path: Path) -> list[Import]:
    """Every import statement of one module, with its place (module level or in a function)."""
    module = _dotted(path)
    tree = ast.parse(path.read_text(), str(path))
    inside: set[int] = set()
    typing_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            inside.update(id(sub) for sub in ast.walk(node) if sub is not node)
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            typing_only.update(id(sub) for stmt in node.body for sub in ast.walk(stmt))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            for target in _targets(node, module, path.name == "__init__.py"):
                found.append(Import(module, node.lineno, target, id(node) in inside, id(node) in typing_only))
    return found


def all_imports() -> list[Import]:
    return [imp for path in sorted(PACKAGE.rglob("*.py")) for imp in imports_of(path)]


def layering_offences(imports: list[Import]) -> list[str]:
    """Imports of a package on the same line (another one) or a higher line of :data:`LAYERS`."""
    offences = []
    for imp in imports:
        if imp.type_only or not (imp.target == "h5schema" or imp.target.startswith("h5schema.")):
            continue
        source, target = _package_of(imp.module), _package_of(imp.target)
        if source == target:
            continue
        if RANK[target] >= RANK[source]:
            offences.append(f"{imp.module}:{imp.line} imports {imp.target} ({source} -> {target})")
    return offences


def lazy_offences(imports: list[Import]) -> list[str]:
    """Imports inside functions of anything but the :data:`LAZY` third-party modules."""
    return [
        f"{imp.module}:{imp.line} imports {imp.target} inside a function"
        for imp in imports
        if imp.in_function
        and imp.target.split(".")[0] not in LAZY
        and (imp.module, imp.target) not in LAZY_INTERNAL
    ]


def test_every_package_has_a_layer() -> None:
    """Each module and subpackage directly under h5schema/ appears in LAYERS."""
    names = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir() if p.suffix == ".py" or p.is_dir()}
    names -= {n for n in names if n.startswith("__pycache__")}
    assert names <= set(RANK), names - set(RANK)


def test_imports_follow_the_layers() -> None:
    """No package imports one on its own line or above it."""
    assert layering_offences(all_imports()) == []


def test_only_lazy_dependencies_are_imported_in_functions() -> None:
    """Function-level imports are kept for optional or heavy dependencies only."""
    assert lazy_offences(all_imports()) == []


@pytest.mark.parametrize(
    ("module", "target", "in_function", "offends"),
    [
        ("h5schema._types.dtypes", "h5schema._schema.spec", False, True),  # upward
        ("h5schema._io.plan", "h5schema._diff.changes", False, True),  # sideways
        ("h5schema._validate.walk", "h5schema._sandbox.pool", True, True),  # upward, in a function
        ("h5schema._cli.app", "h5schema._sandbox.pool", False, False),  # downward
        ("h5schema._types.dtypes", "h5schema._types.shapes", False, False),  # own package
        ("h5schema._schema.spec", "numpy", False, False),  # third party
    ],
)
def test_the_rule_catches_forbidden_imports(
    module: str, target: str, in_function: bool, offends: bool
) -> None:
    """The check itself: an added upward or sideways import is an offence, a downward one is not."""
    assert bool(layering_offences([Import(module, 1, target, in_function)])) is offends


def test_the_lazy_rule_catches_internal_imports_in_functions() -> None:
    """An internal import moved into a function is an offence; a lazy yaml import is not."""
    assert lazy_offences([Import("h5schema._cli.app", 1, "h5schema._sandbox", True)])
    assert not lazy_offences([Import("h5schema._schema.spec", 1, "yaml", True)])
