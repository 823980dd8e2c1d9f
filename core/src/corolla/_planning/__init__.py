"""Planning: everything decided before any plugin is instantiated.

The steps, each its own module: ``discovery`` scans the entry points into
``PluginRecord``s and imports a selected plugin's class; ``declaration``
parses what the class declares; ``selection`` applies the operator's
allowlist, denylist and provider choices; ``checks`` holds one small function
per kind of problem; ``resolve`` runs them and orders the rest (``graph``),
recording a ``Decision`` per plugin (``decisions``); ``settings`` merges and
validates the config layers, each setting's own check included; ``plan``
ties them together for ``App`` and the command line.

``resolve`` is a pure function of records and a selection: it does not care
whether the declarations came from importing plugins or from data.
"""

from .decisions import DISABLED, ENABLED, OPTIONAL_SKIPPED, REFUSED, Decision, Resolution, Status
from .declaration import Declaration, parse_declaration
from .discovery import GROUP, PluginRecord, discover, load_declaration
from .graph import Edge, EdgeKind
from .plan import Plan, make_plan
from .resolve import resolve
from .selection import Selection

__all__ = [
    "DISABLED",
    "ENABLED",
    "GROUP",
    "OPTIONAL_SKIPPED",
    "REFUSED",
    "Decision",
    "Declaration",
    "Edge",
    "EdgeKind",
    "Plan",
    "PluginRecord",
    "Resolution",
    "Selection",
    "Status",
    "discover",
    "load_declaration",
    "make_plan",
    "parse_declaration",
    "resolve",
]
