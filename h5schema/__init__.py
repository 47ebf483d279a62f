"""h5schema: declare an HDF5 layout once, as pydantic classes; create, append and validate.

>>> import numpy as np, h5schema as h5s
>>> class Table(h5s.File):
...     rows: h5s.Dataset = h5s.dataset(np.int32, shape=("n",), maxshape=(None,))
>>> Table.to_spec().root.members[0].name
'rows'
"""

from h5schema._codes import Code, Severity
from h5schema._coerce import Casting
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
from h5schema._loader import load_schema
from h5schema._materialize import materialize
from h5schema._model import Dataset, File, Group, as_schema, attribute, dataset, group, members
from h5schema._readers import DatasetReader, FileReader, GroupReader, open
from h5schema._report import Report, Violation
from h5schema._shapes import DimSpec, dim
from h5schema._spec import AttributeSpec, DatasetSpec, GroupSpec, PatternSpec, SchemaSpec
from h5schema._validate import validate
from h5schema._writers import DatasetWriter, FileWriter, GroupWriter, create, open_writer

__version__ = "0.1.0"

__all__ = [
    "ArrayDType",
    "AttributeSpec",
    "Casting",
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
    "Group",
    "GroupReader",
    "GroupSpec",
    "GroupWriter",
    "H5SchemaError",
    "InvalidFileError",
    "MaterializeError",
    "NumericDType",
    "PatternSpec",
    "Report",
    "SchemaDefinitionError",
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
]
