"""``corolla serve``: the app in production, on gunicorn.

gunicorn does the serving (a pre-fork master, its sync or threaded workers,
its signals, its logs); this command only configures it and hands it the app
found the way ``corolla run`` finds it (``--app``, ``COROLLA_APP``, then
``app.py`` or ``wsgi.py``). ``--app module:attr`` may also name any WSGI
callable, such as the app behind werkzeug's ``ProxyFix`` (deploy/wsgi.py).

The master never imports the app: each worker imports it and builds its own
``App`` after the fork (gunicorn's ``preload_app = False``), so database
pools and Redis clients are never shared between processes, and ``kill -HUP``
on the master (gunicorn's graceful reload) starts workers that import the
code as it is now, then stops the old ones once their requests are done.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from ._target import AppLoadError, State, _app_from, _import_module


def load_wsgi(ref: str, cwd: Path) -> Any:
    """The WSGI app ``ref`` names, as ``corolla run`` resolves it; an explicit ``:attr`` may be any WSGI callable."""
    module_ref, _, attr = ref.partition(":")
    module = _import_module(module_ref, cwd)
    app = _app_from(module, attr)
    from .._app import App  # lazily: werkzeug (~100 ms) is for serving, not for every command

    if not (isinstance(app, App) or (attr and callable(app))):
        raise TypeError(f"{ref!r} is {type(app).__name__}, neither a corolla.App nor a WSGI callable")
    return app


def gunicorn_application(ref: str, settings: dict[str, Any], config_file: str | None) -> Any:
    """A gunicorn application serving ``ref`` with ``settings`` over ``config_file`` (a gunicorn config)."""
    from gunicorn.app.base import Application

    class Server(Application):  # type: ignore[misc]  # gunicorn ships no type hints
        def init(self, parser: Any, opts: Any, args: Any) -> None:
            return None

        def load_config(self) -> None:
            # Not gunicorn's own: it would parse this process's argv. The config file first,
            # then the options given to `corolla serve`, which win.
            if config_file:
                self.load_config_from_file(config_file)
            for key, value in settings.items():
                self.cfg.set(key, value)
            self.chdir()

        def load(self) -> Any:
            # In the worker, after the fork, from the worker's folder ([chdir] may have moved it).
            return load_wsgi(ref, Path.cwd())

    return Server(prog="corolla serve")


def _quiet_control_socket() -> dict[str, Any]:
    # gunicorn 25+ opens a control socket at one path per user ($HOME/.gunicorn/gunicorn.ctl),
    # which two servers on one machine would fight over; `corolla serve` does not use it.
    from gunicorn.config import KNOWN_SETTINGS

    return {"control_socket_disable": True} if any(s.name == "control_socket_disable" for s in KNOWN_SETTINGS) else {}


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", "-p", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port.")
@click.option(
    "--bind",
    "-b",
    multiple=True,
    metavar="ADDRESS",
    help="Instead of --host/--port, gunicorn's bind addresses (repeatable): HOST:PORT, unix:PATH, fd://N.",
)
@click.option(
    "--workers",
    "-w",
    type=click.IntRange(1),
    default=None,
    help="Worker processes; default: the number of CPU cores.",
)
@click.option(
    "--threads",
    type=click.IntRange(1),
    default=1,
    show_default=True,
    help="Threads per worker; above 1, gunicorn's threaded (gthread) worker.",
)
@click.option(
    "--timeout",
    type=click.IntRange(1),
    default=30,
    show_default=True,
    help="Seconds before a stuck worker is restarted.",
)
@click.option(
    "--access-log",
    default="-",
    show_default=True,
    metavar="FILE",
    help="Where the access log goes ('-' is standard output).",
)
@click.option("--no-access-log", is_flag=True, help="No access log.")
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False),
    help="A gunicorn config file for everything else (max_requests, forwarded_allow_ips...); "
    "the options given here win over it.",
)
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    bind: tuple[str, ...],
    workers: int | None,
    threads: int,
    timeout: int,
    access_log: str,
    no_access_log: bool,
    config_file: str | None,
) -> None:
    """Serve the app in production with gunicorn: a worker per core, graceful reload on SIGHUP, an access log."""
    state: State = ctx.find_root().obj
    if not state.candidates:
        raise AppLoadError(f"corolla serve needs an app: pass --app module:app or set COROLLA_APP ({state.tried})")
    try:
        import gunicorn  # noqa: F401 - only to say clearly that it is missing
    except ImportError:
        raise click.ClickException(
            "corolla serve runs the app on gunicorn, which is not installed: pip install 'corolla[serve]'"
        ) from None
    settings: dict[str, Any] = {}
    given = {name for name in ctx.params if ctx.get_parameter_source(name) != click.core.ParameterSource.DEFAULT}
    if bind:
        settings["bind"] = list(bind)
    elif not config_file or {"host", "port"} & given:
        settings["bind"] = [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"]
    if not config_file or "workers" in given:
        settings["workers"] = workers or os.cpu_count() or 1
    if not config_file or "threads" in given:
        settings["threads"] = threads
    if not config_file or "timeout" in given:
        settings["timeout"] = timeout
    if no_access_log:
        settings["accesslog"] = None
    elif not config_file or "access_log" in given:
        settings["accesslog"] = access_log
    settings["preload_app"] = False  # see the module docstring: never the app in the master
    settings.update(_quiet_control_socket())
    gunicorn_application(state.candidates[0], settings, config_file).run()
