"""Resolving a schema reference: ``path/to/file.py:Class``, ``package.module:Class``, or a
``.json``/``.yaml`` schema document."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import sys
from pathlib import Path

from h5schema._errors import SchemaDefinitionError, SchemaLoadError
from h5schema._schema.model import Group, as_schema
from h5schema._schema.spec import SchemaSpec

__all__ = ["load_schema"]

_DOC_SUFFIXES = (".json", ".yaml", ".yml")


def load_schema(ref: str) -> SchemaSpec:
    """Load the schema a reference names. Raises SchemaLoadError (or SchemaDefinitionError for a
    schema that loads but is malformed) with a one-line reason."""
    if ref.lower().endswith(_DOC_SUFFIXES):
        path = Path(ref)
        if not path.is_file():
            raise SchemaLoadError(f"schema document {ref!r} does not exist")
        try:
            return SchemaSpec.load(path)
        except SchemaDefinitionError as exc:
            raise SchemaDefinitionError(f"{ref}: {exc.location}", exc.problem) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise SchemaLoadError(f"cannot read schema document {ref!r}: {exc}") from None
    target, sep, attr = ref.rpartition(":")
    if not sep or not target or not attr:
        raise SchemaLoadError(
            f"schema reference {ref!r} must be 'path/to/file.py:Class', 'package.module:Class' "
            "or a .json/.yaml document"
        )
    module = _load_file(target) if target.endswith(".py") else _import(target)
    try:
        obj = getattr(module, attr)
    except AttributeError:
        raise SchemaLoadError(f"{target} has no attribute {attr!r}") from None
    if not (isinstance(obj, SchemaSpec) or (isinstance(obj, type) and issubclass(obj, Group))):
        raise SchemaLoadError(f"{ref} is not an h5s.File/h5s.Group subclass or a SchemaSpec")
    return as_schema(obj)


def _import(name: str) -> object:
    # Like `python -m` and pytest: a module in the current directory is importable.
    if "" not in sys.path and str(Path.cwd()) not in sys.path:
        sys.path.insert(0, str(Path.cwd()))
    try:
        return importlib.import_module(name)
    except SchemaDefinitionError:
        raise
    except ImportError as exc:
        raise SchemaLoadError(f"cannot import {name!r}: {exc}") from None


def _load_file(filename: str) -> object:
    path = Path(filename)
    if not path.is_file():
        raise SchemaLoadError(f"schema file {filename!r} does not exist")
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:12]
    mod_name = f"_h5schema_user_{path.stem}_{digest}"
    if mod_name in sys.modules:
        return sys.modules[mod_name]
    spec = importlib.util.spec_from_file_location(mod_name, path)
    if spec is None or spec.loader is None:
        raise SchemaLoadError(f"cannot load {filename!r} as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[mod_name] = module
    try:
        spec.loader.exec_module(module)
    except SchemaDefinitionError:
        del sys.modules[mod_name]
        raise
    except Exception as exc:
        del sys.modules[mod_name]
        raise SchemaLoadError(f"error while running {filename}: {type(exc).__name__}: {exc}") from None
    return module
