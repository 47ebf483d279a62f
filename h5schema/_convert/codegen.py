"""A schema as Python source: the class form (``h5s.File``/``Group``/``Dataset`` subclasses) that
declares it, for ``h5schema infer -o schema.py`` and for anyone turning a document into classes.

The source imports only numpy, pydantic (for per-item list constraints) and h5schema, and loading
it gives back the same schema, except what a class cannot say: an optional attribute's default
is None, and a group's description is its class docstring.
"""

from __future__ import annotations

import cmath
import json
import keyword
import re
from typing import Any

from h5schema._schema.model import Dataset, File
from h5schema._schema.spec import AttributeSpec, DatasetSpec, GroupSpec, PatternSpec, SchemaSpec
from h5schema._types.dtypes import (
    DTypeSpec,
)

__all__ = ["to_python"]

_PER_ITEM = ("gt", "ge", "lt", "le", "multiple_of", "pattern")


def to_python(spec: SchemaSpec, *, header: str | None = None) -> str:
    """Python source declaring ``spec`` as classes; the ``h5s.File`` class is named after it.

    >>> import h5schema as h5s
    >>> doc = h5s.SchemaSpec(name="Run", root=h5s.GroupSpec(members=(
    ...     h5s.DatasetSpec(name="t", dtype="float64", shape=("n",), maxshape=(None,)),)))
    >>> print(to_python(doc).split("\\n\\n\\n")[-1].strip())
    class Run(h5s.File):
        t: h5s.Dataset = h5s.dataset(np.float64, shape=("n",), maxshape=(None,))
    """
    gen = _Gen()
    gen.group_class(spec.root, _identifier(spec.name, "Schema", title=True), "h5s.File", spec.description)
    top = [f'"""{_doc_text(header)}"""', ""] if header else []
    imports = ["import numpy as np"]
    if gen.uses_literal or gen.uses_annotated:
        flags = (("Annotated", gen.uses_annotated), ("Literal", gen.uses_literal))
        names = ", ".join(n for n, used in flags if used)
        imports.insert(0, f"from typing import {names}")
        imports.insert(1, "")
    if gen.uses_annotated:  # only Annotated[..., Field(...)] needs Field
        imports.append("from pydantic import Field")
    lines = [*top, *imports, "", "import h5schema as h5s", "", "", ""]
    return "\n".join(lines) + "\n\n\n".join(gen.classes) + "\n"


def _doc_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


def _identifier(name: str, fallback: str, *, title: bool = False) -> str:
    out = re.sub(r"\W", "_", name, flags=re.ASCII).strip("_") or fallback
    if title:
        out = out[:1].upper() + out[1:]
    if out[0].isdigit():
        out = f"{fallback}_{out}"
    return out if not keyword.iskeyword(out) else f"{out}_"


def _pick(used: set[str], name: str, fallback: str) -> tuple[str, bool]:
    """The field for ``name`` in a class whose fields so far are ``used``, and whether it must be
    declared with ``name=`` (the name cannot be a field, or another field has it already)."""
    field = _field_name(name)
    if field is not None and field not in used:
        used.add(field)
        return field, False
    candidate, k = fallback, 1
    while candidate in used:
        candidate, k = f"{fallback}_{k}", k + 1
    used.add(candidate)
    return candidate, True


def _field_name(name: str) -> str | None:
    """``name`` itself when it can be a pydantic field name, else None (declared with name=)."""
    # a field may not hide what the classes define
    ok = name.isidentifier() and name.isascii() and not keyword.iskeyword(name)
    if not ok or name.startswith(("_", "model_")) or hasattr(File, name) or hasattr(Dataset, name):
        return None
    return name


def dtype_source(dt: DTypeSpec) -> str:
    """A dtype as the shortest Python expression h5schema maps to it."""
    return dt.python_source(_value)


def _shape_source(shape: Any) -> str:
    parts = [_dim_source(d) for d in shape]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def _dim_source(d: Any) -> str:
    """One axis in its shortest form: a length, None, a dim name, else h5s.dim(...)."""
    if d.min is None and d.max is None:
        if d.name is None:
            return "None" if d.size is None else str(d.size)
        if d.size is None:
            return _value(d.name)
    opts = [f"{k}={getattr(d, k)!r}" for k in ("size", "min", "max") if getattr(d, k) is not None]
    return f"h5s.dim({', '.join([_value(d.name), *opts] if d.name else opts)})"


