"""h5schema: declare an HDF5 layout once, as pydantic classes; create, append and validate.

>>> import numpy as np, h5schema as h5s
>>> class Table(h5s.File):
...     rows: h5s.Dataset = h5s.dataset(np.int32, shape=("n",), maxshape=(None,))
>>> Table.to_spec().root.members[0].name
'rows'
"""

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing: the script starts faster

__version__ = "0.1.0"

# Public names, each from the internal module that defines it. They are imported on first use
# (PEP 562), so ``import h5schema`` stays cheap and the command line loads only what it needs.
_EXPORTS: dict[str, str] = {
    "ArrayDType": "h5schema._dtypes",
    "AttributeSpec": "h5schema._spec",
    "Casting": "h5schema._coerce",
    "Category": "h5schema._codes",
    "Code": "h5schema._codes",
    "CompoundDType": "h5schema._dtypes",
    "CompoundField": "h5schema._dtypes",
    "DTypeSpec": "h5schema._dtypes",
    "Dataset": "h5schema._model",
    "DatasetReader": "h5schema._readers",
    "DatasetSpec": "h5schema._spec",
    "DatasetWriter": "h5schema._dataset_writer",
    "DimSpec": "h5schema._shapes",
    "EnumDType": "h5schema._dtypes",
    "FamilyDType": "h5schema._dtypes",
    "File": "h5schema._model",
    "FileReader": "h5schema._readers",
    "FileWriter": "h5schema._writers",
    "FlushPolicy": "h5schema._flush",
    "Group": "h5schema._model",
    "GroupReader": "h5schema._readers",
    "GroupSpec": "h5schema._spec",
    "GroupWriter": "h5schema._writers",
    "H5SchemaError": "h5schema._errors",
    "InvalidFileError": "h5schema._errors",
    "Limits": "h5schema._limits",
    "MaterializeError": "h5schema._errors",
    "NumericDType": "h5schema._dtypes",
    "PatternSpec": "h5schema._spec",
    "Report": "h5schema._report",
    "SchemaChange": "h5schema._diff",
    "SchemaDefinitionError": "h5schema._errors",
    "SchemaDiff": "h5schema._diff",
    "SchemaLoadError": "h5schema._errors",
    "SchemaSpec": "h5schema._spec",
    "Severity": "h5schema._codes",
    "StringDType": "h5schema._dtypes",
    "TargetExistsError": "h5schema._errors",
    "Violation": "h5schema._report",
    "WriteError": "h5schema._errors",
    "as_schema": "h5schema._model",
    "attribute": "h5schema._declare",
    "create": "h5schema._writers",
    "dataset": "h5schema._declare",
    "diff": "h5schema._diff",
    "dim": "h5schema._shapes",
    "enum": "h5schema._dtypes",
    "family": "h5schema._dtypes",
    "group": "h5schema._declare",
    "load_schema": "h5schema._loader",
    "materialize": "h5schema._materialize",
    "members": "h5schema._declare",
    "open": "h5schema._readers",
    "open_writer": "h5schema._writers",
    "string": "h5schema._dtypes",
    "validate": "h5schema._check",
    "validate_many": "h5schema._check",
}

if TYPE_CHECKING:
    from typing import Any as _Any

    from h5schema._check import validate, validate_many
    from h5schema._codes import Category, Code, Severity
    from h5schema._coerce import Casting
    from h5schema._dataset_writer import DatasetWriter
    from h5schema._declare import attribute, dataset, group, members
    from h5schema._diff import SchemaChange, SchemaDiff, diff
    from h5schema._dtypes import (
        ArrayDType,
        CompoundDType,
        CompoundField,
        DTypeSpec,
        EnumDType,
        FamilyDType,
        NumericDType,
        StringDType,
        enum,
        family,
        string,
    )
    from h5schema._errors import (
        H5SchemaError,
        InvalidFileError,
        MaterializeError,
        SchemaDefinitionError,
        SchemaLoadError,
        TargetExistsError,
        WriteError,
    )
    from h5schema._flush import FlushPolicy
    from h5schema._limits import Limits
    from h5schema._loader import load_schema
    from h5schema._materialize import materialize
    from h5schema._model import Dataset, File, Group, as_schema
    from h5schema._readers import DatasetReader, FileReader, GroupReader, open
    from h5schema._report import Report, Violation
    from h5schema._shapes import DimSpec, dim
    from h5schema._spec import AttributeSpec, DatasetSpec, GroupSpec, PatternSpec, SchemaSpec
    from h5schema._writers import FileWriter, GroupWriter, create, open_writer
del TYPE_CHECKING  # not a public name


def __getattr__(name: str) -> "_Any":  # a string: no __future__ import, doctests use this module's flags
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'h5schema' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


__all__ = [
    "ArrayDType",
    "AttributeSpec",
    "Casting",
    "Category",
    "Code",
    "CompoundDType",
    "CompoundField",
    "DTypeSpec",
    "Dataset",
    "DatasetReader",
    "DatasetSpec",
    "DatasetWriter",
    "DimSpec",
    "EnumDType",
    "FamilyDType",
    "File",
    "FileReader",
    "FileWriter",
    "FlushPolicy",
    "Group",
    "GroupReader",
    "GroupSpec",
    "GroupWriter",
    "H5SchemaError",
    "InvalidFileError",
    "Limits",
    "MaterializeError",
    "NumericDType",
    "PatternSpec",
    "Report",
    "SchemaChange",
    "SchemaDefinitionError",
    "SchemaDiff",
    "SchemaLoadError",
    "SchemaSpec",
    "Severity",
    "StringDType",
    "TargetExistsError",
    "Violation",
    "WriteError",
    "__version__",
    "as_schema",
    "attribute",
    "create",
    "dataset",
    "diff",
    "dim",
    "enum",
    "family",
    "group",
    "load_schema",
    "materialize",
    "members",
    "open",
    "open_writer",
    "string",
    "validate",
    "validate_many",
]
