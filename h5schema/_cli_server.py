"""``h5schema server start|stop|status``: the reader service, a warm process that runs commands
and forks readers.

Every ``h5schema`` run imports the command line and starts Python readers that import numpy,
h5py and pydantic before the first file: about a quarter of a second, which is most of the run
for a handful of small files. With the service running, the script hands its command to it
(``_relay``) and readers are forked from it already warm. Nothing else changes: each file is
still read in its own sandboxed process with the run's time and memory limits.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator

import click

__all__ = ["server"]


@contextlib.contextmanager
def _service_errors() -> Iterator[None]:
    """A service that cannot start, or a runtime directory that is not private: one line, exit 2."""
    from h5schema._isolation._control import ServiceError
    from h5schema._isolation._rendezvous import UnsafeDirectory

    try:
        yield
    except (ServiceError, UnsafeDirectory) as exc:
        click.echo(f"h5schema: error: {exc}", err=True)
        sys.exit(2)


@click.group()
def server() -> None:
    """Run a warm reader service, so that each h5schema run starts in a fraction of the time.

    While it runs, every h5schema command runs in it (with your arguments, directory,
    environment and terminal), and validate, show and infer fork their readers from it instead
    of starting Python anew; files are still read in sandboxed processes with the same limits.
    One service per user and installation; set H5SCHEMA_NO_SERVER=1 to ignore it.
    """


@server.command()
@click.option(
    "--idle-timeout", type=click.FloatRange(min=0), default=900.0, show_default=True, metavar="SECONDS",
    help="Stop after this long with no command or reader asked for (0: never).",
)  # fmt: skip
def start(idle_timeout: float) -> None:
    """Start the service for this installation (nothing to do if it runs)."""
    from h5schema._isolation._control import start as start_service

    with _service_errors():
        info, already = start_service(idle_timeout)
    state = "already running" if already else "started"
    idle = info.get("idle_timeout") or 0
    stops = f"stops after {idle:g} s idle" if idle else "runs until 'h5schema server stop'"
    click.echo(f"h5schema: reader service {state} (pid {info['pid']}, {info['socket']}); it {stops}")


@server.command()
def stop() -> None:
    """Stop every reader service of this user. Readers at work finish their run."""
    from h5schema._isolation._control import stop_all

    with _service_errors():
        stopped = stop_all()
    if stopped:
        click.echo(f"h5schema: stopped the reader service (pid {', '.join(map(str, stopped))})")
    else:
        click.echo("h5schema: no reader service is running")


@server.command()
def status() -> None:
    """Say which services run; exit 0 when this installation's runs, 1 when it does not."""
    from h5schema._isolation._control import running

    with _service_errors():
        found = running()
    for info in found:
        which = "used by this installation" if info["current"] else "another installation or environment"
        up = time.time() - float(info["started"])
        click.echo(
            f"pid {info['pid']}: up {up:.0f} s, {info['served']} processes forked, "
            f"{info['readers']} at work; {info['socket']} ({which})"
        )
    if not any(info["current"] for info in found):
        click.echo("h5schema: no reader service is running for this installation")
        sys.exit(1)
