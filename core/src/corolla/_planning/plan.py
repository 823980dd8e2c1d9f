"""The plan: everything ``App`` decides before any plugin is instantiated.

``make_plan`` reads the config layers, discovers the installed plugins,
applies the operator's selection, imports the selected plugins' declarations,
resolves them and validates the config. ``App`` builds on the plan; the
``corolla`` command line renders the same plan without starting an app, so
what ``corolla plugins check`` prints is exactly what ``App`` would do.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._config import Config
from .._errors import ConfigError, PluginResolutionError, Problem
from .._version import __version__
from .decisions import Resolution
from .discovery import PluginRecord, discover, load_declaration
from .resolve import resolve
from .selection import Selection
from .settings import CORE_SETTINGS, PLUGINS_SETTINGS, Layers, selection_from


@dataclass(frozen=True)
class Plan:
    """The outcome of discovery, selection, resolution and config validation.

    ``config`` is the validated config (it holds only the core's sections
    when resolution failed); ``config_problems`` lists what is wrong with it.
    ``ok`` says whether an ``App`` would start from this plan.
    """

    root: Path
    records: tuple[PluginRecord, ...]
    selection: Selection
    resolution: Resolution
    config: Config
    config_problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return self.resolution.ok and not self.config_problems

    @property
    def problems(self) -> list[Problem]:
        """Every problem: resolution first, then config."""
        return [*self.resolution.problems, *self.config_problems]

    def raise_for_problems(self) -> None:
        """``PluginResolutionError`` (resolution failed) or ``ConfigError`` (config only), carrying this plan."""
        error: PluginResolutionError | ConfigError
        if not self.resolution.ok:
            error = PluginResolutionError(self.problems)
        elif self.config_problems:
            error = ConfigError(list(self.config_problems))
        else:
            return
        error.plan = self
        raise error


def make_plan(
    root: Path,
    config: Mapping[str, Any] | None = None,
    plugins: Iterable[str] | None = None,
    *,
    plugin_path: Sequence[str] | None = None,
    environ: Mapping[str, str] | None = None,
    reserved_app: Iterable[str] = (),
    reserved_request: Iterable[str] = (),
) -> Plan:
    """Plan an app rooted in ``root`` (arguments as for ``App``); imports only the selected plugins.

    Raises ``ConfigError`` when the ``[plugins]`` section itself is invalid:
    it decides which plugins to import, so nothing is guessed.
    """
    env = os.environ if environ is None else environ
    layers = Layers(root, config, env)
    records = discover(plugin_path)
    installed = {r.name for r in records}

    # A first pass over the core's own sections only: they decide which
    # plugins to load. The full pass after resolution reports every problem.
    base, base_problems = layers.build(
        {"core": CORE_SETTINGS, "plugins": PLUGINS_SETTINGS}, ignore=layers.section_names() | installed
    )
    selection_problems = [p for p in base_problems if p.plugin == "plugins"]
    if selection_problems:
        # Which plugins to import depends on this section: never guess.
        raise ConfigError(selection_problems)
    selection = selection_from(base["plugins"], base, plugins, env)
    # A plugin that will not load is never imported.
    records = [load_declaration(r) if selection.selects(r.name) else r for r in records]
    resolution = resolve(
        records,
        selection,
        __version__,
        reserved_app=frozenset(reserved_app),
        reserved_request=frozenset(reserved_request),
    )
    schemas: dict[str, Mapping[str, Any]] = {"core": CORE_SETTINGS, "plugins": PLUGINS_SETTINGS}
    for name in resolution.order:
        decl = resolution.decisions[name].record.declaration
        schemas[name] = decl.settings if decl else {}
    config_obj, config_problems = layers.build(schemas, ignore=installed - set(resolution.order))
    return Plan(
        root=root,
        records=tuple(records),
        selection=selection,
        resolution=resolution,
        config=config_obj,
        config_problems=tuple(layers.problems + config_problems),
    )
