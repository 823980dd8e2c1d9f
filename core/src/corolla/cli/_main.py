"""The ``corolla`` command: global options, the built-in commands, and plugins' commands.

``corolla --help`` and the built-in commands never import the app nor start
a plugin. ``--help`` lists plugins' commands in their own section from
``State.command_index()`` (the working folder's plan, bare plugin instances,
no start-up); a plugin's command is built for real, with the app, only when
its name is invoked.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import click

from .._errors import did_you_mean
from .._version import __version__
from . import _check, _hooks, _new, _plugins, _run
from ._render import warn
from ._target import State

BUILTIN: dict[str, click.Command] = {
    "check": _check.check,
    "hooks": _hooks.hooks,
    "new": _new.new,
    "plugins": _plugins.plugins,
    "run": _run.run,
}


class CorollaGroup(click.Group):
    """Built-in commands; plugins' commands listed from ``State.command_index()``, built only when invoked."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = sorted(BUILTIN)
        state = _state(ctx)
        if state is not None:
            names += sorted(n for n in state.command_index().commands if n not in BUILTIN)
        return names

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Only the built-in commands here: listing a plugin's command through
        # get_command would build it, which needs the app and its plugins started.
        rows = [(name, BUILTIN[name].get_short_help_str(limit=formatter.width - 6 - 10)) for name in sorted(BUILTIN)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in BUILTIN:
            return BUILTIN[cmd_name]
        state = _state(ctx)
        if state is None:
            return None
        found = state.plugin_commands()
        entry = found.commands.get(cmd_name)
        if entry is not None:
            return entry[1]
        return None

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            state = _state(ctx)
            found = state.plugin_commands() if state is not None else None
            known = [*BUILTIN, *(found.commands if found else ())]
            hint = did_you_mean(name, known)
            message = f"no such command {name!r}" + (f"; {hint}" if hint else "")
            if found and found.errors:
                message += "\n" + "\n".join(found.errors)
            ctx.fail(message)
        if name in BUILTIN or not name or name.startswith("-"):
            return super().resolve_command(ctx, args)
        state = _state(ctx)
        if state is not None:
            found = state.plugin_commands()
            for error in found.errors:
                warn(error)
        return super().resolve_command(ctx, args)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        state = _state(ctx)
        if state is None:
            return
        index = state.command_index()
        rows = []
        for name, (plugin, short) in sorted(index.commands.items()):
            if name in BUILTIN:
                warn(f"plugin {plugin!r} adds command {name!r}, which is built in; the built-in one is kept")
                continue
            rows.append((name, f"[{plugin}] {short}".rstrip()))
        if rows:
            with formatter.section("Commands added by plugins"):
                formatter.write_dl(rows)
        for error in index.errors:
            warn(error)


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
@click.version_option(__version__, "--version", prog_name="corolla", message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx: click.Context, app_ref: str | None, show_traceback: bool) -> None:
    """Corolla: inspect the plugins and hooks of an app, run it, check it, scaffold plugins."""
    if not isinstance(ctx.obj, State):
        ctx.obj = State(app_ref, show_traceback)
    ctx.call_on_close(ctx.obj.close)


def make_state(args: Sequence[str], overrides: Any = None) -> State:
    """The invocation's state, from the global options read before click parses.

    Read early so that ``corolla --help`` can list plugins' commands for the
    right app. ``overrides`` (a dict) may set ``cwd``, ``environ`` and
    ``plugin_path`` (tests and tools).
    """
    app_ref, show_traceback = None, False
    items = list(args)
    for i, arg in enumerate(items):
        if arg == "--app" and i + 1 < len(items):
            app_ref = items[i + 1]
        elif arg.startswith("--app="):
            app_ref = arg.split("=", 1)[1]
        elif arg == "--traceback":
            show_traceback = True
        elif not arg.startswith("-") and (i == 0 or items[i - 1] != "--app"):
            break  # the subcommand: what follows is its own
    return State(app_ref, show_traceback, **(dict(overrides) if overrides else {}))


def main(args: Sequence[str] | None = None, *, obj: Any = None) -> Any:
    """The console script ``corolla``; ``obj`` may override ``cwd``, ``environ``, ``plugin_path``."""
    argv = list(sys.argv[1:] if args is None else args)
    state = obj if isinstance(obj, State) else make_state(argv, obj)
    return cli.main(argv, prog_name="corolla", obj=state)
