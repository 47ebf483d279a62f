"""``h5schema check-schema``, ``export`` and ``diff``: schemas themselves, loaded here."""

from __future__ import annotations

import sys
from typing import Any

import click

from h5schema._cli.common import EXIT_INVALID, EXIT_OK, EXIT_USAGE, json_text, load, load_error
from h5schema._convert.jsonschema import to_json_schema
from h5schema._diff.changes import diff
from h5schema._errors import SchemaDefinitionError, SchemaLoadError
from h5schema._report.formats import colored, use_color
from h5schema._report.report import plural
from h5schema._schema.loader import load_schema

__all__ = ["check_schema", "diff_command", "export"]


@click.command("check-schema")
@click.argument("schema_refs", metavar="REF...", nargs=-1, required=True)
def check_schema(schema_refs: tuple[str, ...]) -> None:
    """Load schemas and report whether each is well defined (exit 0) or not (exit 2)."""
    ok = True
    for ref in schema_refs:
        try:
            spec = load_schema(ref)
        except (SchemaDefinitionError, SchemaLoadError) as exc:
            click.echo(f"h5schema: error: {load_error(exc)}", err=True)
            ok = False
            continue
        groups, datasets, attributes = _count(spec.root)
        click.echo(
            f"{ref}: ok: schema {spec.name}, {plural(groups, 'group')}, "
            f"{plural(datasets, 'dataset')}, {plural(attributes, 'attribute')} declared"
        )
    sys.exit(EXIT_OK if ok else EXIT_USAGE)


def _count(group: Any) -> tuple[int, int, int]:
    """Groups (the root included), datasets and attributes declared under a group spec."""
    groups, datasets, attributes = 1, 0, len(group.attributes)
    items = [*group.members, *(p.item for p in group.patterns)]
    for item in items:
        if item.kind == "group":
            g, d, a = _count(item)
            groups, datasets, attributes = groups + g, datasets + d, attributes + a
        else:
            datasets, attributes = datasets + 1, attributes + len(item.attributes)
    return groups, datasets, attributes


@click.command()
@click.argument("schema_ref", metavar="REF")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "yaml", "jsonschema"]), default="yaml", show_default=True
)
def export(schema_ref: str, fmt: str) -> None:
    """Print a schema as a JSON or YAML document, or as a JSON Schema for file manifests.

    --format jsonschema prints a JSON Schema (draft 2020-12) that the manifest of a file
    (show FILE --format json) satisfies when the file meets the schema's metadata rules; what
    JSON Schema cannot express is listed in it under x-h5schema-unchecked.
    """
    spec = load(schema_ref)
    if fmt == "jsonschema":
        click.echo(json_text(to_json_schema(spec)))
    else:
        click.echo(spec.to_json() if fmt == "json" else spec.to_yaml().rstrip("\n"))


_DIFF_STYLES = {
    "  breaking  ": click.style("  breaking  ", fg="red", bold=True),
    "  compatible": click.style("  compatible", fg="green"),
}


@click.command("diff")
@click.argument("old_ref", metavar="OLD_REF")
@click.argument("new_ref", metavar="NEW_REF")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def diff_command(old_ref: str, new_ref: str, fmt: str) -> None:
    """Show what changed between two versions of a schema, each change compatible or breaking.

    A change is compatible when every file valid under OLD_REF stays valid under NEW_REF.
    Exit 0 when no change is breaking, 1 when one is, 2 on a usage error or a bad schema.
    """
    result = diff(load(old_ref), load(new_ref))
    if fmt == "json":
        click.echo(result.to_json())
    else:
        text = str(result)
        click.echo(colored(text, _DIFF_STYLES) if use_color(sys.stdout) else text)
    sys.exit(EXIT_OK if result.compatible else EXIT_INVALID)
