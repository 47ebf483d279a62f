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
from h5schema._formats import FORMATS, colored, passed, render, use_color
from h5schema._limits import Limits, parse_bytes
from h5schema._report import Report, unreadable_report

if TYPE_CHECKING:  # pydantic and numpy load in the readers; here only for a bad schema's message
    from h5schema._isolation import Shipment
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
    except (SchemaDefinitionError, SchemaLoadError) as exc:
        _usage_error(_load_error(exc))


def _load_error(exc: SchemaDefinitionError | SchemaLoadError) -> str:
    return f"bad schema: {exc}" if isinstance(exc, SchemaDefinitionError) else str(exc)


def _shipped(ref: str, limits: Limits) -> Shipment:
    """The schema for the readers: as a reference each reader loads itself, so that this process
    never imports pydantic; when it does not load there, loaded here to say why (exit 2)."""
    from h5schema._isolation import by_value, load_reference

    return load_reference(ref, limits) or by_value(_load(ref))


def _reports(files: list[str], schema: Shipment, check_data: bool, jobs: int, limits: Limits) -> list[Report]:
    """One report per file, each validated in a sandboxed reader process."""
    from h5schema._isolation import run_many

    reports = run_many(files, schema, jobs=jobs, check_data=check_data, limits=limits)
    try:
        if not sys.stderr.isatty():
            return list(reports)
        from tqdm import tqdm  # imported only for a terminal: it takes longer than a small file

        # A progress bar at once for many files, else once a run takes 2 s.
        with tqdm(
            total=len(files), file=sys.stderr, unit="file", leave=False,
            delay=0 if len(files) >= 50 else 2.0, desc="h5schema",
        ) as bar:  # fmt: skip
            out = []
            for report in reports:
                out.append(report)
                bar.update()
            return out
    except Exception as exc:  # a bug of ours must still give reports, not a traceback
        reason = f"validation failed: {type(exc).__name__}: {exc}"
        return [unreadable_report(f, schema.name, reason) for f in files]


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
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error.")
def cli(debug: bool) -> None:
    """Validate HDF5 files against declared schemas."""


DEFAULT_GLOBS = ("*.h5", "*.hdf5", "*.nc")


