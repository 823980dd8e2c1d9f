"""The static command-line contract: a plugin's commands declared as data, built by factories.

A plugin lists its commands as a class attribute, name -> ``"module:factory"``::

    class RoutingPlugin(corolla.Plugin):
        commands = {"routes": "corolla_routing._cli:routes_command"}

The declaration is plain data, read with the rest of the declaration and
never by instantiating the plugin, so ``corolla --help`` lists every command
without starting a plugin or importing the app. The factory is imported only
by the command line and called as ``factory(app)``, ``app`` being an
``AppRef``: a lazy reference that finds, imports and starts the user's app
only when the command's callback asks for it. Nothing here imports click.
"""

from __future__ import annotations

import pkgutil
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ._app import App

#: A command name as typed after ``corolla``: lower case, digits, ``-`` and ``_``.
_COMMAND = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
#: ``package.module:attribute``, as in an entry point.
_REFERENCE = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$")


class AppRef(Protocol):
    """What a plugin's command factory receives: the app, loaded only when a command asks for it.

    ``plugin`` is the name of the plugin that declared the command.
    ``get()`` returns the user's app with that plugin loaded (found by
    ``--app``, ``COROLLA_APP`` or ``app.py``/``wsgi.py``, imported and
    started on the first call), else stops the command with a usage error
    saying how to name the app. ``find()`` returns the app, or None when no
    app was found, for commands that also work without one.
    """

    @property
    def plugin(self) -> str: ...

    def get(self) -> App: ...

    def find(self) -> App | None: ...


#: ``factory(app)`` returns a click command (or group); the type names no click so the core needs none.
CommandFactory = Callable[[AppRef], Any]


def parse_commands(value: Any) -> dict[str, str]:
    """Check a plugin's ``commands`` declaration: a mapping of command name -> ``"module:factory"``."""
    if not isinstance(value, Mapping):
        raise TypeError(f"commands must be a dict of command name -> 'module:factory', not {value!r}")
    out: dict[str, str] = {}
    for name, reference in value.items():
        if not isinstance(name, str) or not _COMMAND.match(name):
            raise ValueError(f"commands key {name!r} must be a command name: lower case letters, digits, '-', '_'")
        if not isinstance(reference, str) or not _REFERENCE.match(reference):
            raise ValueError(
                f"commands[{name!r}] = {reference!r} must be a 'module:factory' string, "
                "e.g. 'my_plugin._cli:make_command'"
            )
        out[name] = reference
    return out


def load_factory(reference: str) -> CommandFactory:
    """Import ``"module:factory"``; raises what the import raises, or TypeError when it is not callable."""
    factory = pkgutil.resolve_name(reference)
    if not callable(factory):
        raise TypeError(f"{reference!r} is {factory!r}, not a callable factory(app) -> click command")
    return factory  # type: ignore[no-any-return]
