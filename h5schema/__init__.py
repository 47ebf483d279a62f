"""h5schema: declare an HDF5 layout once, as pydantic classes; create, append and validate.

>>> import numpy as np, h5schema as h5s
>>> class Table(h5s.File):
...     rows: h5s.Dataset = h5s.dataset(np.int32, shape=("n",), maxshape=(None,))
>>> Table.to_spec().root.members[0].name
'rows'
"""

import importlib
import typing

__version__ = "0.1.0"

# Public names, each from the internal module that defines it. They are imported on first use
# (PEP 562), so ``import h5schema`` stays cheap and the command line loads only what it needs.
_EXPORTS: dict[str, str] = {
    "ArrayDType": "h5schema._types.dtypes",
    "AttributeSpec": "h5schema._schema.spec",
    "Casting": "h5schema._types.dtypes.cast",
    "Category": "h5schema._report.codes",
    "Code": "h5schema._report.codes",
    "CompoundDType": "h5schema._types.dtypes",
    "CompoundField": "h5schema._types.dtypes",
    "DTypeSpec": "h5schema._types.dtypes",
    "Dataset": "h5schema._schema.model",
    "DatasetReader": "h5schema._io.readers",
    "DatasetSpec": "h5schema._schema.spec",
    "DatasetWriter": "h5schema._io.dataset_writer",
    "DimSpec": "h5schema._types.shapes",
    "EnumDType": "h5schema._types.dtypes",
    "FamilyDType": "h5schema._types.dtypes",
    "File": "h5schema._schema.model",
    "FileReader": "h5schema._io.readers",
    "FileWriter": "h5schema._io.writers",
    "FlushPolicy": "h5schema._io.flush",
    "Group": "h5schema._schema.model",
    "GroupReader": "h5schema._io.readers",
    "GroupSpec": "h5schema._schema.spec",
    "GroupWriter": "h5schema._io.writers",
    "H5SchemaError": "h5schema._errors",
    "InvalidFileError": "h5schema._errors",
    "Limits": "h5schema._validate.limits",
    "MaterializeError": "h5schema._errors",
    "NumericDType": "h5schema._types.dtypes",
    "RaggedDType": "h5schema._types.dtypes",
    "PatternSpec": "h5schema._schema.spec",
    "Report": "h5schema._report.report",
    "SchemaChange": "h5schema._diff.changes",
    "SchemaDefinitionError": "h5schema._errors",
    "SchemaDiff": "h5schema._diff.changes",
    "SchemaLike": "h5schema._schema.model",
    "SchemaLoadError": "h5schema._errors",
    "SchemaSpec": "h5schema._schema.spec",
    "Severity": "h5schema._report.codes",
    "StringDType": "h5schema._types.dtypes",
    "TargetExistsError": "h5schema._errors",
    "Violation": "h5schema._report.report",
    "WriteError": "h5schema._errors",
    "as_schema": "h5schema._schema.model",
    "attribute": "h5schema._schema.declare",
    "create": "h5schema._io.writers",
    "dataset": "h5schema._schema.declare",
    "diff": "h5schema._diff.changes",
    "dim": "h5schema._types.shapes",
    "enum": "h5schema._types.dtypes",
    "family": "h5schema._types.dtypes",
    "ragged": "h5schema._types.dtypes",
    "group": "h5schema._schema.declare",
    "load_schema": "h5schema._schema.loader",
    "materialize": "h5schema._io.materialize",
    "members": "h5schema._schema.declare",
    "open": "h5schema._io.readers",
    "open_writer": "h5schema._io.writers",
    "string": "h5schema._types.dtypes",
    "validate": "h5schema._api",
    "validate_many": "h5schema._api",
}

if typing.TYPE_CHECKING:
    from h5schema._api import validate, validate_many
    from h5schema._diff.changes import SchemaChange, SchemaDiff, diff
    from h5schema._errors import (
        H5SchemaError,
        InvalidFileError,
        MaterializeError,
        SchemaDefinitionError,
        SchemaLoadError,
        TargetExistsError,
        WriteError,
    )
    from h5schema._io.dataset_writer import DatasetWriter
    from h5schema._io.flush import FlushPolicy
    from h5schema._io.materialize import materialize
    from h5schema._io.readers import DatasetReader, FileReader, GroupReader, open
    from h5schema._io.writers import FileWriter, GroupWriter, create, open_writer
    from h5schema._report.codes import Category, Code, Severity
    from h5schema._report.report import Report, Violation
    from h5schema._schema.declare import attribute, dataset, group, members
    from h5schema._schema.loader import load_schema
    from h5schema._schema.model import Dataset, File, Group, SchemaLike, as_schema
    from h5schema._schema.spec import AttributeSpec, DatasetSpec, GroupSpec, PatternSpec, SchemaSpec
    from h5schema._types.dtypes import (
        ArrayDType,
        CompoundDType,
        CompoundField,
        DTypeSpec,
        EnumDType,
        FamilyDType,
        NumericDType,
        RaggedDType,
        StringDType,
        enum,
        family,
        ragged,
        string,
    )
    from h5schema._types.dtypes.cast import Casting
    from h5schema._types.shapes import DimSpec, dim
    from h5schema._validate.limits import Limits


def __getattr__(name: str) -> typing.Any:
    """A public name, imported from its module on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'h5schema' has no attribute {name!r}")
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
    "RaggedDType",
    "Report",
    "SchemaChange",
    "SchemaDefinitionError",
    "SchemaDiff",
    "SchemaLike",
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
    "ragged",
    "string",
    "validate",
    "validate_many",
]
