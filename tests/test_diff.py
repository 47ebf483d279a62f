"""h5s.diff and ``h5schema diff``: every change found, and "compatible" only when old files pass.

The property test is the contract: a file valid under a schema stays valid under any edit of it
that diff calls compatible. The example tests pin each rule, and for breaking changes show a
file that the old schema accepts and the new one refuses.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest
from hypothesis import assume, event, given, note
from hypothesis import strategies as st

import h5schema as h5s
import h5schema.strategies as h5st
from tests.prop_support import PROPERTY, fresh_path
from tests.test_cli import run


def _schema(
    *members: Any, attributes: tuple[Any, ...] = (), patterns: tuple[Any, ...] = ()
) -> h5s.SchemaSpec:
    return h5s.SchemaSpec(
        name="S", root=h5s.GroupSpec(members=members, attributes=attributes, patterns=patterns)
    )


def _ds(**kw: Any) -> h5s.DatasetSpec:
    return h5s.DatasetSpec(name=kw.pop("name", "x"), **kw)


def _one(old: h5s.SchemaSpec, new: h5s.SchemaSpec) -> h5s.SchemaChange:
    changes = h5s.diff(old, new).changes
    assert len(changes) == 1, changes
    return changes[0]


# ---------------------------------------------------------------- datasets

DATASET_CASES = [
    # (old, new, breaking)
    ({"dtype": "int32"}, {"dtype": None}, False),
    ({"dtype": "int32"}, {"dtype": {"kind": "family", "family": "integer"}}, False),
    ({"dtype": "int32"}, {"dtype": "int64"}, True),
    ({"dtype": None}, {"dtype": "int64"}, True),
    (
        {"dtype": {"kind": "family", "family": "signed"}},
        {"dtype": {"kind": "family", "family": "integer"}},
        False,
    ),
    (
        {"dtype": {"kind": "family", "family": "number"}},
        {"dtype": {"kind": "family", "family": "float"}},
        True,
    ),
    ({"dtype": {"kind": "family", "family": "text"}}, {"dtype": {"kind": "family", "family": "any"}}, False),
    ({"dtype": {"kind": "family", "family": "float"}}, {"dtype": "float64"}, True),
    ({"dtype": "str"}, {"dtype": {"kind": "family", "family": "text"}}, False),
    ({"shape": (3,)}, {"shape": (None,)}, False),
    ({"shape": (3,)}, {"shape": ({"min": 1, "max": 5},)}, False),
    ({"shape": ({"min": 1, "max": 5},)}, {"shape": (3,)}, True),
    ({"shape": (None,)}, {"shape": ({"min": 1},)}, True),
    ({"shape": (3,)}, {"shape": (3, 1)}, True),
    ({"shape": (3,)}, {"shape": None}, False),
    ({"shape": None, "maxshape": None}, {"shape": (3,)}, True),
    ({"shape": (None,), "maxshape": (None,)}, {"shape": (None,), "maxshape": None}, False),
    ({"shape": (None,), "maxshape": None}, {"shape": (None,), "maxshape": (None,)}, True),
    (
        {"shape": (None,), "chunks": (4,), "maxshape": (None,)},
        {"shape": (None,), "chunks": True, "maxshape": (None,)},
        False,
    ),
    ({"shape": (None,), "chunks": True}, {"shape": (None,), "chunks": (4,)}, True),
    ({"shape": (None,), "chunks": True, "compression": "gzip"}, {"shape": (None,), "chunks": True}, False),
    ({"shape": (None,), "chunks": True}, {"shape": (None,), "chunks": True, "compression": "gzip"}, True),
    ({"dtype": "int8", "values": (1, 2)}, {"dtype": "int8", "values": (1, 2, 3)}, False),
    ({"dtype": "int8", "values": (1, 2)}, {"dtype": "int8", "values": (1,)}, True),
    ({"dtype": "int8"}, {"dtype": "int8", "values": (1,)}, True),
    ({"dtype": "float32", "gt": 0}, {"dtype": "float32", "ge": 0}, False),
    ({"dtype": "float32", "ge": 0}, {"dtype": "float32", "gt": 0}, True),
    ({"dtype": "float32", "ge": 1}, {"dtype": "float32", "gt": 0}, False),
    ({"dtype": "float32", "le": 1}, {"dtype": "float32", "lt": 2}, False),
    ({"dtype": "float32", "lt": 2}, {"dtype": "float32", "le": 1}, True),
    ({"dtype": "float32", "gt": 0, "ge": 1}, {"dtype": "float32", "ge": 1}, False),
    ({"dtype": "float32", "allow_nan": False}, {"dtype": "float32"}, False),
    ({"dtype": "float32"}, {"dtype": "float32", "allow_nan": False}, True),
    ({"required": False}, {"required": True}, True),
    ({"required": True}, {"required": False}, False),
    ({"closed": True}, {"closed": False}, False),
    ({"closed": False}, {"closed": True}, True),
    ({"external": True}, {"external": False}, True),
    ({"fillvalue": 0, "dtype": "int8"}, {"dtype": "int8"}, False),
    ({"dtype": "int8"}, {"fillvalue": 0, "dtype": "int8"}, True),
]


@pytest.mark.parametrize(("old", "new", "breaking"), DATASET_CASES)
def test_each_dataset_field_rule(old: dict[str, Any], new: dict[str, Any], breaking: bool) -> None:
    """One field changed gives one change, breaking exactly when the new value is narrower."""
    change = _one(_schema(_ds(**old)), _schema(_ds(**new)))
    assert change.path == "/x" and change.element == "dataset" and change.kind == "changed"
    assert change.breaking is breaking, change


def test_breaking_change_has_an_old_file_that_now_fails(tmp_path: Path) -> None:
    """A narrowed dtype: a file the old schema accepts is refused by the new one, as diff says."""
    old = _schema(_ds(dtype={"kind": "family", "family": "integer"}, shape=(None,)))
    new = _schema(_ds(dtype="int32", shape=(None,)))
    path = tmp_path / "f.h5"
    with h5py.File(path, "w") as f:
        f["x"] = np.arange(3, dtype=np.int64)
    assert h5s.validate(path, old, isolate=False).valid
    assert not h5s.validate(path, new, isolate=False).valid
    assert not h5s.diff(old, new).compatible


def test_identical_schemas_have_no_changes() -> None:
    from schemas.speech_features import SpeechFeatures

    result = h5s.diff(SpeechFeatures, SpeechFeatures)
    assert result.changes == () and result.compatible and result.summary() == "no changes"


# ---------------------------------------------------------------- members, attributes, patterns


def test_members_added_and_removed() -> None:
    """Required additions break; optional ones and removals from an open group do not."""
    base = _schema(_ds(name="a"))
    added_req = _one(base, _schema(_ds(name="a"), _ds(name="b")))
    added_opt = _one(base, _schema(_ds(name="a"), _ds(name="b", required=False)))
    removed = _one(_schema(_ds(name="a"), _ds(name="b")), base)
    assert (added_req.kind, added_req.path, added_req.breaking) == ("added", "/b", True)
    assert (added_opt.kind, added_opt.breaking) == ("added", False)
    assert (removed.kind, removed.path, removed.breaking) == ("removed", "/b", False)
    closed_old = h5s.SchemaSpec(root=h5s.GroupSpec(members=(_ds(name="a"), _ds(name="b")), closed=True))
    closed_new = h5s.SchemaSpec(root=h5s.GroupSpec(members=(_ds(name="a"),), closed=True))
    assert _one(closed_old, closed_new).breaking  # now an extra member of a closed group: an error


def test_group_becomes_dataset_is_breaking() -> None:
    change = _one(_schema(h5s.GroupSpec(name="x")), _schema(_ds()))
    assert (change.field, change.breaking) == ("kind", True)


ATTRIBUTE_CASES = [
    ({"type": "int"}, {"type": "float"}, True),
    ({"type": "int", "required": False}, {"type": "int"}, True),
    ({"type": "int"}, {"type": "int", "required": False}, False),
    ({"type": "int", "gt": 0}, {"type": "int"}, False),
    ({"type": "int"}, {"type": "int", "gt": 0}, True),
    ({"type": "int", "multiple_of": 4}, {"type": "int", "multiple_of": 2}, False),
    ({"type": "int", "multiple_of": 2}, {"type": "int", "multiple_of": 4}, True),
    ({"type": "str", "choices": ("a",)}, {"type": "str", "choices": ("a", "b")}, False),
    ({"type": "str", "choices": ("a", "b")}, {"type": "str", "choices": ("a",)}, True),
    ({"type": "str", "min_length": 2}, {"type": "str", "min_length": 1}, False),
    ({"type": "str", "max_length": 2}, {"type": "str", "max_length": 1}, True),
    ({"type": "str", "pattern": "a+"}, {"type": "str"}, False),
    ({"type": "str"}, {"type": "str", "pattern": "a+"}, True),
    (
        {"type": "int", "default": 1, "required": False},
        {"type": "int", "default": 2, "required": False},
        False,
    ),
    (
        {"type": "array", "dtype": "float32"},
        {"type": "array", "dtype": {"kind": "family", "family": "float"}},
        False,
    ),
    ({"type": "array", "shape": (None,)}, {"type": "array", "shape": (3,)}, True),
]


@pytest.mark.parametrize(("old", "new", "breaking"), ATTRIBUTE_CASES)
def test_each_attribute_field_rule(old: dict[str, Any], new: dict[str, Any], breaking: bool) -> None:
    a = h5s.AttributeSpec(name="u", **old)
    b = h5s.AttributeSpec(name="u", **new)
    change = _one(_schema(attributes=(a,)), _schema(attributes=(b,)))
    assert change.path == "/@u" and change.element == "attribute"
    assert change.breaking is breaking, change


def test_patterns_counts_and_order() -> None:
    def pat(text: str, lo: int = 0, hi: int | None = None) -> h5s.PatternSpec:
        return h5s.PatternSpec(pattern=text, min_count=lo, max_count=hi, item=h5s.GroupSpec())

    one = _schema(patterns=(pat("a.*"),))
    assert _one(one, _schema(patterns=(pat("a.*", lo=1),))).breaking
    assert not _one(_schema(patterns=(pat("a.*", lo=1),)), one).breaking
    assert _one(one, _schema(patterns=(pat("a.*", hi=3),))).breaking
    assert not _one(_schema(patterns=(pat("a.*", hi=3),)), one).breaking
    added_after = _one(one, _schema(patterns=(pat("a.*"), pat("b.*"))))
    assert (added_after.kind, added_after.breaking) == ("added", False)
    added_before = _one(one, _schema(patterns=(pat("b.*"), pat("a.*"))))
    assert added_before.breaking  # "b.*" now sees names first
    reordered = h5s.diff(
        _schema(patterns=(pat("a.*"), pat("b.*"))), _schema(patterns=(pat("b.*"), pat("a.*")))
    )
    assert [c.field for c in reordered.changes] == ["order"] and not reordered.compatible
    swapped = h5s.diff(one, _schema(patterns=(pat("b.*"),)))
    assert [(c.path, c.kind, c.breaking) for c in swapped.changes] == [
        ("/<a.*>", "removed", True),  # its members may now match "b.*"
        ("/<b.*>", "added", True),
    ]


def test_named_dims_tying_new_axes_is_breaking() -> None:
    """Naming two axes alike makes their lengths agree: old files need not."""
    old = _schema(_ds(name="a", shape=(None,)), _ds(name="b", shape=(None,)))
    new = _schema(_ds(name="a", shape=("n",)), _ds(name="b", shape=("n",)))
    fields = {c.field: c.breaking for c in h5s.diff(old, new).changes}
    assert fields == {"shape": False, "dims": True}  # each shape alone allows the same lengths
    renamed = h5s.diff(new, _schema(_ds(name="a", shape=("m",)), _ds(name="b", shape=("m",))))
    assert renamed.compatible  # the same axes, tied under another name
    untied = h5s.diff(new, old)
    assert untied.compatible


# ---------------------------------------------------------------- property


_FAMILIES = ["integer", "signed", "float", "number", "text", "any"]
_NUMERIC = ["int8", "int32", "int64", "float32", "float64", "bool"]
_SMALL = st.none() | st.integers(-2, 2)


def _keyed(keys: list[str], values: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.sampled_from(keys).flatmap(lambda k: st.fixed_dictionaries({k: values}))


def _dataset_edit(node: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    dtypes = (
        st.none()
        | st.sampled_from(_FAMILIES).map(lambda f: {"kind": "family", "family": f})
        | st.sampled_from(_NUMERIC).map(lambda n: {"kind": "numeric", "name": n})
    )
    values = node.get("values")
    value_edits = [st.none()]
    if values:
        value_edits += [st.just(values[:-1]), st.just([*values, values[0]])]
    shape = node.get("shape")
    shapes = [st.none()]
    if shape:
        axis = st.fixed_dictionaries(
            {},
            optional={
                "name": st.sampled_from(["n", "m"]),
                "min": st.integers(0, 2),
                "max": st.integers(2, 4),
            },
        )
        shapes.append(st.lists(axis, min_size=len(shape), max_size=len(shape)))
    return st.one_of(
        st.fixed_dictionaries({"required": st.booleans()}),
        st.fixed_dictionaries({"closed": st.booleans()}),
        st.fixed_dictionaries({"dtype": dtypes}),
        st.fixed_dictionaries({"shape": st.one_of(shapes)}),
        st.fixed_dictionaries({"maxshape": st.none()}),
        st.fixed_dictionaries({"chunks": st.sampled_from([None, True, False])}),
        st.fixed_dictionaries({"compression": st.sampled_from([None, "none", "gzip"])}),
        st.fixed_dictionaries({"shuffle": st.sampled_from([None, True, False])}),
        st.fixed_dictionaries({"fillvalue": st.none()}),
        st.fixed_dictionaries({"values": st.one_of(value_edits)}),
        _keyed(["gt", "ge", "lt", "le"], _SMALL),
        st.fixed_dictionaries({"allow_nan": st.booleans()}),
    )


def _attribute_edit(node: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    choices = node.get("choices")
    return st.one_of(
        st.fixed_dictionaries({"required": st.booleans()}),
        st.fixed_dictionaries({"type": st.sampled_from(["int", "float", "str", "bool", "array"])}),
        _keyed(["gt", "ge", "lt", "le"], _SMALL),
        st.fixed_dictionaries({"choices": st.none() | st.just(choices[:-1] if choices else None)}),
        _keyed(["min_length", "max_length"], st.none() | st.integers(0, 3)),
    )


def _group_edit() -> st.SearchStrategy[dict[str, Any]]:
    new_dataset = st.builds(lambda req: {"kind": "dataset", "name": "zz_new", "required": req}, st.booleans())
    new_attr = st.builds(lambda req: {"name": "zz_attr", "type": "int", "required": req}, st.booleans())
    return st.one_of(
        st.fixed_dictionaries({"required": st.booleans()}),
        st.fixed_dictionaries({"closed": st.booleans()}),
        st.fixed_dictionaries({"+members": new_dataset}),
        st.fixed_dictionaries({"+attributes": new_attr}),
        st.fixed_dictionaries(
            {
                "+patterns": st.builds(
                    lambda lo: {"pattern": "zz\\d", "min_count": lo, "item": {"kind": "group"}},
                    st.integers(0, 1),
                )
            }
        ),
    )


def _nodes(
    group: dict[str, Any], parent: list[Any] | None = None
) -> list[tuple[str, dict[str, Any], list[Any] | None]]:
    """(kind, node, the list holding it) for every node of a schema document."""
    out: list[tuple[str, dict[str, Any], list[Any] | None]] = [("group", group, parent)]
    for attr in group.get("attributes", []):
        out.append(("attribute", attr, group["attributes"]))
    for member in group.get("members", []):
        if member.get("kind") == "group":
            out += _nodes(member, group["members"])
        else:
            out.append(("dataset", member, group["members"]))
            out += [("attribute", a, member["attributes"]) for a in member.get("attributes", [])]
    for pattern in group.get("patterns", []):
        out.append(("pattern", pattern, group["patterns"]))
        item = pattern["item"]
        if item.get("kind") == "group":
            out += _nodes(item, None)
        else:
            out.append(("dataset", item, None))
    return out


@st.composite
def _edited(draw: st.DrawFn, schema: h5s.SchemaSpec) -> h5s.SchemaSpec:
    doc = json.loads(schema.to_json())
    for _ in range(draw(st.integers(1, 3))):
        kind, node, holder = draw(st.sampled_from(_nodes(doc["root"])))
        if holder is not None and draw(st.integers(0, 5)) == 0:
            holder.remove(node)
            note(f"removed {kind} {node.get('name') or node.get('pattern')}")
            continue
        if kind == "dataset":
            edit = draw(_dataset_edit(node))
        elif kind == "attribute":
            edit = draw(_attribute_edit(node))
        elif kind == "pattern":
            edit = draw(
                st.fixed_dictionaries(
                    {"min_count": st.integers(0, 2), "max_count": st.none() | st.integers(0, 3)}
                )
            )
        else:
            edit = draw(_group_edit())
        note(f"{kind} {node.get('name') or node.get('pattern')}: {edit}")
        for key, value in edit.items():
            if key.startswith("+"):
                items = node.setdefault(key[1:], [])
                if all(
                    i.get("name", i.get("pattern")) != value.get("name", value.get("pattern")) for i in items
                ):
                    items.append(value)
            else:
                node[key] = value
    try:
        return h5s.SchemaSpec.from_json(json.dumps(doc))
    except (h5s.SchemaDefinitionError, ValueError):
        assume(False)
        raise AssertionError("unreachable") from None


@PROPERTY
@given(data=st.data(), schema=h5st.schemas(max_depth=2))
def test_compatible_edits_keep_old_files_valid(
    tmp_path: Path, data: st.DataObject, schema: h5s.SchemaSpec
) -> None:
    """The contract: when diff finds no breaking change, every conforming file of the old schema
    validates without errors under the new one."""
    values = data.draw(h5st.values_for(schema), label="values")
    path = fresh_path(tmp_path)
    try:
        h5s.materialize(path, schema, values=values)
    except Exception:
        assume(False)
    assume(h5s.validate(path, schema, isolate=False).valid)
    new = data.draw(_edited(schema), label="new schema")
    result = h5s.diff(schema, new)
    event("compatible" if result.compatible else "breaking")
    report = h5s.validate(path, new, isolate=False)
    if result.compatible:
        assert report.valid, f"{result}\n{report}"
    if not report.valid:
        assert result.breaking, f"{result}\n{report}"


# ---------------------------------------------------------------- command line


def _versions(tmp_path: Path) -> tuple[str, str, str]:
    v1 = _schema(
        _ds(name="x", dtype="int32", shape=("n",)), attributes=(h5s.AttributeSpec(name="u", type="str"),)
    )
    v2 = _schema(_ds(name="x", dtype={"kind": "family", "family": "integer"}, shape=("n",)),
                 attributes=(h5s.AttributeSpec(name="u", type="str"),))  # fmt: skip
    v3 = _schema(_ds(name="x", dtype="int32", shape=("n",)), _ds(name="y", dtype="int8"))
    paths = []
    for i, spec in enumerate((v1, v2, v3), 1):
        p = tmp_path / f"v{i}.yaml"
        p.write_text(spec.to_yaml())
        paths.append(str(p))
    return paths[0], paths[1], paths[2]


def test_cli_diff_exit_status_and_text(tmp_path: Path) -> None:
    v1, v2, v3 = _versions(tmp_path)
    code, out, _ = run("diff", v1, v1)
    assert (code, out.strip()) == (0, "S -> S: no changes")
    code, out, _ = run("diff", v1, v2)
    assert code == 0
    assert out.splitlines() == [
        "S -> S: 1 change: 0 breaking, 1 compatible",
        "  compatible  /x: dtype int32 -> any integer",
    ]
    code, out, _ = run("diff", v1, v3)
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "S -> S: 2 changes: 1 breaking, 1 compatible"
    assert any(line.startswith("  breaking    /y: required dataset added") for line in lines)
    assert any(line.startswith("  compatible  /@u: attribute removed") for line in lines)


def test_cli_diff_json_and_errors(tmp_path: Path) -> None:
    v1, _, v3 = _versions(tmp_path)
    code, out, _ = run("diff", v1, v3, "--format", "json")
    doc = json.loads(out)
    assert code == 1 and doc["compatible"] is False
    assert [(c["path"], c["change"], c["breaking"]) for c in doc["changes"]] == [
        ("/@u", "removed", False),  # the root is open: an undeclared attribute is a warning
        ("/y", "added", True),
    ]
    code, _, err = run("diff", v1, str(tmp_path / "missing.yaml"))
    assert code == 2 and "h5schema: error:" in err and "Traceback" not in err


def test_cli_diff_as_a_process(tmp_path: Path) -> None:
    v1, _, v3 = _versions(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "h5schema", "diff", v1, v3], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 1 and "breaking" in proc.stdout and proc.stderr == ""


def test_a_description_change_is_listed_once_with_both_texts() -> None:
    """A File class's docstring is the schema's and the root's description: one change."""
    old = h5s.SchemaSpec(name="S", description="One.", root=h5s.GroupSpec(description="One."))
    new = h5s.SchemaSpec(name="S", description="Two.", root=h5s.GroupSpec(description="Two."))
    change = _one(old, new)
    assert (change.element, change.field, change.breaking) == ("schema", "description", False)
    assert (change.old, change.new) == ('"One."', '"Two."')
    root_only = h5s.diff(old, new.model_copy(update={"description": "One."}))
    assert [(c.element, c.old, c.new) for c in root_only.changes] == [("group", '"One."', '"Two."')]
