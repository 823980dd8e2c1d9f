"""Plugins' commands: one index, read from the plan's declarations, each command built when needed.

A plugin declares ``commands = {"routes": "corolla_routing._cli:routes_command"}``
(plain data, parsed with the rest of its declaration), so the index of names
costs no plugin instance: ``corolla plugins show`` reads it as data, ``corolla
--help`` builds every command (to show its help line) by calling each
factory with a ``LazyApp`` that has not loaded anything, and invoking a
command builds only that one. The app is found, imported and started only if
the command's callback calls ``app.get()`` or ``app.find()``.

Plugins still using the deprecated ``corolla_cli_commands`` hook need started
instances; their commands join the same index only when a name is not found
among the declared ones (the app, or an app over the installed set, is then
started, as before), and ``--help`` names such plugins without listing their
commands.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import click

from .._commands import load_factory
from .._markers import PROJECT
from .._planning import Plan

if TYPE_CHECKING:
    from .._app import App
    from ._target import State

_IMPL_MARK = f"{PROJECT}_impl"
LEGACY_HOOK = "corolla_cli_commands"


class LazyApp:
    """The ``corolla.AppRef`` a command factory receives: the app, loaded on first ``get()``/``find()``."""

    def __init__(self, state: State, plugin: str, command: str) -> None:
        self._state = state
        self._plugin = plugin
        self._command = command

    @property
    def plugin(self) -> str:
        return self._plugin

    def find(self) -> App | None:
        app = self._state.app()  # AppLoadError (exit 2, naming what was tried) when the app is broken
        if app is not None and self._plugin not in app.plugins:
            loaded = ", ".join(app.plugins) or "none"
            raise click.UsageError(
                f"corolla {self._command} comes from plugin {self._plugin!r}, which the app does not load "
                f"(its plugins: {loaded}); enable it in the app's [plugins] config"
            )
        return app

    def get(self) -> App:
        app = self.find()
        if app is None:
            raise click.UsageError(
                f"corolla {self._command} needs an app: pass --app module:app or set COROLLA_APP ({self._state.tried})"
            )
        return app

    def __repr__(self) -> str:
        return f"<LazyApp for plugin {self._plugin!r}>"


@dataclass
class Entry:
    """One plugin command: who declared it, its factory (None: from the deprecated hook), once built."""

    plugin: str
    label: str
    reference: str | None
    command: click.Command | None = None


@dataclass
class CommandIndex:
    """Plugins' commands by name, in load order; ``errors`` name the plugin each problem comes from."""

    entries: dict[str, Entry] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    #: Plugins whose commands come from the deprecated hook and have not been asked for yet.
    legacy: list[str] = field(default_factory=list)

    def add(self, name: str, entry: Entry, labels: dict[str, str]) -> bool:
        if name in self.entries:
            other = labels.get(self.entries[name].plugin, repr(self.entries[name].plugin))
            self.errors.append(
                f"plugin {entry.label} adds command {name!r}, which plugin {other} already adds; "
                "the first in load order wins"
            )
            return False
        self.entries[name] = entry
        return True

    def names_of(self, plugin: str) -> list[str]:
        return sorted(name for name, entry in self.entries.items() if entry.plugin == plugin)


def declared_index(plan: Plan) -> CommandIndex:
    """The index from the plan's declarations: data only, nothing imported or built."""
    index = CommandIndex()
    if not plan.ok:
        index.errors.append(
            "plugin commands are unavailable: the plugin set does not resolve (see corolla plugins check)"
        )
        return index
    labels = {name: plan.resolution.decisions[name].record.label() for name in plan.resolution.order}
    for name in plan.resolution.order:
        record = plan.resolution.decisions[name].record
        if record.declaration is not None:
            for command, reference in record.declaration.commands.items():
                index.add(command, Entry(name, labels[name], reference), labels)
        if legacy_hook(record.plugin_class) is not None:
            index.legacy.append(name)
    return index


def build(index: CommandIndex, name: str, state: State) -> click.Command | None:
    """The command ``name``, built by its factory on first use; None (and an error) when the factory fails."""
    entry = index.entries.get(name)
    if entry is None:
        return None
    if entry.command is None and entry.reference is not None:
        what = f"plugin {entry.label}: command {name!r} ({entry.reference})"
        try:
            command: Any = load_factory(entry.reference)(LazyApp(state, entry.plugin, name))
        except Exception as exc:
            _drop(index, name, f"{what} failed to build: {exc!r}", exc, state)
            return None
        if not isinstance(command, click.Command):
            _drop(index, name, f"{what}: the factory returned {command!r}, not a click command", None, state)
            return None
        if command.name != name:
            error = f"{what}: the factory built a command named {command.name!r}; name it {name!r}"
            _drop(index, name, error, None, state)
            return None
        entry.command = command
    return entry.command


def _drop(index: CommandIndex, name: str, error: str, exc: BaseException | None, state: State) -> None:
    del index.entries[name]
    index.errors.append(error)
    if exc is not None and state.show_traceback:
        traceback.print_exception(type(exc), exc, exc.__traceback__)


def legacy_hook(cls: type | None) -> Any:
    """The plugin class's ``corolla_cli_commands`` implementation (a plain function), or None."""
    if cls is None:
        return None
    for attr in dir(cls):
        fn = getattr(cls, attr, None)
        opts = getattr(fn, _IMPL_MARK, None)
        if isinstance(opts, dict) and (opts.get("specname") or attr) == LEGACY_HOOK:
            return fn
    return None


def add_legacy(index: CommandIndex, state: State) -> None:
    """Ask the deprecated ``corolla_cli_commands`` hook, once, on started plugins; add what it returns.

    The implementations belong to the user's app, or to an app built over the
    installed set when none was found (the hook then gets ``app`` None). A
    plugin whose hook raises or returns something that is not a named click
    command is named in ``errors``; the others still count.
    """
    if not index.legacy:
        return
    index.legacy = []
    from ._target import AppLoadError

    try:
        user_app = state.app()
        app = user_app if user_app is not None else state.inspection_app()
    except AppLoadError as err:
        index.errors.append(f"plugin commands are unavailable: {err.message}")
        return
    from .._calls import call_each
    from .._errors import PluginError

    host = app._host
    labels = {name: host.label(name) for name in app.plugins}

    def failed(err: PluginError) -> None:
        index.errors.append(str(err))
        if state.show_traceback and err.__cause__ is not None:
            cause = err.__cause__
            traceback.print_exception(type(cause), cause, cause.__traceback__)

    for plugin, result in call_each(app, LEGACY_HOOK, on_error=failed, app=user_app):
        label = host.label(plugin)
        try:
            commands = list(result or ())
        except TypeError:
            index.errors.append(f"plugin {label}: {LEGACY_HOOK} returned {result!r}, not a list of commands")
            continue
        for command in commands:
            if not isinstance(command, click.Command) or not command.name:
                index.errors.append(f"plugin {label}: {LEGACY_HOOK} returned {command!r}, not a named click command")
                continue
            index.add(command.name, Entry(plugin, label, None, command), labels)