def _call(func: str, args: list[str], indent: str = "    ") -> str:
    """``func(args)`` on one line, or one argument per line when that line would be long."""
    flat = f"{func}({', '.join(args)})"
    if len(flat) <= 80 or not args:
        return flat
    inner = "".join(f"{indent}    {a},\n" for a in args)
    return f"{func}(\n{inner}{indent})"


def _value(v: Any) -> str:
    """A value as a Python literal (or the expression of one)."""
    if isinstance(v, float | complex) and not cmath.isfinite(v):
        return _non_finite(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)  # a valid Python literal, in ruff's quotes
    if isinstance(v, tuple | list):
        return _sequence_source(v)
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_value(k)}: {_value(x)}" for k, x in v.items()) + "}"
    return repr(v)


def _sequence_source(v: tuple[Any, ...] | list[Any]) -> str:
    """A tuple or list literal (a one-item tuple keeps its comma)."""
    inner = ", ".join(_value(x) for x in v) + ("," if isinstance(v, tuple) and len(v) == 1 else "")
    return f"({inner})" if isinstance(v, tuple) else f"[{inner}]"


def _non_finite(v: float | complex) -> str:
    """NaN, infinities and complex numbers holding them, as expressions: their repr (nan,
    (inf+0j)) is not Python."""
    if isinstance(v, complex):
        return f"complex({_value(v.real)}, {_value(v.imag)})"
    return 'float("nan")' if v != v else f'float("{v}")'


class _Gen:
    """Classes emitted so far (inner ones first) and the names they took."""

    def __init__(self) -> None:
        self.classes: list[str] = []
        self.taken: set[str] = set()
        self.uses_literal = self.uses_annotated = False

    def class_name(self, base: str) -> str:
        name, i = base, 2
        while name in self.taken:
            name, i = f"{base}{i}", i + 1
        self.taken.add(name)
        return name

    # ---------------------------------------------------------------- attributes

    def annotation(self, a: AttributeSpec) -> str:
        if a.type == "array":
            return "np.ndarray"
        item = a.scalar_kind  # int, float, bool, str and bytes are spelled as Python spells them
        if a.choices is not None:
            self.uses_literal = True
            item = f"Literal[{', '.join(_value(c) for c in a.choices)}]"
        if a.type == "list":
            per_item = [f"{k}={_value(getattr(a, k))}" for k in _PER_ITEM if getattr(a, k) is not None]
            if per_item:
                self.uses_annotated = True
                item = f"Annotated[{item}, Field({', '.join(per_item)})]"
            return f"list[{item}]"
        return item

    def attribute_line(self, a: AttributeSpec, index: int, used: set[str]) -> str:
        annotation = self.annotation(a)
        field, named = _pick(used, a.name, f"attr_{index}")
        opts = _attribute_options(a, named)
        if not a.required and a.default is None:  # optional
            annotation += " | None"
            opts.insert(0, "None")
        elif a.default is not None:
            default = a.default.tolist() if hasattr(a.default, "tolist") else a.default
            opts.insert(0, f"np.array({_value(default)})" if a.type == "array" else _value(default))
        return f"    {field}: {annotation} = h5s.attribute({', '.join(opts)})"

    # ---------------------------------------------------------------- datasets and groups

    def dataset_call(self, d: DatasetSpec, *, named: bool = False) -> str:
        args = _dataset_layout_args(d) + _dataset_check_args(d)
        if named:
            args.append(f"name={_value(d.name)}")
        if not d.required:
            args.append("required=False")
        if d.closed:
            args.append("closed=True")
        if d.description:
            args.append(f"description={_value(d.description)}")
        return _call("h5s.dataset", args)

    def dataset_type(self, d: DatasetSpec, label: str) -> str:
        """``h5s.Dataset``, or a subclass declaring the dataset's attributes."""
        if not d.attributes:
            return "h5s.Dataset"
        name = self.class_name(_identifier(label, "Data", title=True) + "Data")
        used: set[str] = set()
        body = [self.attribute_line(a, i, used) for i, a in enumerate(d.attributes)]
        self.classes.append(f"class {name}(h5s.Dataset):\n" + "\n".join(body))
        return name

    def group_class(self, g: GroupSpec, label: str, base: str, description: str | None = None) -> str:
        name = self.class_name(label)
        body: list[str] = [f'    """{_doc_text(description)}"""', ""] if description else []
        # One field name each: an attribute and a member may share an HDF5 name.
        used: set[str] = {f"pattern_{i}" for i in range(len(g.patterns))}
        body += [self.attribute_line(a, i, used) for i, a in enumerate(g.attributes)]
        body += [self.member_line(m, i, used) for i, m in enumerate(g.members)]
        body += [self.pattern_line(p, i, name) for i, p in enumerate(g.patterns)]
        closed = ", closed=True" if g.closed else ""
        self.classes.append(f"class {name}({base}{closed}):\n" + ("\n".join(body) if body else "    pass"))
        return name

    def member_line(self, m: GroupSpec | DatasetSpec, index: int, used: set[str]) -> str:
        """The field of a named member: an h5s.dataset() or an h5s.group() of its own class."""
        member = m.name or ""
        field, named = _pick(used, member, f"member_{index}")
        if isinstance(m, DatasetSpec):
            call = self.dataset_call(m, named=named)
            return f"    {field}: {self.dataset_type(m, member)} = {call}"
        inner = self.group_class(m, _identifier(member, "Group", title=True), "h5s.Group", m.description)
        opts = [f"name={_value(member)}"] if named else []
        opts += [] if m.required else ["required=False"]
        opts += ["external=True"] if m.external else []
        return f"    {field}: {inner} = h5s.group({', '.join(opts)})"

    def pattern_line(self, p: PatternSpec, index: int, owner: str) -> str:
        """The h5s.members() field of a pattern, its item a dataset or a group class."""
        counts = f", min_count={p.min_count}" if p.min_count else ""
        counts += f", max_count={p.max_count}" if p.max_count is not None else ""
        if isinstance(p.item, DatasetSpec):
            item = self.dataset_type(p.item, f"pattern{index}")
            inner_call = self.dataset_call(p.item)
            call = f"h5s.members({_value(p.pattern)}{counts}, dataset={inner_call})"
        else:
            item = self.group_class(p.item, f"{owner}Item{index}", "h5s.Group", p.item.description)
            call = f"h5s.members({_value(p.pattern)}{counts})"
        return f"    pattern_{index}: dict[str, {item}] = {call}"


