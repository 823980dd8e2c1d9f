"""The plan: everything ``App`` decides before any plugin is instantiated.

``make_plan`` reads the config layers, discovers the installed plugins,
applies the operator's selection, imports the selected plugins' declarations,
resolves them and validates the config. ``App`` builds on the plan; the
``corolla`` command line renders the same plan without starting an app, so
what ``corolla plugins check`` prints is exactly what ``App`` would do.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .._config import Config
from .._errors import Action, ConfigError, PluginResolutionError, Problem
from .._lock import apply_lock
from .._version import __version__
from .decisions import DISABLED, OPTIONAL_SKIPPED, REFUSED, SKIPPED, Decision, Resolution
from .discovery import PluginRecord, discover, load_declaration
from .resolve import resolve
from .selection import Selection
from .settings import CORE_SETTINGS, PLUGINS_SETTINGS, Layers, selection_from


@dataclass(frozen=True)
class Plan:
    """The outcome of discovery, selection, resolution and config validation.

    ``config`` is the validated config (when resolution failed, it holds the
    core's sections and those of ``Resolution.sound`` plugins only);
    ``config_problems`` lists what is wrong with it.
    ``ok`` says whether an ``App`` would start from this plan.
    """

    root: Path
    records: tuple[PluginRecord, ...]
    selection: Selection
    resolution: Resolution
    config: Config
    config_problems: tuple[Problem, ...]
    #: Installed plugins skipped because they cannot load and the app does not pin its set
    #: (warnings for App(), errors for ``corolla plugins check``).
    strays: tuple[Problem, ...] = ()

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
    strict: bool = False,
    import_plugins: bool = True,
) -> Plan:
    """Plan an app rooted in ``root`` (arguments as for ``App``); imports only the resolved plugins.

    Plugins with a manifest are resolved from it; only those without one
    are imported before resolution (to read their class). The resolved set
    is then imported (``import_plugins``), and a failure there is resolved
    again. ``strict`` refuses a set in which any installed plugin has a
    problem; otherwise, when the app pins no plugin set, an installed
    plugin that cannot load is skipped with a warning (``Plan.strays``).
    Raises ``ConfigError`` when the ``[plugins]`` section itself is
    invalid: it decides which plugins to import, so nothing is guessed.
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
    lock_setting = base["plugins"]["lock"]
    lock = None
    if lock_setting:
        # Checked before any plugin is imported: a drifted set runs no code.
        lock = apply_lock(root / lock_setting, records, would_load(selection), __version__, plugin_path)
        records = list(lock.records)
    if lock is not None and lock.problems:
        resolution = locked_out(records, selection, lock.problems, __version__)
    else:
        resolution, records = _resolve_then_import(
            records,
            selection,
            strict or bool(base["plugins"]["strict"]) or selection.enabled is not None,
            import_plugins,
            frozenset(reserved_app),
            frozenset(reserved_request),
        )
    if lock is not None and lock.ignored:
        resolution = replace(resolution, warnings=(*lock.ignored, *resolution.warnings))
    strays = _strays(resolution, selection)
    if strays:
        resolution = replace(resolution, warnings=(*resolution.warnings, *strays))
    schemas: dict[str, Mapping[str, Any]] = {"core": CORE_SETTINGS, "plugins": PLUGINS_SETTINGS}
    # When the set fails, the plugins without a problem of their own are validated too:
    # a resolution problem does not hide the config problems of healthy plugins.
    checked = resolution.order or resolution.sound
    for name in checked:
        decl = resolution.decisions[name].record.declaration
        schemas[name] = decl.settings if decl else {}
    config_obj, config_problems = layers.build(schemas, ignore=installed - set(checked))
    return Plan(
        root=root,
        records=tuple(records),
        selection=selection,
        resolution=resolution,
        config=config_obj,
        config_problems=tuple(layers.problems + config_problems),
        strays=tuple(strays),
    )


def _resolve_then_import(
    records: list[PluginRecord],
    selection: Selection,
    strict: bool,
    import_plugins: bool,
    reserved_app: frozenset[str],
    reserved_request: frozenset[str],
) -> tuple[Resolution, list[PluginRecord]]:
    # A name two distributions register is never imported: which one is meant
    # is not known, and the duplicate is refused without running either.
    registered = Counter(r.name for r in records)

    def importable(r: PluginRecord) -> bool:
        return selection.selects(r.name) and registered[r.name] == 1

    # Plugins without a manifest (older ones) are imported to read their declaration.
    records = [load_declaration(r) if importable(r) and not r.loaded else r for r in records]
    # An app that pins no plugin set is not taken down by a plugin it never asked for:
    # every installed plugin is then optional (skipped with a warning when it cannot load).
    used = selection if strict else replace(selection, optional=selection.optional | set(registered))
    while True:
        resolution = resolve(records, used, __version__, reserved_app=reserved_app, reserved_request=reserved_request)
        if not import_plugins:
            return resolution, records
        # Only the resolved set runs code; a failure there (an import error, a class
        # that disagrees with its manifest) is resolved again, as any other problem.
        pending = {n for n in resolution.order if not resolution.decisions[n].record.imported}
        if not pending:
            return resolution, records
        records = [load_declaration(r) if r.name in pending and importable(r) else r for r in records]


def _strays(resolution: Resolution, selection: Selection) -> list[Problem]:
    """A loud warning for each installed plugin skipped only because the app does not pin it."""
    out = []
    for name, decision in resolution.decisions.items():
        if decision.status != OPTIONAL_SKIPPED or name in selection.optional:
            continue
        record = decision.record
        decision.status = SKIPPED
        out.append(
            Problem(
                name,
                "stray",
                f"plugin {record.label()} is installed but was not loaded: it cannot load ({decision.reason}), "
                "and the app does not pin its plugin set, so it starts without it",
                "uninstall it, fix the problem above, or pin the plugins the app uses with "
                "[plugins] enabled = [...] (corolla plugins check fails until one is done):\n"
                f"pip uninstall {record.distribution}",
                (Action(command=f"pip uninstall {record.distribution}", distribution=record.distribution),),
            )
        )
    return out


def would_load(selection: Selection) -> Callable[[PluginRecord], bool]:
    """Whether the selection would load a plugin, as far as metadata and manifests tell (autoload included)."""

    def loads(record: PluginRecord) -> bool:
        if not selection.selects(record.name):
            return False
        decl = record.declaration
        return selection.enabled is not None or decl is None or decl.autoload

    return loads


def locked_out(
    records: Sequence[PluginRecord], selection: Selection, problems: Sequence[Problem], core_version: str
) -> Resolution:
    """The resolution when the installed plugins differ from the lock: nothing loads, nothing was imported."""
    decisions = {
        r.name: Decision(
            r.name,
            REFUSED if selection.selects(r.name) else DISABLED,
            "not loaded: the installed plugins differ from the lock (see corolla plugins verify)",
            r,
        )
        for r in records
    }
    return Resolution((), dict(sorted(decisions.items())), tuple(problems), (), (), core_version)
