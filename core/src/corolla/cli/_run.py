"""``corolla run``: the app on werkzeug's development server.

``--debug`` turns on ``[core] debug`` (tracebacks in error pages) and, on a
loopback address only, werkzeug's interactive debugger: it runs any Python
code a visitor types, so on any other address it stays off with a loud
warning. ``--trace-hooks`` turns on ``[core] trace_hooks``: the app compiles
timing wrappers into its pipeline and logs each hook call (request line,
hook, plugin, duration) on the ``corolla.trace`` logger; without it the
pipeline holds the plain functions. Both are set through the environment
(``COROLLA_CORE__DEBUG``, ``COROLLA_CORE__TRACE_HOOKS``) before the app is
imported, so the reloader's child process sees them too.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import socket

import click

from ._render import paint
from ._target import State

LOOPBACK_NAMES = {"localhost", "ip6-localhost"}


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        try:
            return all(ipaddress.ip_address(info[4][0]).is_loopback for info in socket.getaddrinfo(host, None))
        except (OSError, ValueError):
            return False


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", "-p", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port.")
@click.option("--reload", is_flag=True, help="Restart when a Python file changes.")
@click.option("--debug", is_flag=True, help="Tracebacks in error pages; the interactive debugger on loopback only.")
@click.option("--trace-hooks", is_flag=True, help="Log each hook call per request with its plugin and duration.")
@click.pass_context
def run(ctx: click.Context, host: str, port: int, reload: bool, debug: bool, trace_hooks: bool) -> None:
    """Serve the app with werkzeug's development server (never in production)."""
    state: State = ctx.find_root().obj
    if debug:
        os.environ["COROLLA_CORE__DEBUG"] = "1"
    if trace_hooks:
        os.environ["COROLLA_CORE__TRACE_HOOKS"] = "1"
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s trace %(message)s"))
        trace_log = logging.getLogger("corolla.trace")
        trace_log.addHandler(handler)
        trace_log.setLevel(logging.INFO)
    use_debugger = debug
    if debug and not is_loopback(host):
        use_debugger = False
        click.echo(
            paint(
                f"WARNING: --debug on {host}, which is not a loopback address: the interactive debugger "
                "(which runs any code a visitor types) is OFF; error pages still show tracebacks. "
                "Never expose debug mode to a network.",
                "red",
                bold=True,
            ),
            err=True,
        )
    app = state.require_app("corolla run")
    from werkzeug.serving import run_simple

    run_simple(host, port, app, use_reloader=reload, use_debugger=use_debugger, use_evalex=use_debugger)