def _dataset_layout_args(d: DatasetSpec) -> list[str]:
    """The h5s.dataset() arguments of the dtype, shape and storage layout."""
    args = [dtype_source(d.dtype)] if d.dtype is not None else []
    if d.shape is not None:
        args.append(f"shape={_shape_source(d.shape)}")
    for key in ("maxshape", "chunks", "compression", "compression_opts", "shuffle", "fletcher32"):
        if getattr(d, key) is not None:
            args.append(f"{key}={_value(getattr(d, key))}")
    if d.fillvalue is not None:
        args.append(f"fillvalue={_value(d.fillvalue)}")
    return args


def _dataset_check_args(d: DatasetSpec) -> list[str]:
    """The h5s.dataset() arguments of the data checks and external=."""
    args = ["values=[" + ", ".join(_value(v) for v in d.values) + "]"] if d.values is not None else []
    bounds = ("gt", "ge", "lt", "le")
    args += [f"{k}={_value(getattr(d, k))}" for k in bounds if getattr(d, k) is not None]
    if not d.allow_nan:
        args.append("allow_nan=False")
    if d.external:
        args.append("external=True")
    return args


def _attribute_options(a: AttributeSpec, named: bool) -> list[str]:
    """The h5s.attribute() keyword arguments: the HDF5 name when the field's differs, the
    constraints (a list's item constraints go in its annotation), an array's dtype and shape,
    the description."""
    opts: list[str] = [f"name={_value(a.name)}"] if named else []
    keys = ("min_length", "max_length") if a.type == "list" else (*_PER_ITEM, "min_length", "max_length")
    opts += [f"{k}={_value(getattr(a, k))}" for k in keys if getattr(a, k) is not None]
    if a.type == "array" and a.dtype is not None:
        opts.append(f"dtype={dtype_source(a.dtype)}")
    if a.type == "array" and a.shape is not None:
        opts.append(f"shape={_shape_source(a.shape)}")
    if a.description:
        opts.append(f"description={_value(a.description)}")
    return opts
