"""P1: metadata validation of 1000 small datasets in 100 groups, against other validators.

The file: ``/groups/<i>/d<j>``, int32 ``(16,)`` resizable (maxshape ``(None,)``), an int attribute
``index`` on each group. Every tool is given the file's path and checks:

- h5schema: member names (two patterns), dtype, shape, maxshape, the group attribute (present,
  an integer, >= 0); everything else in the file would be reported as unexpected.
- hdf5schema 1.0.2: member names (patternMembers), dtype, shape, and unexpected members. It has no
  maxshape keyword, and it ignores ``attrs`` declared on a group (only dataset attributes are
  checked), so it checks strictly less.
- numpydantic 2.0 (context): pydantic models with ``NDArray[Shape[16], np.int32]`` fields fed
  ``(file, path)`` pairs; names checked by constrained dict keys, the attribute by pydantic.
  It cannot see maxshape. The walk that lists names and reads the attribute is glue code, timed.
- pandera 0.35 xarray backend (context): the file opened with ``xr.open_datatree`` (h5netcdf
  engine, phony dims), a ``DataTreeSchema`` whose children are the group names (pandera has no
  name patterns: the names are matched by glue code, timed) with a ``DatasetSchema`` per group
  (dtype, rank, size 16, the attribute through a pydantic model). No maxshape either; xarray reads
  the (tiny) data.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

import h5py
import numpy as np

import h5schema as h5s
from benchmarks.common import Row, Settings, Target, log, measure, remove, seconds, warm_cache


class Block(h5s.Group):
    """One group: an index and ten small resizable int32 datasets."""

    index: int = h5s.attribute(ge=0)
    data: dict[str, h5s.Dataset] = h5s.members(
        r"d\d+", dataset=h5s.dataset(np.int32, shape=(16,), maxshape=(None,))
    )


class Blocks(h5s.Group):
    """The container of numbered groups."""

    blocks: dict[str, Block] = h5s.members(r"\d+")


class P1File(h5s.File):
    """/groups/<i>/d<j>."""

    groups: Blocks


HDF5SCHEMA = {
    "type": "group",
    "members": {
        "groups": {
            "type": "group",
            "patternMembers": {
                r"^\d+$": {
                    "type": "group",
                    "attrs": [{"name": "index", "dtype": "<i8", "required": True}],
                    "patternMembers": {r"^d\d+$": {"type": "dataset", "dtype": "<i4", "shape": [16]}},
                }
            },
        }
    },
    "required": ["groups"],
}


def build(path: Path, groups: int = 100, per_group: int = 10) -> Path:
    """Write the P1 file."""
    data = np.arange(16, dtype=np.int32)
    with h5py.File(path, "w") as f:
        top = f.create_group("groups")
        for i in range(groups):
            g = top.create_group(str(i))
            g.attrs["index"] = np.int64(i)
            for j in range(per_group):
                g.create_dataset(f"d{j}", data=data, maxshape=(None,), chunks=(16,))
    return path


def break_file(path: Path) -> None:
    """Make one dataset the wrong dtype (every tool must notice)."""
    with h5py.File(path, "a") as f:
        del f["groups/0/d0"]
        f["groups/0"].create_dataset("d0", data=np.zeros(16, np.float64), maxshape=(None,))


def run_h5schema(path: Path) -> bool:
    return h5s.validate(path, P1File).valid


def run_hdf5schema(path: Path) -> bool:
    from hdf5schema.validator import Hdf5Validator  # type: ignore[import-untyped]

    validator = Hdf5Validator(str(path), HDF5SCHEMA)
    try:
        return not validator.iter_errors()
    finally:
        validator.instance.close()  # it opens the file and never closes it


def _numpydantic_model() -> Any:
    from numpydantic import NDArray, Shape
    from pydantic import BaseModel, Field, StrictInt, StringConstraints

    data_name = Annotated[str, StringConstraints(pattern=r"^d\d+$")]
    group_name = Annotated[str, StringConstraints(pattern=r"^\d+$")]

    class NBlock(BaseModel):
        index: Annotated[StrictInt, Field(ge=0)]
        data: dict[data_name, NDArray[Shape[Literal[16]], np.int32]]

    class NFile(BaseModel):
        groups: dict[group_name, NBlock]

    return NFile


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def run_numpydantic(path: Path, model: Any) -> bool:
    from numpydantic.interface.hdf5 import H5ArrayPath
    from pydantic import ValidationError

    groups: dict[str, Any] = {}
    with h5py.File(path, "r") as f:
        for gname, g in f["groups"].items():
            names = list(g)
            groups[gname] = {
                "index": _plain(g.attrs["index"]) if "index" in g.attrs else None,
                "data": {n: H5ArrayPath(file=str(path), path=f"/groups/{gname}/{n}") for n in names},
            }
    try:
        model.model_validate({"groups": groups})
    except ValidationError:
        return False
    return True


def _pandera_schema() -> Any:
    import pandera.xarray as pa
    from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

    def plain(v: Any) -> Any:
        return v.item() if isinstance(v, np.generic) else v

    class Attrs(BaseModel):
        model_config = ConfigDict(strict=True)
        index: Annotated[int, BeforeValidator(plain), Field(ge=0)]

    return pa, Attrs


def run_pandera(path: Path, parts: Any) -> bool:
    import pandera.errors
    import xarray as xr

    pa, attrs_model = parts
    tree = xr.open_datatree(path, engine="h5netcdf", phony_dims="access")
    try:
        names = [str(n) for n in tree["groups"].children]
        if not all(re.fullmatch(r"\d+", n) for n in names):
            return False
        children = {}
        for n in names:
            node: Any = tree[f"groups/{n}"]
            names_here = [str(v) for v in node.data_vars]
            if not all(re.fullmatch(r"d\d+", v) for v in names_here):
                return False
            variables = {v: pa.DataVar(dtype=np.int32, dims=(node[v].dims[0],)) for v in names_here}
            sizes = {d: 16 for v in names_here for d in node[v].dims}
            children[f"groups/{n}"] = pa.DatasetSchema(data_vars=variables, sizes=sizes, attrs=attrs_model)
        try:
            pa.DataTreeSchema(children=children).validate(tree, lazy=True)
        except pandera.errors.SchemaErrors:
            return False
        return True
    finally:
        tree.close()


def available(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def run(s: Settings) -> list[Row]:
    groups = s.pick(3, 100, 100)
    path = build(s.tmp / "p1.h5", groups=groups)
    broken = build(s.tmp / "p1_broken.h5", groups=3)
    break_file(broken)
    cases: dict[str, Callable[[], bool]] = {"h5schema": lambda: run_h5schema(path)}
    checks: dict[str, Callable[[Path], bool]] = {"h5schema": run_h5schema}
    if available("hdf5schema"):
        cases["hdf5schema"] = lambda: run_hdf5schema(path)
        checks["hdf5schema"] = run_hdf5schema
    if available("numpydantic"):
        model = _numpydantic_model()
        cases["numpydantic"] = lambda: run_numpydantic(path, model)
        checks["numpydantic"] = lambda p: run_numpydantic(p, model)
    if available("pandera") and available("xarray") and available("h5netcdf"):
        parts = _pandera_schema()
        cases["pandera.xarray"] = lambda: run_pandera(path, parts)
        checks["pandera.xarray"] = lambda p: run_pandera(p, parts)
    notes = []
    for name, check in checks.items():
        if not check(path):
            notes.append(f"{name} rejects the valid file")
        if check(broken):
            notes.append(f"{name} accepts the broken file")
    if notes:
        log("P1 agreement problems: " + "; ".join(notes))
    log(f"P1: {groups * 10} datasets in {groups} groups; tools: {', '.join(cases)}")
    warm_cache(path)
    t = measure(cases, s.repeat, warmup=s.warmup)
    remove(path, broken)
    ours = t["h5schema"]
    rows = []
    for name, target in (("hdf5schema", Target("<=", 0.5)), ("numpydantic", None), ("pandera.xarray", None)):
        if name in t:
            rows.append(
                Row(
                    "P1",
                    f"{groups * 10} datasets in {groups} groups vs {name}",
                    f"{name} {seconds(t[name])}",
                    seconds(ours),
                    ours / t[name],
                    "h5schema/baseline time",
                    target,
                    "; ".join(notes),
                    {"seconds": t},
                )
            )
        else:
            rows.append(Row("P1", f"vs {name}", f"{name} not installed", seconds(ours)))
    return rows
