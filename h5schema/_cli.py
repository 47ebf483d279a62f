"""The ``h5schema`` command line.

Exit status: 0 every file valid (warnings allowed), 1 a file has an error (including an
unreadable file), 2 usage error or bad schema. Errors are one line, never a traceback.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from h5schema._errors import SchemaDefinitionError, SchemaLoadError
from h5schema._limits import Limits, parse_bytes
from h5schema._report import Report, unreadable_report

if TYPE_CHECKING:  # pydantic and numpy load with the schema, after the readers are started
    from h5schema._spec import SchemaSpec

__all__ = ["main"]

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def _usage_error(message: str) -> NoReturn:
    click.echo(f"h5schema: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


def _load(ref: str) -> SchemaSpec:
    from h5schema._loader import load_schema

    try:
        return load_schema(ref)
    except SchemaDefinitionError as exc:
        _usage_error(f"bad schema: {exc}")
    except SchemaLoadError as exc:
        _usage_error(str(exc))


def _reports(
    files: tuple[str, ...], spec: SchemaSpec, check_data: bool, jobs: int, limits: Limits
) -> list[Report]:
    """One report per file, each validated in a sandboxed child process."""
    from h5schema._check import validate_many

    try:
        return list(validate_many(files, spec, jobs=jobs, check_data=check_data, limits=limits))
    except Exception as exc:  # a bug of ours must still give reports, not a traceback
        reason = f"validation failed: {type(exc).__name__}: {exc}"
        return [unreadable_report(f, spec.name, reason) for f in files]


def _size(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    if value is None or value.lower() == "none":
        return None
    try:
        return parse_bytes(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


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
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Files checked in parallel [default: cores].",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    help="Seconds allowed per file; a file that takes longer is reported unreadable.",
)
@click.option(
    "--memory-limit",
    "memory",
    callback=_size,
    default="2GiB",
    show_default=True,
    metavar="SIZE",
    help="Memory allowed per file (512MiB, 2GiB, none); beyond it the file is reported unreadable.",
)
def validate(
    files: tuple[str, ...],
    schema_ref: str,
    fmt: str,
    no_data_checks: bool,
    jobs: int | None,
    timeout: float,
    memory: int | None,
) -> None:
    """Validate FILES against a schema; exit 1 if any has an error.

    Each file is read in a separate sandboxed process: a file that crashes the HDF5 library,
    hangs it or exhausts memory is reported as unreadable, and the others are still checked.
    """
    missing = [f for f in files if not Path(f).exists()]
    if missing:
        _usage_error(f"no such file: {missing[0]}")
    from h5schema._isolation import prestart

    workers = max(1, min(jobs or os.cpu_count() or 1, len(files)))
    prestart(workers, memory)  # the children import h5py while this process loads the schema
    spec = _load(schema_ref)
    limits = Limits(timeout=timeout, memory=memory)
    reports = _reports(files, spec, not no_data_checks, workers, limits)
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
