"""``app.cli``: the app's own ``corolla`` commands, as Flask's ``app.cli``.

``@app.cli.command("init-db")`` makes a click command that ``corolla
init-db`` runs and ``corolla --help`` lists (under "Commands of the app")
when the app is found (``--app``, ``COROLLA_APP``, ``app.py``). A command
whose function takes a first parameter named ``app`` is given the app the
command line found, so commands can live in a module of their own (as with
Flask's ``current_app``). Route groups have their own ``cli``
(``corolla_routing.Router``); their commands join the app's when the group
is included.

click is imported only when a command is declared, never by ``import
corolla``.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import click

__all__ = ["AppCommands"]


class AppCommands:
    """A registry of click commands: ``app.cli`` (and a route group's ``cli``)."""

    def __init__(self, owner: str = "app") -> None:
        #: What the commands belong to, for messages ("app", "Router 'blog'").
        self.owner = owner
        #: name -> click command, in the order they were added.
        self.commands: dict[str, click.Command] = {}

    def command(self, name: str | None = None, **attrs: Any) -> Callable[[Callable[..., Any]], click.Command]:
        """Decorator: ``@app.cli.command("init-db")`` (arguments as ``click.command``)."""
        import click

        def decorator(fn: Callable[..., Any]) -> click.Command:
            make: Callable[[Callable[..., Any]], click.Command] = click.command(name, **attrs)
            command = make(_with_app(fn))
            self.add_command(command)
            return command

        return decorator

    def group(self, name: str | None = None, **attrs: Any) -> Callable[[Callable[..., Any]], click.Group]:
        """Decorator: ``@app.cli.group()`` for a command with subcommands (arguments as ``click.group``)."""
        import click

        def decorator(fn: Callable[..., Any]) -> click.Group:
            make: Callable[[Callable[..., Any]], click.Group] = click.group(name, **attrs)
            group = make(_with_app(fn))
            self.add_command(group)
            return group

        return decorator

    def add_command(self, command: click.Command, name: str | None = None) -> None:
        """Add a click command made elsewhere (``app.cli.add_command(init_db)``)."""
        import click

        if not isinstance(command, click.Command):
            raise TypeError(f"{self.owner}.cli.add_command() takes a click command, not {command!r}")
        name = name or command.name
        if not name:
            raise ValueError(f"{self.owner}.cli.add_command(): the command has no name; pass name='...'")
        existing = self.commands.get(name)
        if existing is not None and existing is not command:
            raise ValueError(
                f"{self.owner} already has a command {name!r}; give one of them another name "
                f"(@{self.owner}.cli.command('other-name'))"
            )
        if command.callback is not None:
            command.callback = _with_app(command.callback)
        self.commands[name] = command

    def __contains__(self, name: object) -> bool:
        return name in self.commands

    def __repr__(self) -> str:
        return f"<AppCommands of {self.owner}: {', '.join(self.commands) or 'none'}>"


def _with_app(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` given the app the command line found as its ``app`` argument, if its first parameter is ``app``."""
    if getattr(fn, "__corolla_with_app__", False):
        return fn
    try:
        params = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return fn
    if not params or params[0] != "app":
        return fn

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        import click

        from .cli._target import State

        state = click.get_current_context().find_root().obj
        if not isinstance(state, State):
            raise click.UsageError("this command needs the app: run it through `corolla`")
        return fn(state.require_app(str(getattr(fn, "__name__", "this command"))), *args, **kwargs)

    # click reads parameters from its decorators, not the signature; hide `app` from introspection anyway.
    del call.__wrapped__
    call.__corolla_with_app__ = True  # type: ignore[attr-defined]
    return call
