"""The ``h5schema`` command line.

Exit status: 0 every file valid (warnings allowed), 1 a file has an error (including an
unreadable file), 2 usage error or bad schema. Errors are one line, never a traceback.
"""

from __future__ import annotations

import importlib
import os
import sys

import click

from h5schema._cli.common import EXIT_OK, EXIT_USAGE

__all__ = ["cli", "main"]

# Each command lives in its own module, imported when the command runs (click's lazy
# subcommands): ``validate``, ``show`` and ``infer`` read files in sandboxed readers and never
# import pydantic or numpy here, while the schema commands load schemas in this process.
COMMANDS = {
    "check-schema": "h5schema._cli.schemas:check_schema",
    "diff": "h5schema._cli.schemas:diff_command",
    "export": "h5schema._cli.schemas:export",
    "infer": "h5schema._cli.files:infer",
    "show": "h5schema._cli.files:show",
    "validate": "h5schema._cli.validate:validate",
}


class _LazyGroup(click.Group):
    """A group whose commands are imported from :data:`COMMANDS` when they are asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        where = COMMANDS.get(cmd_name)
        if where is None:
            return None
        module, _, name = where.partition(":")
        command: click.Command = getattr(importlib.import_module(module), name)
        return command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="h5schema", prog_name="h5schema")
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error.")
def cli(debug: bool) -> None:
    """Validate HDF5 files against declared schemas."""


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