def _codes_option(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> list[str] | None:
    from h5schema._codes import Code

    if not value:
        return None
    codes = [c.strip() for v in value for c in v.split(",") if c.strip()]
    known = {c.value for c in Code}
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise click.BadParameter(f"unknown code {unknown[0]!r}; codes are: {', '.join(sorted(known))}")
    return codes


def _expand(paths: tuple[str, ...], globs: tuple[str, ...]) -> list[str]:
    """Files as given; directories searched recursively for names matching ``globs``."""
    out: list[str] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            out.extend(_search(p, globs))
        elif path.exists() or path.is_symlink():
            out.append(p)
        elif any(c in p for c in "*?["):  # a glob the shell did not expand (quoted, or Windows)
            import glob

            out.extend(sorted(f for f in glob.glob(p, recursive=True) if not Path(f).is_dir()))
        else:
            _usage_error(f"no such file: {p}")
    return out


def _search(top: str, globs: tuple[str, ...]) -> list[str]:
    """Files and fifos under ``top`` whose names match one of ``globs``, as ``Path.rglob`` finds
    them (symlinked directories not entered), in path order; one walk for all the patterns."""
    import fnmatch
    import stat

    if any(os.sep in g or (os.altsep and os.altsep in g) for g in globs):  # patterns with folders
        found = {f for g in globs for f in Path(top).rglob(g) if f.is_file() or f.is_fifo()}
        return [str(f) for f in sorted(found)]
    out = []
    for folder, _dirs, names in os.walk(top):
        for name in names:
            if any(fnmatch.fnmatch(name, g) for g in globs):
                full = os.path.join(folder, name)
                try:
                    mode = os.stat(full).st_mode
                except OSError:  # a broken symlink
                    continue
                if stat.S_ISREG(mode) or stat.S_ISFIFO(mode):
                    out.append(full)
    return sorted(out, key=lambda f: f.split(os.sep))  # as Path sorts: by component


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option(
    "--schema",
    "-s",
    "schema_ref",
    required=True,
    metavar="REF",
    help="path/to/module.py:Class, package.module:Class, or a .json/.yaml document.",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option(
    "--glob",
    "globs",
    multiple=True,
    metavar="PATTERN",
    help="File names to validate inside directories (repeatable) [default: *.h5, *.hdf5, *.nc].",
)
@click.option("--no-data-checks", is_flag=True, help="Check metadata only; skip value checks.")
@click.option("--strict", is_flag=True, help="Warnings fail too (exit 1).")
@click.option(
    "--select", multiple=True, callback=_codes_option, metavar="CODES", help="Report only these codes."
)
@click.option(
    "--ignore", multiple=True, callback=_codes_option, metavar="CODES", help="Do not report these codes."
)
@click.option(
    "--max-violations", type=click.IntRange(min=1), default=None, metavar="N", help="At most N per file."
)
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
    paths: tuple[str, ...],
    schema_ref: str,
    fmt: str,
    globs: tuple[str, ...],
    no_data_checks: bool,
    strict: bool,
    select: list[str] | None,
    ignore: list[str] | None,
    max_violations: int | None,
    jobs: int | None,
    timeout: float,
    memory: int | None,
) -> None:
    """Validate files (and the HDF5 files under directories) against a schema.

    Exit 0 when every file is valid, 1 when one has an error (or, with --strict, a warning),
    2 on a usage error or a bad schema. Each file is read in a separate sandboxed process: a
    file that crashes the HDF5 library, hangs it or exhausts memory is reported as unreadable,
    and the others are still checked.
    """
    files = _expand(paths, globs or DEFAULT_GLOBS)
    if not files:  # a wrong data path must fail a CI check, not pass it on nothing
        patterns = ", ".join(globs or DEFAULT_GLOBS)
        _usage_error(f"no files to validate: no file under {', '.join(paths)} matches {patterns}")
    from h5schema._isolation import prestart

    workers = max(1, min(jobs or os.cpu_count() or 1, len(files) or 1))
    prestart(workers, memory)
    limits = Limits(timeout=timeout, memory=memory)
    schema = _shipped(schema_ref, limits)
    reports = [
        r.only(select=select, ignore=ignore or ())
        for r in _reports(files, schema, not no_data_checks, workers, limits)
    ]
    ok = all(passed(r, strict) for r in reports)
    shown = [r.only(limit=max_violations) for r in reports] if max_violations else reports
    output = render(fmt, shown, strict=strict, color=use_color(sys.stdout))
    if output:
        click.echo(output)
    sys.exit(EXIT_OK if ok else EXIT_INVALID)


@cli.command()
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
        _usage_error("--format json prints the file's manifest only; it cannot be combined with --schema")
    if not Path(file).exists():
        _usage_error(f"no such file: {file}")
    from h5schema._isolation import manifest_isolated, prestart

    limits = Limits(timeout=timeout)
    prestart(1, limits.memory)
    schema = _shipped(schema_ref, limits) if schema_ref else None
    manifest = manifest_isolated(file, limits)
    if isinstance(manifest, str):
        click.echo(
            f"h5schema: error: {file}: {manifest}" if fmt == "json" else f"{file}: {manifest}",
            err=fmt == "json",
        )
        sys.exit(EXIT_INVALID)
    if fmt == "json":
        click.echo(_json_text(manifest))
        sys.exit(EXIT_OK)
    report = None
    if schema is not None:
        (report,) = _reports([file], schema, not no_data_checks, 1, limits)
    from h5schema._show import render_tree

    text = render_tree(manifest, report)
    click.echo(colored(text) if use_color(sys.stdout) else text)
    sys.exit(EXIT_OK if report is None or report.valid else EXIT_INVALID)


def _json_text(document: Any) -> str:
    """Indented JSON; non-ASCII as is, unless a name from a file holds a lone surrogate."""
    try:
        text = json.dumps(document, indent=2, ensure_ascii=False)
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(document, indent=2)
    return text


@cli.command()
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
        _usage_error(f"no such file: {file}")
    if output is not None and Path(output).suffix not in (".yaml", ".yml", ".json", ".py"):
        _usage_error(f"--output must end in .py, .yaml, .yml or .json: {output}")
    from h5schema._isolation import infer_isolated

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


@cli.command("check-schema")
@click.argument("schema_refs", metavar="REF...", nargs=-1, required=True)
def check_schema(schema_refs: tuple[str, ...]) -> None:
    """Load schemas and report whether each is well defined (exit 0) or not (exit 2)."""
    from h5schema._loader import load_schema

    ok = True
    for ref in schema_refs:
        try:
            spec = load_schema(ref)
        except (SchemaDefinitionError, SchemaLoadError) as exc:
            click.echo(f"h5schema: error: {_load_error(exc)}", err=True)
            ok = False
            continue
        groups, datasets, attributes = _count(spec.root)
        click.echo(
            f"{ref}: ok: schema {spec.name}, {_plural(groups, 'group')}, "
            f"{_plural(datasets, 'dataset')}, {_plural(attributes, 'attribute')} declared"
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


@cli.command()
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
    spec = _load(schema_ref)
    if fmt == "jsonschema":
        from h5schema._jsonschema import to_json_schema

        click.echo(_json_text(to_json_schema(spec)))
    else:
        click.echo(spec.to_json() if fmt == "json" else spec.to_yaml().rstrip("\n"))


_DIFF_STYLES = {
    "  breaking  ": click.style("  breaking  ", fg="red", bold=True),
    "  compatible": click.style("  compatible", fg="green"),
}


@cli.command("diff")
@click.argument("old_ref", metavar="OLD_REF")
@click.argument("new_ref", metavar="NEW_REF")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def diff_command(old_ref: str, new_ref: str, fmt: str) -> None:
    """Show what changed between two versions of a schema, each change compatible or breaking.

    A change is compatible when every file valid under OLD_REF stays valid under NEW_REF.
    Exit 0 when no change is breaking, 1 when one is, 2 on a usage error or a bad schema.
    """
    from h5schema._diff import diff

    result = diff(_load(old_ref), _load(new_ref))
    if fmt == "json":
        click.echo(result.to_json())
    else:
        text = str(result)
        click.echo(colored(text, _DIFF_STYLES) if use_color(sys.stdout) else text)
    sys.exit(EXIT_OK if result.compatible else EXIT_INVALID)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``h5schema`` script and of ``python -m h5schema``."""
    args = sys.argv[1:] if argv is None else argv
    try:
        status = cli.main(args=args, prog_name="h5schema", standalone_mode=False)
    except click.UsageError as exc:  # one line, like every other error, with where to look
        where = exc.ctx.command_path if exc.ctx is not None else "h5schema"
        click.echo(f"h5schema: error: {exc.format_message()} (see '{where} --help')", err=True)
        sys.exit(EXIT_USAGE)
    except click.ClickException as exc:
        click.echo(f"h5schema: error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except (KeyboardInterrupt, click.Abort):
        click.echo("h5schema: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug of ours: one line, unless asked for the traceback
        if "--debug" in args or os.environ.get("H5SCHEMA_DEBUG"):
            raise
        click.echo(
            f"h5schema: error: internal error: {type(exc).__name__}: {exc} "
            "(run 'h5schema --debug ...' for the traceback, and please report it)",
            err=True,
        )
        sys.exit(EXIT_USAGE)
    sys.exit(status if isinstance(status, int) else EXIT_OK)
