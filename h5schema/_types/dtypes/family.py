"""Opt-in looseness: a family of dtypes ("float" is any of float16 .. long double)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from h5schema._errors import definition_error
from h5schema._types.dtypes.base import DTypeBase, LiteralSource, json_object
from h5schema._types.dtypes.numeric import FAMILY_MEMBERS, NumericDType
from h5schema._types.dtypes.string import StringDType

if TYPE_CHECKING:
    from h5schema._types.dtypes import DTypeSpec

__all__ = ["FamilyDType", "FamilyName", "family"]

FamilyName = Literal["integer", "signed", "unsigned", "float", "complex", "number", "text", "any"]
_NUMBER_FAMILIES = ("integer", "signed", "unsigned", "float", "complex", "number")


class FamilyDType(DTypeBase):
    """Opt-in looseness: any member of a family ("float" matches float16..longdouble)."""

    kind: Literal["family"] = "family"
    family: FamilyName

    def matches(self, observed: DTypeSpec) -> bool:
        if self.family == "any":
            return True
        if self.family == "text":
            return isinstance(observed, StringDType)
        return isinstance(observed, NumericDType) and observed.name in FAMILY_MEMBERS[self.family]

    def describe(self) -> str:
        return f"any {self.family}"

    def is_concrete(self) -> bool:
        return False

    def accepts_all(self) -> bool:
        return self.family == "any"

    def in_array_attributes(self) -> bool:
        return self.family != "text"

    def is_numeric(self, *, floating: bool = False) -> bool:
        return self.family in (("float", "complex") if floating else _NUMBER_FAMILIES)

    def is_complex(self) -> bool:
        return self.family == "complex"

    def holds_real_numbers(self) -> bool:
        return self.family in ("integer", "signed", "unsigned", "float")

    def json_schema(self) -> dict[str, Any]:
        if self.family == "any":
            return {}
        if self.family == "text":
            return json_object({"kind": {"const": "string"}}, ["kind"])
        names = sorted(FAMILY_MEMBERS[self.family])
        return json_object({"kind": {"const": "numeric"}, "name": {"enum": names}}, ["kind", "name"])

    def python_source(self, literal: LiteralSource) -> str:
        return f"h5s.family({literal(self.family)})"

    def _widens_to(self, new: DTypeSpec) -> bool:
        """A number family widens to a family holding all its members; text only to itself."""
        return (
            isinstance(new, FamilyDType)
            and self.family in FAMILY_MEMBERS
            and new.family in FAMILY_MEMBERS
            and FAMILY_MEMBERS[self.family] <= FAMILY_MEMBERS[new.family]
        )


def family(name: FamilyName) -> FamilyDType:
    """A dtype family: "integer", "signed", "unsigned", "float", "complex", "number", "text", "any".

    >>> from h5schema._types.dtypes import as_dtype
    >>> family("float").matches(as_dtype("float16"))
    True
    """
    try:
        return FamilyDType(family=name)
    except ValueError as exc:
        raise definition_error("h5s.family()", exc) from None
