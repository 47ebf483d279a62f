"""The only place that talks to h5py.

Everything above it works with plain records (``Link``, ``AttrRead``, ``DatasetInfo``) and the
schema's own dtype models; handles (``Handle``) pass through as opaque objects. Failures are
turned into :class:`Unreadable` (the file) or :class:`ObjectError` (one object) with a readable
message.
"""

from h5schema._h5._data import fill_block, iter_blocks, iter_chunks, read_dataset, unwritten
from h5schema._h5._links import kind_of, links, object_key, open_member, soft_target
from h5schema._h5._manifest import manifest
from h5schema._h5._open import H5Group, file_label, is_h5py_object, name_of, open_read, root_of
from h5schema._h5._read import attribute_names, dataset_info, dtype_spec, read_attribute, scan_attributes
from h5schema._h5._types import (
    AttrRead,
    AttrScan,
    DatasetInfo,
    Handle,
    Link,
    LinkKind,
    ObjectError,
    Unreadable,
)
from h5schema._h5._write import (
    SwmrUnsupported,
    close,
    create_atomic,
    create_dataset,
    create_group,
    flush,
    get_member,
    has_member,
    is_group,
    open_append,
    resize,
    shape_of,
    write_attribute,
    write_block,
)

__all__ = [
    "AttrRead",
    "AttrScan",
    "DatasetInfo",
    "H5Group",
    "Handle",
    "Link",
    "LinkKind",
    "ObjectError",
    "SwmrUnsupported",
    "Unreadable",
    "attribute_names",
    "close",
    "create_atomic",
    "create_dataset",
    "create_group",
    "dataset_info",
    "dtype_spec",
    "file_label",
    "fill_block",
    "flush",
    "get_member",
    "has_member",
    "is_group",
    "is_h5py_object",
    "iter_blocks",
    "iter_chunks",
    "kind_of",
    "links",
    "manifest",
    "name_of",
    "object_key",
    "open_append",
    "open_member",
    "open_read",
    "read_attribute",
    "read_dataset",
    "resize",
    "root_of",
    "scan_attributes",
    "shape_of",
    "soft_target",
    "unwritten",
    "write_attribute",
    "write_block",
]
