"""``h5schema show`` and ``h5schema infer``: what a file holds, read in the sandbox."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from h5schema._cli.common import EXIT_INVALID, EXIT_OK, json_text, shipped, usage_error
from h5schema._cli.tree import render_tree
from h5schema._cli.validate import validate_files
from h5schema._report.formats import colored, use_color
from h5schema._sandbox import infer_isolated, manifest_isolated, prestart
from h5schema._validate.limits import Limits

__all__ = ["infer", "show"]


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@click.option("--schema", "-s", "schema_ref", metavar="REF", help="Annotate each node with its violations.")
@click.option("--no-data-checks", is_flag=True, help="With --schema: check metadata only.")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="json: the file's manifest, one JSON document (not with --schema).",
)  # fmt: skip
@click.option(
    "--timeout", type=click.FloatRange(min=0, min_open=True), default=30.0, show_default=True,
    help="Seconds allowed to read the file.",
)  # fmt: skip
def show(file: str, schema_ref: str | None, no_data_checks: bool, fmt: str, timeout: float) -> None:
    """Print FILE's tree: dtype, shape, maxshape, chunks, compression and attributes per node.

    With --schema, each node is marked [ok] or followed by its violations, and the exit status
    is the one validate gives. With --format json, print the file's manifest instead: its
    structure as one JSON document, which the schema's JSON Schema (export --format jsonschema)
    checks. The file is read in a sandboxed process, like validate.
    """
    if fmt == "json" and schema_ref:
        usage_error("--format json prints the file's manifest only; it cannot be combined with --schema")
    if not Path(file).exists():
        usage_error(f"no such file: {file}")
    limits = Limits(timeout=timeout)
    prestart(1, limits.memory)
    schema = shipped(schema_ref, limits) if schema_ref else None
    manifest = manifest_isolated(file, limits)
    if isinstance(manifest, str):
        click.echo(
            f"h5schema: error: {file}: {manifest}" if fmt == "json" else f"{file}: {manifest}",
            err=fmt == "json",
        )
        sys.exit(EXIT_INVALID)
    if fmt == "json":
        click.echo(json_text(manifest))
        sys.exit(EXIT_OK)
    report = None
    if schema is not None:
        (report,) = validate_files([file], schema, not no_data_checks, 1, limits)
    text = render_tree(manifest, report)
    click.echo(colored(text) if use_color(sys.stdout) else text)
    sys.exit(EXIT_OK if report is None or report.valid else EXIT_INVALID)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=str), default=None,
    help="Write the schema here (.py: classes; .yaml, .yml, .json: a document) [default: print YAML].",
)  # fmt: skip
@click.option("--name", default=None, help="The schema's name [default: from the file name].")
def infer(file: str, output: str | None, name: str | None) -> None:
    """Write a schema FILE validates against: its groups, datasets and attributes as they are.

    Exact dtypes and string flavours, fixed axes fixed, resizable axes of any length (named when
    datasets of a group share a length), maxshape, chunks, filters and attribute types. Soft and
    external links are not declared. Edit the result: loosen what may vary, add data checks.
    """
    if not Path(file).exists():
        usage_error(f"no such file: {file}")
    if output is not None and Path(output).suffix not in (".yaml", ".yml", ".json", ".py"):
        usage_error(f"--output must end in .py, .yaml, .yml or .json: {output}")
    stem = "".join(c if c.isalnum() else "_" for c in Path(file).stem)
    suffix = Path(output).suffix if output is not None else ".yaml"
    form = {".py": "python", ".json": "json"}.get(suffix, "yaml")
    note = f"Inferred by `h5schema infer` from {Path(file).name}: loosen what may vary, add data checks."
    name = name or (stem[:1].upper() + stem[1:] or "Inferred")
    ok, text = infer_isolated(file, name, Limits(), form, note)
    if not ok:
        click.echo(f"h5schema: error: {file}: {text}", err=True)
        sys.exit(EXIT_INVALID)
    if output is None:
        click.echo(text.rstrip("\n"))
    else:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")
