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

The server is threaded (one thread per request, as ``flask run``), loads
``.env`` from the working folder first (python-dotenv, optional), and with
``--reload`` watches the config files too; an app that fails to load in the
reloader's child is served as a 500 naming the error until a file changes.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import click

from .._security import is_loopback
from ._render import paint
from ._target import AppLoadError, State

#: Watched by ``--reload`` besides the Python files.
CONFIG_FILES = ("corolla.toml", "pyproject.toml", ".env")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", "-p", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port.")
@click.option("--reload", is_flag=True, help="Restart when a Python file, corolla.toml or .env changes.")
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
    load_dotenv(state.cwd)
    from werkzeug.serving import run_simple

    app: Any
    if reload and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        # The reloader's parent only watches and restarts its child, which
        # loads the app: a broken app must not stop the watching.
        app = _never_called
    else:
        try:
            app = state.require_app("corolla run")
            # werkzeug's debugger sees a raising view only if the app lets the exception out.
            app.propagate_exceptions = app.propagate_exceptions or use_debugger
        except AppLoadError as err:
            if not reload:
                raise
            # As Flask's reloader: serve the error until a file changes, then start again.
            click.echo(paint(f"error: {err.message}", "red", bold=True), err=True)
            app = _broken_app(err.message)
    run_simple(
        host,
        port,
        app,
        use_reloader=reload,
        use_debugger=use_debugger,
        use_evalex=use_debugger,
        extra_files=_config_files(state, app) if reload else None,
        threaded=True,
    )


def _config_files(state: State, app: Any) -> list[str]:
    """What else ``--reload`` watches: the config files and .env of the working folder and the app's root."""
    folders = {state.cwd}
    root = getattr(app, "root", None)
    if root is not None:
        folders.add(Path(root))
    return [str(folder / name) for folder in sorted(folders) for name in CONFIG_FILES]


def load_dotenv(folder: Path) -> None:
    """Load ``folder/.env`` into the environment (variables already set win), as ``flask run`` does.

    Needs python-dotenv (``pip install "corolla[dotenv]"``); without it a
    ``.env`` that is there is named in a hint and ignored.
    """
    path = folder / ".env"
    if not path.is_file():
        return
    try:
        import dotenv
    except ImportError:
        click.echo(
            f'hint: {path} is not loaded: install python-dotenv (pip install "corolla[dotenv]") to load it',
            err=True,
        )
        return
    dotenv.load_dotenv(path, override=False, encoding="utf-8")


def _never_called(environ: Any, start_response: Any) -> Any:  # pragma: no cover - the parent serves nothing
    raise RuntimeError("the reloader's parent process does not serve requests")


def _broken_app(message: str) -> Any:
    """A WSGI app answering every request with a 500 that shows why the app did not load."""
    from werkzeug.wrappers import Response

    body = f"The app could not be loaded; fix it and save: the server reloads.\n\n{message}\n"
    return Response(body, status=500, mimetype="text/plain")
