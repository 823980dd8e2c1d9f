"""Corolla: a web microframework whose core is a dispatch loop and whose features are plugins.

This module only re-exports the public API; see docs/architecture.md.

The names needing werkzeug (``App``, ``Request``, ``Response``, ``lazy``,
``make_response``, and ``call_each``/``hook_functions``, whose modules import
the request wrappers) load on first use through ``lazy_exports``: werkzeug's
``__init__`` imports its development server and test client, about 100 ms
that ``corolla --help``, ``corolla plugins list`` and a plugin package read
only for its declaration (``import corolla`` for ``corolla.Plugin``) would
otherwise pay. ``from corolla import App`` works as before.
"""

from typing import TYPE_CHECKING

from ._app_cli import AppCommands
from ._checks import Check
from ._commands import AppRef
from ._config import Config
from ._deprecations import HookDeprecation, HookDeprecationWarning, deprecated_hookspec
from ._errors import ConfigError, ConfigProblem, CorollaError, PluginError, PluginResolutionError, Problem
from ._exports import lazy_exports
from ._markers import hookimpl, hookspec
from ._outage import OutageLog
from ._planning import (
    GROUP,
    Decision,
    Declaration,
    Edge,
    PluginRecord,
    Resolution,
    Selection,
    discover,
    load_declaration,
    resolve,
)
from ._plugin import Plugin, Setting
from ._version import __version__

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time __getattr__ below imports them
    from ._app import App
    from ._calls import call_each
    from ._compile import hook_functions
    from ._wrappers import Request, Response, lazy, make_response

__getattr__ = lazy_exports(
    __name__,
    {
        "App": "._app",
        "Request": "._wrappers",
        "Response": "._wrappers",
        "call_each": "._calls",
        "hook_functions": "._compile",
        "lazy": "._wrappers",
        "make_response": "._wrappers",
    },
)

__all__ = [
    "GROUP",
    "App",
    "AppCommands",
    "AppRef",
    "Check",
    "Config",
    "ConfigError",
    "ConfigProblem",
    "CorollaError",
    "Decision",
    "Declaration",
    "Edge",
    "HookDeprecation",
    "HookDeprecationWarning",
    "OutageLog",
    "Plugin",
    "PluginError",
    "PluginRecord",
    "PluginResolutionError",
    "Problem",
    "Request",
    "Resolution",
    "Response",
    "Selection",
    "Setting",
    "__version__",
    "call_each",
    "deprecated_hookspec",
    "discover",
    "hook_functions",
    "hookimpl",
    "hookspec",
    "lazy",
    "lazy_exports",
    "load_declaration",
    "make_response",
    "resolve",
]
