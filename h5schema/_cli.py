"""The ``h5schema`` command line.

Exit status: 0 every file valid (warnings allowed), 1 a file has an error (including an
unreadable file), 2 usage error or bad schema. Errors are one line, never a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from h5schema._codes import Code
from h5schema._errors import SchemaDefinitionError, SchemaLoadError
from h5schema._loader import load_schema
from h5schema._report import Report, Violation
from h5schema._spec import SchemaSpec

__all__ = ["main"]

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def _usage_error(message: str) -> NoReturn:
    click.echo(f"h5schema: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


def _load(ref: str) -> SchemaSpec:
    try:
        return load_schema(ref)
    except SchemaDefinitionError as exc:
        _usage_error(f"bad schema: {exc}")
    except SchemaLoadError as exc:
        _usage_error(str(exc))


def _validate_one(path: str, spec: SchemaSpec, check_data: bool) -> Report:
    from h5schema._validate import validate

    try:
        return validate(path, spec, check_data=check_data)
    except Exception as exc:  # a bug of ours must still give a report, not a traceback
        v = Violation(
            "/", Code.FILE_UNREADABLE, f"{path}: validation failed: {type(exc).__name__}: {exc}",
            "an HDF5 file", str(exc),
        )  # fmt: skip
        return Report(file=path, schema=spec.name, violations=(v,))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="h5schema", prog_name="h5schema")
def cli() -> None:
    """Validate HDF5 files against declared schemas."""


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=str))
@click.option(
    "--schema",
    "-s",
    "schema_ref",
    required=True,
    metavar="REF",
    help="path/to/module.py:Class, package.module:Class, or a .json/.yaml document.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--no-data-checks", is_flag=True, help="Check metadata only; skip value checks.")
def validate(files: tuple[str, ...], schema_ref: str, fmt: str, no_data_checks: bool) -> None:
    """Validate FILES against a schema; exit 1 if any has an error."""
    missing = [f for f in files if not Path(f).exists()]
    if missing:
        _usage_error(f"no such file: {missing[0]}")
    spec = _load(schema_ref)
    reports = [_validate_one(f, spec, not no_data_checks) for f in files]
    all_valid = all(r.valid for r in reports)
    if fmt == "json":
        doc: dict[str, Any] = {"valid": all_valid, "files": [r.to_dict() for r in reports]}
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        for r in reports:
            click.echo(str(r))
        n_err = sum(len(r.errors) for r in reports)
        n_warn = sum(len(r.warnings) for r in reports)
        invalid = sum(not r.valid for r in reports)
        click.echo(
            f"{_plural(len(reports), 'file')}, {invalid} invalid, "
            f"{_plural(n_err, 'error')}, {_plural(n_warn, 'warning')}"
        )
    sys.exit(EXIT_OK if all_valid else EXIT_INVALID)


@cli.command()
@click.argument("schema_ref", metavar="REF")
@click.option("--format", "fmt", type=click.Choice(["json", "yaml"]), default="yaml", show_default=True)
def export(schema_ref: str, fmt: str) -> None:
    """Print a schema as a JSON or YAML document."""
    spec = _load(schema_ref)
    click.echo(spec.to_json() if fmt == "json" else spec.to_yaml().rstrip("\n"))


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``h5schema`` script and of ``python -m h5schema``."""
    try:
        cli.main(args=argv, prog_name="h5schema", standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("h5schema: interrupted", err=True)
        sys.exit(130)
