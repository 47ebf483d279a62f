"""What the commands share: exit statuses, one-line usage errors, schema loading, JSON text."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any, NoReturn

import click

from h5schema._errors import SchemaDefinitionError, SchemaLoadError
from h5schema._sandbox import Shipment, by_value, load_reference
from h5schema._validate.limits import Limits, parse_bytes

if TYPE_CHECKING:
    from h5schema._schema.spec import SchemaSpec

__all__ = [
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_USAGE",
    "json_text",
    "load",
    "load_error",
    "shipped",
    "size_option",
    "usage_error",
]

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def usage_error(message: str) -> NoReturn:
    click.echo(f"h5schema: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


def load(ref: str) -> SchemaSpec:
    from h5schema._schema.loader import load_schema

    try:
        return load_schema(ref)
    except (SchemaDefinitionError, SchemaLoadError) as exc:
        usage_error(load_error(exc))


def load_error(exc: SchemaDefinitionError | SchemaLoadError) -> str:
    return f"bad schema: {exc}" if isinstance(exc, SchemaDefinitionError) else str(exc)


def shipped(ref: str, limits: Limits) -> Shipment:
    """The schema for the readers: as a reference each reader loads itself, so that this process
    never imports pydantic; when it does not load there, loaded here to say why (exit 2)."""
    return load_reference(ref, limits) or by_value(load(ref))


def size_option(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    if value is None or value.lower() == "none":
        return None
    try:
        return parse_bytes(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def json_text(document: Any) -> str:
    """Indented JSON; non-ASCII as is, unless a name from a file holds a lone surrogate."""
    try:
        text = json.dumps(document, indent=2, ensure_ascii=False)
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(document, indent=2)
    return text
