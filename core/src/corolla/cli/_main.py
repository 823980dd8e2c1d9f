"""The ``corolla`` command: global options, the built-in commands, and plugins' commands.

``corolla --help`` and the built-in commands never import the app nor start
a plugin. ``--help`` lists plugins' commands in their own section from
``State.command_index()``: the names plugins declare (``Plugin.commands``,
data in the working folder's plan), each built by its factory with a lazy
reference to the app, which a command loads only when it runs. The one
exception: when an app is found, ``--help`` imports it to list its own
commands (``app.cli``, as ``flask --help`` does).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

import click

from .._errors import did_you_mean
from . import _check, _hooks, _install, _lock, _new, _plugins, _run, _serve, _shell
from ._app_commands import app_commands, format_app_commands
from ._commands import LEGACY_HOOK
from ._render import warn
from ._target import State
from ._version import print_version

_plugins.plugins.add_command(_lock.lock)
_plugins.plugins.add_command(_lock.verify_command)
for _command in (_install.install, _install.upgrade, _install.remove):
    _plugins.plugins.add_command(_command)

BUILTIN: dict[str, click.Command] = {
    "check": _check.check,
    "hooks": _hooks.hooks,
    "new": _new.new,
    "plugins": _plugins.plugins,
    "run": _run.run,
    "serve": _serve.serve,
    "shell": _shell.shell,
}


class CorollaGroup(click.Group):
    """Built-in commands, then plugins' commands from ``State.command_index()``, each built only when needed."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = sorted(BUILTIN)
        state = _state(ctx)
        if state is not None:
            names += sorted(n for n in state.command_index().entries if n not in BUILTIN)
        return names

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Only the built-in commands here; plugins' commands get their own section (format_epilog).
        rows = [(name, BUILTIN[name].get_short_help_str(limit=formatter.width - 6 - 10)) for name in sorted(BUILTIN)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in BUILTIN:
            return BUILTIN[cmd_name]
        state = _state(ctx)
        if state is None:
            return None
        command = state.plugin_command(cmd_name)
        if command is None:  # only then the app is imported, for its own commands (app.cli)
            command = app_commands(state, quiet=True).get(cmd_name)
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if not name or name.startswith("-") or name in BUILTIN:
            return super().resolve_command(ctx, args)
        state = _state(ctx)
        command = self.get_command(ctx, name)
        errors = state.command_index().errors if state is not None else []
        if command is None:
            known = [*BUILTIN, *(state.command_index().entries if state is not None else ())]
            known += list(app_commands(state, quiet=True)) if state is not None else []
            hint = did_you_mean(name, known)
            ctx.fail("\n".join([f"no such command {name!r}" + (f"; {hint}" if hint else ""), *errors]))
        for error in errors:
            warn(error)
        return super().resolve_command(ctx, args)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        state = _state(ctx)
        if state is None:
            return
        index = state.command_index()
        rows = []
        for name in sorted(index.entries):
            entry = index.entries[name]
            if name in BUILTIN:
                warn(f"plugin {entry.label} adds command {name!r}, which is built in; the built-in one is kept")
                continue
            command = state.plugin_command(name)
            if command is not None:
                rows.append((name, f"[{entry.plugin}] {command.get_short_help_str(limit=70)}".rstrip()))
        for plugin in index.legacy:
            rows.append((f"({plugin})", f"[{plugin}] not listed (deprecated {LEGACY_HOOK} hook)"))
        if rows:
            with formatter.section("Commands added by plugins"):
                formatter.write_dl(rows)
        for error in index.errors:
            warn(error)
        format_app_commands(state, set(BUILTIN), formatter)


def _state(ctx: click.Context) -> State | None:
    root = ctx.find_root()
    obj = root.obj
    return obj if isinstance(obj, State) else None


@click.group(
    cls=CorollaGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    invoke_without_command=False,
)
@click.option(
    "--app",
    "app_ref",
    metavar="MODULE[:ATTR]",
    help="The app: module:attr, module (its 'app' or create_app()), or file.py. Default: $COROLLA_APP, "
    "then app.py or wsgi.py in the working folder.",
)
@click.option("--traceback", "show_traceback", is_flag=True, help="Show the full traceback when something fails.")
@click.option(
    "--disable-plugin",
    "disabled",
    metavar="NAME",
    multiple=True,
    help="Leave this plugin out for this invocation (repeatable; adds to COROLLA_DISABLE_PLUGINS).",
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=print_version,
    help="Show the versions of corolla, Python, werkzeug and every installed plugin, and exit.",
)
@click.pass_context
def cli(ctx: click.Context, app_ref: str | None, show_traceback: bool, disabled: tuple[str, ...]) -> None:
    """Corolla: inspect the plugins and hooks of an app, run it, check it, scaffold plugins."""
    if not isinstance(ctx.obj, State):
        ctx.obj = State(app_ref, show_traceback, **disable_plugins(os.environ, disabled))
    ctx.call_on_close(ctx.obj.close)


def make_state(args: Sequence[str], overrides: Any = None) -> State:
    """The invocation's state, from the global options read before click parses.

    Read early so that ``corolla --help`` can list plugins' commands for the
    right app. ``overrides`` (a dict) may set ``cwd``, ``environ`` and
    ``plugin_path`` (tests and tools).
    """
    app_ref, show_traceback = None, False
    disabled: list[str] = []
    items = list(args)
    for i, arg in enumerate(items):
        if arg in ("--app", "--disable-plugin") and i + 1 < len(items):
            if arg == "--app":
                app_ref = items[i + 1]
            else:
                disabled.append(items[i + 1])
        elif arg.startswith("--app="):
            app_ref = arg.split("=", 1)[1]
        elif arg.startswith("--disable-plugin="):
            disabled.append(arg.split("=", 1)[1])
        elif arg == "--traceback":
            show_traceback = True
        elif not arg.startswith("-") and (i == 0 or items[i - 1] not in ("--app", "--disable-plugin")):
            break  # the subcommand: what follows is its own
    options = dict(overrides) if overrides else {}
    options.update(disable_plugins(options.get("environ", os.environ), disabled))
    return State(app_ref, show_traceback, **options)


def disable_plugins(environ: Any, names: Sequence[str]) -> dict[str, Any]:
    """``--disable-plugin NAME``: COROLLA_DISABLE_PLUGINS for this invocation, the app's ``App()`` included.

    The process environment itself is changed (the console script is its own
    process), so an app built by importing the user's module sees it too.
    """
    if not names:
        return {}
    joined = ",".join(filter(None, [environ.get("COROLLA_DISABLE_PLUGINS", ""), *names]))
    if environ is os.environ:
        os.environ["COROLLA_DISABLE_PLUGINS"] = joined
        return {}
    return {"environ": {**environ, "COROLLA_DISABLE_PLUGINS": joined}}


def main(args: Sequence[str] | None = None, *, obj: Any = None) -> Any:
    """The console script ``corolla``; ``obj`` may override ``cwd``, ``environ``, ``plugin_path``."""
    argv = list(sys.argv[1:] if args is None else args)
    state = obj if isinstance(obj, State) else make_state(argv, obj)
    return cli.main(argv, prog_name="corolla", obj=state)
