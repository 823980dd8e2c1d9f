"""Corolla: a web microframework whose core is a dispatch loop and whose features are plugins.

This module only re-exports the public API; see docs/architecture.md.
"""

from ._app import App
from ._app_cli import AppCommands
from ._calls import call_each
from ._checks import Check
from ._commands import AppRef
from ._compile import hook_functions
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
from ._wrappers import Request, Response, lazy, make_response

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
