"""The data behind ``corolla plugins ...``: plain dicts, which are also the ``--json`` output.

Built from a ``Plan`` (the records resolution made), never from click, so the
renderers and the JSON share one source. The keys are the documented schema
(docs/cli.md); add keys, never rename or remove them.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from .._deprecations import class_deprecations
from .._errors import ConfigProblem, Problem, did_you_mean
from .._manifest import Manifest, ManifestError
from .._manifest import parse as parse_manifest
from .._markers import PROJECT
from .._planning.decisions import ENABLED, REFUSED, Decision, provided_capabilities
from .._planning.discovery import PluginRecord, load_declaration
from .._planning.plan import Plan
from .._plugin import Setting

_IMPL_MARK = f"{PROJECT}_impl"
_SPEC_MARK = f"{PROJECT}_spec"


def ordered_decisions(plan: Plan) -> list[Decision]:
    """Loaded plugins in load order, then the others by name."""
    decisions = plan.resolution.decisions.values()
    loaded = sorted((d for d in decisions if d.position is not None), key=lambda d: d.position or 0)
    return loaded + [d for d in decisions if d.position is None]


def plugin_rows(plan: Plan) -> list[dict[str, Any]]:
    return [d.as_dict() for d in ordered_decisions(plan)]


def app_hook_rows(app: Any) -> list[dict[str, Any]]:
    """The app-local plugin ``app`` (@app.before_request ...) as a ``plugins list`` row, when the app has one."""
    hooks = getattr(app, "request_hooks", None)
    if not hooks:
        return []
    return [
        {
            "name": "app",
            "version": "-",
            "distribution": "(the app)",
            "status": "enabled",
            "reason": f"the app's own request hooks: {', '.join(hooks.kinds())}",
            "provides": [],
            "requires": [],
            "position": None,
        }
    ]


def unknown_hooks(plan: Plan) -> list[Problem]:
    """Every implementation of a hook nobody declares, in every plugin at once (App() refuses the first set)."""
    from .. import hookspecs

    classes = {n: d.record for n, d in plan.resolution.decisions.items() if d.record.plugin_class is not None}
    declared = {n for n in dir(hookspecs) if hasattr(getattr(hookspecs, n), f"{PROJECT}_spec")}
    for record in classes.values():
        declared |= set(declared_hookspecs(record.plugin_class))
    out = []
    for name, record in sorted(classes.items()):
        if plan.resolution.decisions[name].status not in (ENABLED, REFUSED):
            continue
        for impl in hook_implementations(record.plugin_class):
            if impl["hook"] in declared or impl["optionalhook"]:
                continue
            hint = did_you_mean(impl["hook"], declared)
            out.append(
                Problem(
                    name,
                    "unknown-hook",
                    f"plugin {record.label()} implements {impl['hook']!r}, which no installed plugin declares "
                    "as a hook" + (f"; {hint}" if hint else ""),
                    f"rename the method in {record.distribution}"
                    + (f" ({hint})" if hint else "")
                    + "\nor, for an optional integration: @hookimpl(optionalhook=True)",
                )
            )
    return out


def undeclared_dependencies(plan: Plan) -> list[Problem]:
    """A warning for each enabled plugin requiring a plugin its distribution does not depend on.

    pip installs what ``Requires-Dist`` names, not what a plugin requires:
    such a plugin installs fine and then does not resolve where the other is
    missing. Distributions without a manifest (older plugins) are left alone.
    """
    enabled = {n: d.record for n, d in plan.resolution.decisions.items() if d.status == ENABLED}
    out = []
    for name, record in sorted(enabled.items()):
        if not record.manifest or record.declaration is None:
            continue
        depends = set()
        for line in record.requires_dist:
            try:
                depends.add(canonicalize_name(Requirement(line).name))
            except InvalidRequirement:
                continue
        for req in record.declaration.requires:
            by = plan.resolution.decisions[name].satisfied_by.get(str(req))
            provider = enabled.get(by or "")
            if provider is None or canonicalize_name(provider.distribution) in depends:
                continue
            if canonicalize_name(provider.distribution) == canonicalize_name(record.distribution):
                continue
            out.append(
                Problem(
                    name,
                    "undeclared-dependency",
                    f"plugin {record.label()} requires {str(req)!r}, which {provider.distribution} provides, but "
                    f"{record.distribution} does not depend on {provider.distribution}: pip will not install it",
                    f'add "{provider.distribution}" (with a version range) to {record.distribution}\'s '
                    "[project] dependencies",
                )
            )
    return out


def check_data(plan: Plan) -> dict[str, Any]:
    # A plugin the app would skip (installed, not pinned, cannot load) fails the CI gate:
    # its own problems are errors here, as they would be for a pinned plugin.
    strays = {p.plugin for p in plan.strays}
    skipped = [p for p in plan.resolution.warnings if p.plugin in strays and p.kind != "stray"]
    errors = [p.as_dict() for p in (*skipped, *plan.problems)]
    # The plugins that would load, and those that would if their set resolved: a deprecation shows either way.
    classes = {
        d.name: (d.record.label(), d.record.plugin_class)
        for d in plan.resolution.decisions.values()
        if d.record.plugin_class is not None and d.status in (ENABLED, REFUSED)
    }
    errors += [p.as_dict() for p in unknown_hooks(plan)]
    return {
        "ok": plan.ok and not strays and not errors,
        "order": list(plan.resolution.order),
        "errors": errors,
        "warnings": [
            p.as_dict()
            for p in (*plan.resolution.warnings, *class_deprecations(classes), *undeclared_dependencies(plan))
            if p.plugin not in strays
        ],
    }


# -- dependency edges, from the declarations (whatever each plugin's status) ---


def _loaded(plan: Plan) -> list[PluginRecord]:
    return [d.record for d in ordered_decisions(plan)]


def providers_of(plan: Plan, ref: str) -> list[str]:
    """Plugins providing capability ``ref``, enabled ones first.

    A plugin that was never imported (disabled) or failed to import provides
    at least its own name.
    """
    cap = canonicalize_name(ref)
    found = [r.name for r in _loaded(plan) if cap in provided_capabilities(r)]
    enabled = [n for n in found if plan.resolution.decisions[n].status == ENABLED]
    return enabled + [n for n in found if n not in enabled]


def dependency_edges(plan: Plan) -> list[dict[str, Any]]:
    """``{"plugin", "needs", "kind", "requirement"}``: plugin needs a provider (None: nothing provides it)."""
    edges: list[dict[str, Any]] = []
    for record in _loaded(plan):
        decl = record.declaration
        if decl is None:
            continue
        wanted = [("requires", str(r), r.name) for r in decl.requires] + [("optional", o, o) for o in decl.optional]
        for kind, text, ref in wanted:
            providers = [p for p in providers_of(plan, ref) if p != record.name]
            chosen = providers[0] if providers else None
            if kind == "requires":
                chosen = plan.resolution.decisions[record.name].satisfied_by.get(text, chosen)
            edges.append({"plugin": record.name, "needs": chosen, "kind": kind, "requirement": text})
    return edges


def graph_data(plan: Plan) -> dict[str, Any]:
    nodes = [
        {
            "name": d.name,
            "version": d.record.version,
            "status": d.status,
            "position": d.position,
            "provides": sorted(provided_capabilities(d.record)),
        }
        for d in ordered_decisions(plan)
    ]
    return {"nodes": nodes, "edges": dependency_edges(plan)}


def loaded_because(plan: Plan, name: str) -> list[str]:
    """Why an enabled plugin is in the set: the allowlist that names it, or autoload; and who requires it."""
    decision = plan.resolution.decisions[name]
    if decision.status != ENABLED:
        return []
    selection = plan.selection
    if selection.enabled is None:
        out = ["autoloaded: no allowlist ([plugins] enabled, App(plugins=...), COROLLA_PLUGINS) names the plugins"]
    elif name in selection.enabled:
        out = [f"in {selection.enabled_source}"]
    else:
        out = [f"provides a capability named in {selection.enabled_source}"]
    for edge in dependency_edges(plan):
        plugin = edge["plugin"]
        if edge["needs"] == name and edge["kind"] == "requires":
            if plan.resolution.decisions[plugin].status == ENABLED:
                out.append(f"required by {plugin} ({edge['requirement']})")
    return out


#: Which source of the plugin selection wins, strongest first (docs/cli.md, "Which source wins").
PRECEDENCE = (
    "COROLLA_PLUGINS (which may only narrow App(plugins=...)) > App(plugins=...) > [plugins] enabled "
    "> every installed plugin; COROLLA_DISABLE_PLUGINS and [plugins] disabled switch plugins off in any case; "
    "[plugins] lock pins each plugin's distribution and version"
)


def selected_by(plan: Plan) -> dict[str, Any]:
    """Which source chose the plugin set (and the lock, if any), and the precedence between sources."""
    selection = plan.selection
    lock = plan.config["plugins"].get("lock") if "plugins" in plan.config else None
    return {
        "source": selection.enabled_source if selection.enabled is not None else "autoload (nothing pins the set)",
        "lock": lock,
        "precedence": PRECEDENCE,
    }


def why_data(plan: Plan, name: str) -> dict[str, Any]:
    """The decision, what NAME needs, and who needs it.

    ``needed_by`` lists every plugin requiring or optionally integrating with
    NAME; below that first level only ``requires`` edges are followed (an
    optional integration of an integrator says nothing about NAME).
    """
    decision = plan.resolution.decisions[name]
    edges = dependency_edges(plan)
    needs = [
        {"requirement": e["requirement"], "kind": e["kind"], "provider": e["needs"]}
        for e in edges
        if e["plugin"] == name
    ]

    def dependents(target: str, seen: frozenset[str], kinds: tuple[str, ...]) -> list[dict[str, Any]]:
        out = []
        for e in edges:
            if e["needs"] == target and e["plugin"] not in seen and e["kind"] in kinds:
                further = e["kind"] == "requires"
                out.append(
                    {
                        "plugin": e["plugin"],
                        "status": plan.resolution.decisions[e["plugin"]].status,
                        "kind": e["kind"],
                        "requirement": e["requirement"],
                        "needed_by": dependents(e["plugin"], seen | {e["plugin"]}, ("requires",)) if further else [],
                    }
                )
        return out

    return {
        "name": name,
        "version": decision.record.version,
        "distribution": decision.record.distribution,
        "status": decision.status,
        "reason": decision.reason,
        "position": decision.position,
        "loaded_because": loaded_because(plan, name),
        "selected_by": selected_by(plan),
        "needs": needs,
        "needed_by": dependents(name, frozenset({name}), ("requires", "optional")),
        "failures": failures_summary(plan, name),
    }


# -- one plugin, in full ---------------------------------------------------------


def hook_implementations(cls: type | None) -> list[dict[str, Any]]:
    """The ``@hookimpl`` methods of a plugin class, by name, with their options."""
    if cls is None:
        return []
    out = []
    for attr in sorted(dir(cls)):
        fn = getattr(cls, attr, None)
        opts = getattr(fn, _IMPL_MARK, None)
        if not isinstance(opts, dict):
            continue
        out.append(
            {
                "hook": opts.get("specname") or attr,
                "wrapper": bool(opts.get("wrapper") or opts.get("hookwrapper")),
                "tryfirst": bool(opts.get("tryfirst")),
                "trylast": bool(opts.get("trylast")),
                "optionalhook": bool(opts.get("optionalhook")),
            }
        )
    return out


def declared_hookspecs(cls: type | None) -> list[str]:
    namespace = getattr(cls, "hookspecs", None) if cls is not None else None
    if namespace is None:
        return []
    return sorted(attr for attr in dir(namespace) if hasattr(getattr(namespace, attr, None), _SPEC_MARK))


def _shown(setting: Setting, value: Any) -> Any:
    return "***" if setting.secret and value not in (None, "", []) else value


def _invalid(plan: Plan, name: str, key: str) -> tuple[str, Any, str] | None:
    """(source, value, why) of the last refused value configured for ``[name] key``, or None.

    A value of the wrong type is not kept in the config, so it is read from
    its problem (a secret's shows as ``***``), as is one its setting's check refused.
    """
    found = None
    for problem in plan.config_problems:
        if isinstance(problem, ConfigProblem) and problem.plugin == name and problem.key == key:
            if problem.kind in ("wrong-type", "wrong-value"):
                found = (problem.source, problem.value, problem.reason)
    return found


def settings_data(plan: Plan, name: str, settings: dict[str, Setting]) -> list[dict[str, Any]]:
    enabled = name in plan.resolution.order and name in plan.config
    out = []
    for key, setting in settings.items():
        invalid = _invalid(plan, name, key) if enabled else None
        if invalid is not None:
            source, value, why = invalid  # what the operator configured, not the default used in its place
        elif enabled:
            value, source = plan.config.masked(name).get(key), plan.config.source(name, key)
        else:
            value, source = _shown(setting, setting.default), "defaults"
        out.append(
            {
                "key": key,
                "type": setting.type.__name__,
                "default": _shown(setting, setting.default),
                "value": value,
                "source": source,
                "secret": setting.secret,
                "choices": list(setting.choices),
                "help": setting.help,
                "invalid": why if invalid is not None else None,
            }
        )
    return out


def _manifest(record: PluginRecord) -> Manifest | None:
    try:
        return parse_manifest(Path(record.manifest).read_text(encoding="utf-8"), record.manifest)
    except (OSError, ManifestError):
        return None


def _manifest_hooks(record: PluginRecord) -> list[dict[str, Any]]:
    """The hooks a manifest lists; how each is marked (wrapper, tryfirst...) is known once imported (None)."""
    manifest = _manifest(record)
    flags = dict.fromkeys(("wrapper", "tryfirst", "trylast", "optionalhook"))
    return [{"hook": hook, **flags} for hook in (manifest.hooks if manifest else ())]


def _manifest_specs(record: PluginRecord) -> list[str]:
    manifest = _manifest(record)
    return list(manifest.hookspecs) if manifest else []


def show_data(plan: Plan, name: str, commands: Iterable[str] | None) -> dict[str, Any]:
    decision = plan.resolution.decisions[name]
    record = decision.record
    if not record.loaded:
        record = load_declaration(record)  # a disabled plugin: read its declaration for this one report
    decl = record.declaration
    return {
        "name": name,
        "version": record.version,
        "distribution": record.distribution,
        "entry_point": record.entry_point,
        "location": record.location or None,
        "manifest": record.manifest or None,
        "status": decision.status,
        "reason": decision.reason,
        "position": decision.position,
        "error": record.error,
        "core": str(decl.core) if decl and str(decl.core) else (str(record.dist_core) if record.dist_core else None),
        "requires": [str(r) for r in decl.requires] if decl else [],
        "provides": sorted(provided_capabilities(record)),
        "optional": list(decl.optional) if decl else [],
        "conflicts": [str(c) for c in decl.conflicts] if decl else [],
        "before": list(decl.before) if decl else [],
        "after": list(decl.after) if decl else [],
        "satisfied_by": dict(decision.satisfied_by),
        "settings": settings_data(plan, name, dict(decl.settings)) if decl else [],
        "hooks": hook_implementations(record.plugin_class) if record.imported else _manifest_hooks(record),
        "hookspecs": declared_hookspecs(record.plugin_class) if record.imported else _manifest_specs(record),
        "app_attributes": list(decl.app_attributes) if decl else [],
        "request_attributes": list(decl.request_attributes) if decl else [],
        "commands": sorted(commands) if commands is not None else None,
    }


# -- failures while serving --------------------------------------------------------


def failures_folder(plan: Plan) -> Path:
    """The instance folder the app's workers record plugin failures in (``_failures.py``)."""
    from .._config import instance_folder

    return instance_folder(plan.root, plan.config["core"])


def failure_rows(plan: Plan, name: str | None = None) -> list[dict[str, Any]]:
    """The failures recorded while serving (of NAME, or every plugin), the most frequent first."""
    # Imported here: sqlite3 is for these commands only, not every command line start.
    from .._failures import read_failures

    return [
        {
            "plugin": f.plugin,
            "hook": f.hook,
            "error": f.error,
            "place": f.place,
            "count": f.count,
            "first_at": _utc(f.first_at),
            "last_at": _utc(f.last_at),
            "message": f.message,
        }
        for f in read_failures(failures_folder(plan), name)
    ]


def failures_summary(plan: Plan, name: str) -> dict[str, Any]:
    """NAME's failures while serving, for ``plugins why``: the total, when, and each kind."""
    from .._failures import FILE_NAME

    rows = failure_rows(plan, name)
    return {
        "total": sum(row["count"] for row in rows),
        "first_at": min((row["first_at"] for row in rows), default=None),
        "last_at": max((row["last_at"] for row in rows), default=None),
        "recorded_in": str(failures_folder(plan) / FILE_NAME),
        "kinds": [{key: value for key, value in row.items() if key != "plugin"} for row in rows],
    }


def _utc(timestamp: float) -> str:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(timestamp, timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
