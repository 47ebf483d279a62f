"""``h5schema validate``: files (and the HDF5 files under directories) against one schema."""

from __future__ import annotations

import fnmatch
import glob
import os
import stat
import sys
from pathlib import Path

import click

from h5schema._cli.common import EXIT_INVALID, EXIT_OK, shipped, size_option, usage_error
from h5schema._report.codes import Code
from h5schema._report.formats import FORMATS, passed, render, use_color
from h5schema._report.report import Report, unreadable_report
from h5schema._sandbox import Shipment, prestart, run_many
from h5schema._validate.limits import Limits

__all__ = ["validate", "validate_files"]


def validate_files(
    files: list[str], schema: Shipment, check_data: bool, jobs: int, limits: Limits
) -> list[Report]:
    """One report per file, each validated in a sandboxed reader process."""
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


DEFAULT_GLOBS = ("*.h5", "*.hdf5", "*.nc")


def _codes_option(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> list[str] | None:
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
            out.extend(sorted(f for f in glob.glob(p, recursive=True) if not Path(f).is_dir()))
        else:
            usage_error(f"no such file: {p}")
    return out


def _search(top: str, globs: tuple[str, ...]) -> list[str]:
    """Files and fifos under ``top`` whose names match one of ``globs``, as ``Path.rglob`` finds
    them (symlinked directories not entered), in path order; one walk for all the patterns."""
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


@click.command()
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
    callback=size_option,
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
        usage_error(f"no files to validate: no file under {', '.join(paths)} matches {patterns}")
    workers = max(1, min(jobs or os.cpu_count() or 1, len(files) or 1))
    prestart(workers, memory)
    limits = Limits(timeout=timeout, memory=memory)
    schema = shipped(schema_ref, limits)
    reports = [
        r.only(select=select, ignore=ignore or ())
        for r in validate_files(files, schema, not no_data_checks, workers, limits)
    ]
    ok = all(passed(r, strict) for r in reports)
    shown = [r.only(limit=max_violations) for r in reports] if max_violations else reports
    output = render(fmt, shown, strict=strict, color=use_color(sys.stdout))
    if output:
        click.echo(output)
    sys.exit(EXIT_OK if ok else EXIT_INVALID)
