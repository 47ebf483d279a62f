"""The public API: what `import h5schema` exposes, and what it must not import."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import h5schema as h5s

ROOT = Path(__file__).resolve().parent.parent


def test_all_is_sorted_complete_and_public() -> None:
    """__all__ is sorted, every name exists, and none comes from an underscored path by name."""
    assert list(h5s.__all__) == sorted(h5s.__all__)
    for name in h5s.__all__:
        assert hasattr(h5s, name), name
        assert not name.startswith("_") or name == "__version__"
    # submodules (h5schema.strategies, once imported) are attributes too, but not API names
    public = {n for n, v in vars(h5s).items() if not n.startswith("_") and not isinstance(v, ModuleType)}
    private_modules = {n for n in public if n.startswith("_")}
    assert not private_modules
    assert public - set(h5s.__all__) <= {"annotations"}, public - set(h5s.__all__)


def test_import_pulls_in_no_test_dependency() -> None:
    """`import h5schema` imports neither hypothesis nor pytest nor click."""
    code = (
        "import sys, h5schema; "
        "print(sorted(m for m in ('hypothesis', 'pytest', 'click') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_only_one_module_imports_h5py() -> None:
    """h5py is behind the internal _h5 package: no other library module imports it."""
    package = ROOT / "h5schema"
    allowed = {
        package / "_h5",
        package / "strategies" / "_defects.py",  # test tooling: defects are made below h5schema, with h5py
    }
    offenders = []
    for path in sorted(package.glob("**/*.py")):
        if allowed & {path, *path.parents}:
            continue
        if re.search(r"^\s*(import h5py|from h5py)", path.read_text(), re.MULTILINE):
            offenders.append(str(path.relative_to(package)))
    assert offenders == []


def test_version_matches_pyproject() -> None:
    """The package version is the one in pyproject.toml."""
    text = (ROOT / "pyproject.toml").read_text()
    assert f'version = "{h5s.__version__}"' in text


def test_ci_runs_exactly_the_readme_test_command() -> None:
    """.ci/run's test command is, to the character, the one the README gives."""
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert ci.startswith("python3 -m venv .venv")
    assert f"\n{ci}\n" in (ROOT / "README.md").read_text()


def _source_docstring_follows(module: ModuleType, name: str) -> bool:
    """Whether ``name = ...`` at the top of ``module`` is followed by a string (an alias's
    docstring, as documentation tools read it)."""
    import ast
    import inspect

    body = ast.parse(inspect.getsource(module)).body
    for stmt, after in itertools.pairwise(body):
        targets = [stmt.target] if isinstance(stmt, ast.AnnAssign) else getattr(stmt, "targets", [])
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
    return False


def test_every_public_name_has_a_docstring() -> None:
    """Each name of h5s.__all__ is documented: classes and functions by their own docstring,
    type aliases by the string that follows their definition."""
    import importlib
    import inspect

    undocumented = []
    for name in h5s.__all__:
        if name == "__version__":
            continue
        value = getattr(h5s, name)
        if inspect.isclass(value):  # its own, not one inherited from a base class
            documented = bool((vars(value).get("__doc__") or "").strip())
        elif inspect.isfunction(value):
            documented = bool((value.__doc__ or "").strip())
        else:
            documented = _source_docstring_follows(importlib.import_module(h5s._EXPORTS[name]), name)
        if not documented:
            undocumented.append(name)
    assert undocumented == []
