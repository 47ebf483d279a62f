"""Bad schemas fail when they are defined, naming the field and the problem."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import h5schema as h5s


def define(**fields: Any) -> type[h5s.Group]:
    """Create a Group subclass named Bad with the given (annotation, default) fields."""
    namespace: dict[str, Any] = {"__annotations__": {k: v[0] for k, v in fields.items()}}
    namespace.update({k: v[1] for k, v in fields.items() if v[1] is not ...})
    return type("Bad", (h5s.Group,), namespace)


DS = h5s.Dataset


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        (
            {"d": (DS, h5s.dataset(np.int8, shape=(5,), maxshape=(3,)))},
            "Bad.d: maxshape (3,) is smaller than shape (5,)",
        ),
        (
            {"d": (DS, h5s.dataset(np.int8, shape=(5,), chunks=(6,)))},
            "Bad.d: chunks (6,) are larger than the bounded maximum 5",
        ),
        (
            {"d": (DS, h5s.dataset(np.int8, maxshape=(None, 4), chunks=(2, 8)))},
            "larger than the bounded maximum 4 on axis 1",
        ),
        (
            {"d": (DS, h5s.dataset(np.int8, shape=(5, 2), maxshape=(5,)))},
            "Bad.d: maxshape has rank 1 but shape (5, 2) has rank 2",
        ),
        (
            {"d": (DS, h5s.dataset(np.int8, shape=(5,), chunks=(1, 1)))},
            "Bad.d: chunks (1, 1) has rank 2, shape has 1",
        ),
        (
            {"d": (DS, h5s.dataset(np.int8, maxshape=(None,), chunks=False))},
            "unlimited axes in maxshape must be chunked",
        ),
        (
            {"d": (DS, h5s.dataset(np.int8, chunks=False, compression="gzip"))},
            "filters (compression, shuffle, fletcher32) need chunks",
        ),
        (
            {"d": (DS, h5s.dataset(np.int8, compression_opts=4))},
            "compression_opts (the gzip level) needs compression='gzip'",
        ),
        ({"d": (DS, h5s.dataset(str, ge=0))}, "range checks (gt/ge/lt/le) need a numeric dtype"),
        ({"d": (DS, h5s.dataset(np.complex64, ge=0))}, "do not apply to complex numbers"),
        (
            {"d": (DS, h5s.dataset(np.int8, allow_nan=False))},
            "allow_nan=False needs a float or complex dtype",
        ),
        ({"d": (DS, h5s.dataset(np.int8, values={1, 300}))}, "allowed value 300 does not fit dtype int8"),
        (
            {"d": (DS, h5s.dataset(h5s.string(2), values={"abc"}))},
            "allowed value 'abc' does not fit dtype str (fixed-length UTF-8, 2 bytes)",
        ),
        ({"d": (DS, h5s.dataset(np.uint8, fillvalue=-1))}, "fill value -1 does not fit dtype uint8"),
        ({"d": (DS, h5s.dataset("U5"))}, "Bad.d"),
        ({"d": (DS, h5s.dataset(np.int8, shape=(True,)))}, "a shape entry cannot be a bool"),
        (
            {"d": (DS, h5s.dataset(np.int8, shape=(), chunks=True))},
            "a scalar dataset cannot be chunked, filtered or resizable",
        ),
        (
            {"fs": (int, h5s.attribute(-1, gt=0))},
            "Bad.fs: default -1 breaks its own constraint: expected > 0",
        ),
        ({"s": (str, h5s.attribute("x", pattern="^v"))}, "Bad.s: default 'x' breaks its own constraint"),
        ({"s": (str, h5s.attribute(pattern="("))}, "Bad.s: pattern '(' is not a valid regular expression"),
        ({"s": (str, h5s.attribute(gt=0))}, "Bad.s"),
        ({"x": (dict[str, int], ...)}, "Bad.x: type dict[str, int] cannot be stored as an HDF5 attribute"),
        ({"x": (int, h5s.dataset(np.int8))}, "Bad.x: h5s.dataset() needs an h5s.Dataset annotation"),
        ({"x": (int, h5s.group())}, "Bad.x: h5s.group() needs an h5s.Group subclass annotation"),
        ({"x": (dict[str, int], h5s.members("a"))}, "Bad.x: h5s.members() needs a dict"),
        (
            {"x": (dict[str, DS], h5s.members("(", dataset=h5s.dataset(np.int8)))},
            "is not a valid regular expression",
        ),
        (
            {"x": (dict[str, DS], h5s.members("a", min_count=3, max_count=1))},
            "min_count 3 is greater than max_count 1",
        ),
        ({"x": (DS, h5s.dataset(np.int8, name="a/b"))}, "'a/b' is not a valid HDF5 member name"),
        (
            {"d": (DS, h5s.dataset(np.int8, shape=(), compression="gzip"))},
            "cannot be chunked, filtered or resizable",
        ),
        ({"d": (DS, h5s.dataset(np.int8, shape=(None, 0), maxshape=(None, 0)))}, "has an axis of length 0"),
        ({"d": (DS, h5s.dataset(str, fletcher32=True))}, "fletcher32 cannot apply to variable-length data"),
        (
            {
                "a": (DS, h5s.dataset(np.int8, shape=(h5s.dim("n", size=3),))),
                "b": (DS, h5s.dataset(np.int8, shape=(h5s.dim("n", size=4),))),
            },
            "dim 'n' is given size 3 in 'a' and 4 in 'b'",
        ),
        (
            {"a": (DS, h5s.dataset(np.int8, name="b")), "b": (DS, h5s.dataset(np.int8))},
            "member 'b' is declared twice",
        ),
    ],
)
def test_bad_schema_fails_at_class_creation(fields: dict[str, Any], words: str) -> None:
    """Each malformed declaration raises SchemaDefinitionError naming the field and problem."""
    with pytest.raises(h5s.SchemaDefinitionError) as info:
        define(**fields)
    assert words in str(info.value)
    assert isinstance(info.value, TypeError)


def test_dim_helper_rejects_contradictions() -> None:
    """h5s.dim() refuses size with bounds and min greater than max."""
    with pytest.raises(h5s.SchemaDefinitionError, match=r"h5s.dim\(\): give either size or min/max"):
        h5s.dim("n", size=3, min=1)
    with pytest.raises(h5s.SchemaDefinitionError, match="min 5 is greater than max 2"):
        h5s.dim(min=5, max=2)
    with pytest.raises(h5s.SchemaDefinitionError, match=r"h5s.string\(\): .*greater than or equal to 1"):
        h5s.string(0)
    with pytest.raises(h5s.SchemaDefinitionError, match=r"h5s.family\(\)"):
        h5s.family("x")  # type: ignore[arg-type]


def test_bad_document_names_its_location() -> None:
    """A malformed JSON/YAML document raises SchemaDefinitionError with the location."""
    doc = "root:\n  members:\n    - kind: dataset\n      name: d\n      shape: [5]\n      maxshape: [3]\n"
    with pytest.raises(
        h5s.SchemaDefinitionError, match=r"root\.members\.0\.dataset.*maxshape \(3,\) is smaller"
    ):
        h5s.SchemaSpec.from_yaml(doc)
    with pytest.raises(h5s.SchemaDefinitionError, match="not valid YAML"):
        h5s.SchemaSpec.from_yaml("root: [")
    with pytest.raises(h5s.SchemaDefinitionError):
        h5s.SchemaSpec.from_json('{"root": {"kind": "group", "bogus": 1}}')


def test_class_and_document_forms_are_equal() -> None:
    """A class compiles to a document that dumps and loads back to the same spec."""

    class G(h5s.Group):
        label: str = h5s.attribute("x", max_length=3)
        raw: bytes = b"\xff\x00"
        d: h5s.Dataset = h5s.dataset(bytes, shape=("n",), maxshape=(None,), values={b"a", b"\xfe"})
        f: h5s.Dataset = h5s.dataset(np.float64, fillvalue=float("nan"), shape=(2, h5s.dim(min=1)))

    class S(h5s.File):
        g: G = h5s.group()
        many: dict[str, G] = h5s.members(r"g\d+", max_count=4)

    spec = S.to_spec()
    assert h5s.SchemaSpec.from_json(spec.to_json()).to_json() == spec.to_json()
    assert h5s.SchemaSpec.from_yaml(spec.to_yaml()).to_json() == spec.to_json()
    assert h5s.SchemaSpec.from_yaml(spec.to_yaml()).root.members[0] == spec.root.members[0]


def test_attribute_patterns_use_python_regexes_everywhere(tmp_path: Any) -> None:
    """Look-around patterns work in instances and in files alike (one regex engine)."""

    class S(h5s.File):
        name: str = h5s.attribute(pattern=r"^(?!tmp)")

    with pytest.raises(ValueError, match="pattern"):
        S(name="tmpfile")
    assert S(name="data").name == "data"
    assert S.to_spec().root.attributes[0].pattern == r"^(?!tmp)"


def test_mixed_literal_names_the_real_problem() -> None:
    """A Literal mixing types says its values must share one type."""
    from typing import Literal

    with pytest.raises(h5s.SchemaDefinitionError, match="values must all be of one type"):
        define(x=(Literal[1, "a"], ...))


def test_complex_array_defaults_keep_their_shape_in_documents() -> None:
    """A complex array default is written as its real and imaginary parts, each of the array's
    shape: 0-d and 2-d arrays read back as they were (a flat list of pairs lost the shape, which
    hypothesis found), infinite parts too. Documents of earlier versions, flat [real, imag]
    pairs, still read."""
    default: Any
    for default, shape in [
        (np.array(1 + 2j, np.complex64), ()),
        (np.array([[1 + 2j, 3j], [-1, 0]], np.complex128), (2, 2)),
        (np.array(0j, np.complex64), None),
        (np.array([complex(0, np.inf), complex(-np.inf, 1)], np.complex128), (2,)),  # no nan parts
    ]:
        dtype = str(default.dtype)
        attr = h5s.AttributeSpec(name="z", type="array", dtype=dtype, shape=shape, default=default)
        spec = h5s.SchemaSpec(name="C", root=h5s.GroupSpec(attributes=(attr,)))
        for back in (h5s.SchemaSpec.from_json(spec.to_json()), h5s.SchemaSpec.from_yaml(spec.to_yaml())):
            got: Any = back.root.attributes[0].default
            assert got.shape == default.shape and got.dtype == default.dtype and (got == default).all()
    old = '{"name": "C", "root": {"attributes": [{"name": "z", "type": "array", "dtype": "complex64", '
    old += '"default": [[1.0, 2.0], [0.0, -1.0]]}]}}'
    assert h5s.SchemaSpec.from_json(old).root.attributes[0].default.tolist() == [1 + 2j, -1j]
    bad = old.replace("[[1.0, 2.0], [0.0, -1.0]]", '{"real": [1.0], "imag": [1.0, 2.0]}')
    with pytest.raises(h5s.SchemaDefinitionError, match="real parts have shape"):
        h5s.SchemaSpec.from_json(bad)
