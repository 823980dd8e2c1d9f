"""Resolution: a pure function from (discovered plugins, selection) to a load order.

``resolve`` imports nothing, reads no file and touches no global state: it
takes the records that discovery produced and the operator's selection, and
returns either a load order or every problem at once, plus a ``Decision`` for
each plugin saying why it is loaded, disabled, refused or skipped. The CLI
renders the same records, so what ``corolla plugins check`` prints is exactly
what ``App`` would do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from ._config import env_section
from ._decisions import (
    DISABLED,
    ENABLED,
    OPTIONAL_SKIPPED,
    REFUSED,
    Decision,
    Resolution,
    Selection,
    provided_capabilities,
)
from ._discovery import PluginRecord
from ._errors import Problem, did_you_mean
from ._graph import Edge, because, keep_acyclic
from ._graph import order as order_plugins

#: Names no plugin may take: the core's own config sections and its own plugin.
RESERVED_NAMES = frozenset({"core", "corolla", "plugins"})
#: Compared as environment prefixes, so 'Core' or 'plug-ins' cannot take COROLLA_CORE__ either.
RESERVED_PREFIXES = frozenset(env_section(name) for name in RESERVED_NAMES)


def _dist_for(capability: str) -> str:
    return f"corolla-{capability}"


class _Resolver:
    def __init__(
        self,
        records: Sequence[PluginRecord],
        selection: Selection,
        core_version: str,
        reserved_app: frozenset[str],
        reserved_request: frozenset[str],
    ) -> None:
        self.records = records
        self.by_name = {r.name: r for r in records}
        self.selection = selection
        self.core_version = Version(core_version)
        self.core_version_text = core_version
        self.reserved_app = reserved_app
        self.reserved_request = reserved_request
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.decisions: dict[str, Decision] = {}

    # -- filtering ---------------------------------------------------------

    def select(self) -> dict[str, PluginRecord]:
        by_name: dict[str, list[PluginRecord]] = {}
        for record in self.records:
            by_name.setdefault(record.name, []).append(record)
        sel = self.selection
        unique: dict[str, PluginRecord] = {}
        for name in sorted(by_name):
            found = by_name[name]
            selected = sel.selects(name)
            if len(found) > 1 and selected:
                # Only a plugin that would load is ambiguous; a disabled one is harmless.
                dists = ", ".join(f"{r.distribution} {r.version}" for r in found)
                problem = Problem(
                    name,
                    "duplicate",
                    f"plugin name {name!r} is registered by {len(found)} distributions: {dists}",
                    "uninstall all but one of them: " + " or ".join(f"pip uninstall {r.distribution}" for r in found),
                )
                optional = name in sel.optional
                (self.warnings if optional else self.problems).append(problem)
                self.decisions[name] = Decision(
                    name,
                    OPTIONAL_SKIPPED if optional else REFUSED,
                    "its name is registered by several distributions",
                    found[0],
                )
                continue
            if env_section(name) in RESERVED_PREFIXES and selected:
                record = found[0]
                self.problems.append(
                    Problem(
                        name,
                        "invalid-declaration",
                        f"plugin {record.label()} uses the reserved name {name!r} "
                        f"(reserved: {', '.join(sorted(RESERVED_NAMES))}: the core's own sections and plugin)",
                        f'rename its entry point in {record.distribution}\'s [project.entry-points."corolla.plugins"]',
                    )
                )
                self.decisions[name] = Decision(name, REFUSED, f"{name!r} is a reserved name", record)
                continue
            unique[name] = found[0]

        if sel.enabled is not None:
            for wanted in sel.enabled:
                if wanted not in by_name and wanted not in sel.optional:  # an absent optional one only warns
                    hint = did_you_mean(wanted, by_name)
                    self.problems.append(
                        Problem(
                            wanted,
                            "unknown-plugin",
                            f"{sel.enabled_source or 'the allowlist'} names plugin {wanted!r}, which is not installed"
                            + (f"; {hint}" if hint else ""),
                            f"fix the name ({hint})"
                            if hint
                            else f'install it (pip install "{_dist_for(wanted)}") or remove it from the allowlist',
                        )
                    )
        # Naming an absent plugin in the denylist or as optional is harmless,
        # but likely a typo: warn.
        absent = [(n, f"{src} disables") for n, src in sel.disabled.items()]
        absent += [(n, "[plugins] optional names") for n in sel.optional]
        for name, says in sorted(absent):
            if name not in by_name:
                hint = did_you_mean(name, by_name)
                self.warnings.append(
                    Problem(
                        name,
                        "unknown-plugin",
                        f"{says} plugin {name!r}, which is not installed",
                        f"fix the name ({hint})" if hint else "remove it from that list",
                    )
                )

        candidates: dict[str, PluginRecord] = {}
        for name, record in unique.items():
            if sel.enabled is not None and name not in sel.enabled:
                self.decisions[name] = Decision(name, DISABLED, f"not in the allowlist ({sel.enabled_source})", record)
            elif name in sel.disabled:
                self.decisions[name] = Decision(name, DISABLED, f"disabled by {sel.disabled[name]}", record)
            else:
                candidates[name] = record
        return candidates

    def choose_providers(self, active: dict[str, PluginRecord]) -> None:
        """Apply ``[plugins.providers]`` choices: unchosen providers are disabled."""
        for capability, chosen in sorted(self.selection.providers.items()):
            cap = canonicalize_name(capability)
            providers = [n for n, r in active.items() if cap in provided_capabilities(r)]
            if chosen not in providers:
                names = ", ".join(sorted(providers)) or "no enabled plugin"
                self.problems.append(
                    Problem(
                        chosen,
                        "unknown-plugin",
                        f"[plugins.providers] chooses {chosen!r} for capability {capability!r}, "
                        f"but it is not an enabled plugin providing it (providers: {names})",
                        f"set [plugins.providers] {capability} to one of: {names}"
                        if providers
                        else f"remove {capability!r} from [plugins.providers]",
                    )
                )
                continue
            for other in providers:
                if other != chosen:
                    self.decisions[other] = Decision(
                        other,
                        DISABLED,
                        f"capability {capability!r} is provided by {chosen!r}, chosen in [plugins.providers]",
                        active.pop(other),
                    )

    # -- checks that belong to one plugin (an optional plugin is skipped for them)

    def own_problems(self, active: Mapping[str, PluginRecord]) -> dict[str, list[Problem]]:
        caps = self.capabilities(active)
        found: dict[str, list[Problem]] = {}
        for name, record in active.items():
            mine = found.setdefault(name, [])
            if record.error is not None:
                mine.append(
                    Problem(
                        name,
                        record.error_kind or "import",
                        f"plugin {record.label()} {record.error}",
                        f"fix or upgrade {record.distribution} (pip install -U {record.distribution}), "
                        f"or disable it: COROLLA_DISABLE_PLUGINS={name}",
                    )
                )
                continue
            mine.extend(self.core_problems(record))
            decl = record.declaration
            if decl is None:  # never imported: a caller forgot load_declaration
                mine.append(Problem(name, "import", f"plugin {record.label()} was not loaded", "report this as a bug"))
                continue
            for req in decl.requires:
                mine.extend(self.requirement_problems(record, req, caps))
        return {n: p for n, p in found.items() if p}

    def core_problems(self, record: PluginRecord) -> list[Problem]:
        out = []
        decl = record.declaration
        for spec, where in ((record.dist_core, "its Requires-Dist"), (decl.core if decl else None, "its declaration")):
            if spec is None or not str(spec):
                continue
            if not spec.contains(self.core_version, prereleases=True):
                out.append(
                    Problem(
                        record.name,
                        "core-version",
                        f"plugin {record.label()} supports corolla{spec} ({where}), "
                        f"but corolla {self.core_version_text} is installed",
                        f"install a release of {record.distribution} made for corolla {self.core_version_text} "
                        f'(pip install -U {record.distribution}), or pip install "corolla{spec}"',
                    )
                )
        return out

    def capabilities(self, active: Mapping[str, PluginRecord]) -> dict[str, list[tuple[str, Version | None]]]:
        caps: dict[str, list[tuple[str, Version | None]]] = {}
        for name, record in active.items():
            for cap, version in provided_capabilities(record).items():
                caps.setdefault(cap, []).append((name, version if version is not None else record.parsed_version))
        return caps

    def requirement_problems(
        self, record: PluginRecord, req: Requirement, caps: Mapping[str, list[tuple[str, Version | None]]]
    ) -> list[Problem]:
        cap = canonicalize_name(req.name)
        providers = caps.get(cap, [])
        if not providers:
            return [self.missing(record, req)]
        out = []
        for provider, version in providers:
            if not str(req.specifier):
                continue
            if version is None or not req.specifier.contains(version, prereleases=True):
                prec = self.by_name.get(provider)
                pdesc = prec.label() if prec else repr(provider)
                if prec is not None and canonicalize_name(provider) == cap:
                    fix = f'pip install -U "{prec.distribution}{req.specifier}"'
                else:
                    fix = f"install a release of {prec.distribution if prec else provider} that provides {req}"
                out.append(
                    Problem(
                        record.name,
                        "version",
                        f"plugin {record.label()} requires {str(req)!r}, but {cap!r} is provided by "
                        f"{pdesc} at version {version}",
                        fix,
                    )
                )
        return out

    def missing(self, record: PluginRecord, req: Requirement) -> Problem:
        cap = canonicalize_name(req.name)
        # Is it installed but switched off? Then the fix is to switch it on.
        for other in self.records:
            if cap not in provided_capabilities(other) or other.name == record.name:
                continue
            decision = self.decisions.get(other.name)
            # (REFUSED here: its name is registered twice; installing it again would not help.)
            if decision is not None and decision.status in (DISABLED, OPTIONAL_SKIPPED, REFUSED):
                return Problem(
                    record.name,
                    "missing",
                    f"plugin {record.label()} requires {str(req)!r}; plugin {other.label()} provides it "
                    f"but is {decision.status}: {decision.reason}",
                    f"enable {other.name!r} (remove it from the denylist or add it to the allowlist)"
                    if decision.status == DISABLED
                    else f"fix {other.name!r} so that it loads (see its warning)"
                    if decision.status == OPTIONAL_SKIPPED
                    else f"fix the problem reported for {other.name!r}",
                )
        if cap.startswith("corolla-"):
            # A distribution name where a plugin or capability name belongs.
            plain = cap[len("corolla-") :]
            return Problem(
                record.name,
                "missing",
                f"plugin {record.label()} requires {str(req)!r}, which no installed plugin provides; "
                f"requirements name plugins or capabilities ({plain!r}), not distributions ({cap!r})",
                f"require '{plain}{req.specifier}' in {record.distribution} "
                f'(and pip install "{cap}{req.specifier}" if it is not installed)',
            )
        fix = f'pip install "{_dist_for(cap)}{req.specifier}" (or another plugin that provides {cap!r})'
        # Plugins never imported (disabled) may provide it under another name.
        unknown = sorted(
            r.name for r in self.records if r.declaration is None and r.error is None and r.name != record.name
        )
        if unknown:
            fix += f"; if a disabled plugin ({', '.join(unknown)}) provides it, enable that one instead"
        return Problem(
            record.name,
            "missing",
            f"plugin {record.label()} requires {str(req)!r}, which no installed plugin provides",
            fix,
        )

    # -- checks over the whole set ------------------------------------------

    def set_problems(self, active: Mapping[str, PluginRecord]) -> list[tuple[Problem, tuple[str, ...]]]:
        """Problems between plugins, each with the plugins involved (an optional one may be dropped)."""
        out: list[tuple[Problem, tuple[str, ...]]] = []
        loadable = {n: r for n, r in active.items() if r.declaration is not None}
        caps = self.capabilities(loadable)
        for cap in sorted(caps):
            providers = sorted(n for n, _ in caps[cap])
            if len(providers) > 1:
                labels = " and ".join(loadable[n].label() for n in providers)
                out.append(
                    (
                        Problem(
                            providers[0],
                            "capability-conflict",
                            f"capability {cap!r} is provided by {labels}; only one may be enabled",
                            f'choose one in config: [plugins.providers] {cap} = "{providers[0]}" '
                            "(or disable the others)",
                        ),
                        tuple(providers),
                    )
                )
        for name, record in sorted(loadable.items()):
            assert record.declaration is not None
            for conflict in record.declaration.conflicts:
                for other, version in caps.get(canonicalize_name(conflict.name), []):
                    if other == name:
                        continue
                    if str(conflict.specifier) and (
                        version is None or not conflict.specifier.contains(version, prereleases=True)
                    ):
                        continue
                    out.append(
                        (
                            Problem(
                                name,
                                "conflict",
                                f"plugin {record.label()} declares a conflict with {str(conflict)!r}, "
                                f"and {loadable[other].label()} is enabled",
                                f"disable {name!r} or {other!r} (COROLLA_DISABLE_PLUGINS={other} or ={name}), "
                                "or mark one of them optional in [plugins] optional",
                            ),
                            (name, other),
                        )
                    )
        for kind, reserved in (("app", self.reserved_app), ("request", self.reserved_request)):
            owners: dict[str, list[str]] = {}
            for name, record in sorted(loadable.items()):
                assert record.declaration is not None
                names = record.declaration.app_attributes if kind == "app" else record.declaration.request_attributes
                for attr in names:
                    owners.setdefault(attr, []).append(name)
            for attr, plugins in sorted(owners.items()):
                if attr in reserved:
                    out.extend(
                        (
                            Problem(
                                p,
                                "attribute-clash",
                                f"plugin {loadable[p].label()} adds {kind} attribute {attr!r}, "
                                f"which the core's {kind.title()} already has",
                                f"rename the attribute in {loadable[p].distribution}",
                            ),
                            (p,),
                        )
                        for p in plugins
                    )
                if len(plugins) > 1:
                    labels = " and ".join(loadable[p].label() for p in plugins)
                    out.append(
                        (
                            Problem(
                                plugins[0],
                                "attribute-clash",
                                f"{kind} attribute {attr!r} is added by both {labels}",
                                f"disable one of them, e.g. COROLLA_DISABLE_PLUGINS={plugins[-1]}",
                            ),
                            tuple(plugins),
                        )
                    )
        # Two plugins whose names differ only in case or punctuation would share
        # one COROLLA_<NAME>__ prefix, so environment config could not tell them apart.
        prefixes: dict[str, list[str]] = {}
        for name in sorted(loadable):
            prefixes.setdefault(env_section(name), []).append(name)
        for prefix, plugins in sorted(prefixes.items()):
            if len(plugins) > 1:
                labels = " and ".join(loadable[p].label() for p in plugins)
                out.append(
                    (
                        Problem(
                            plugins[0],
                            "name-clash",
                            f"{labels} share the environment prefix COROLLA_{prefix}__",
                            f"disable one of them, e.g. COROLLA_DISABLE_PLUGINS={plugins[-1]}",
                        ),
                        tuple(plugins),
                    )
                )
        return out

    def edges(self, active: Mapping[str, PluginRecord]) -> list[Edge]:
        loadable = {n: r for n, r in active.items() if r.declaration is not None}
        caps = self.capabilities(loadable)
        edges: list[Edge] = []

        def providers(ref: str) -> list[str]:
            return sorted(n for n, _ in caps.get(canonicalize_name(ref), []))

        for name, record in sorted(loadable.items()):
            decl = record.declaration
            assert decl is not None
            for req in decl.requires:
                edges += [Edge(p, name, "requires", str(req)) for p in providers(req.name) if p != name]
            for opt in decl.optional:
                edges += [Edge(p, name, "optional", opt) for p in providers(opt) if p != name]
            for ref in decl.after:
                edges += [Edge(p, name, "after", ref) for p in providers(ref) if p != name]
            for ref in decl.before:
                edges += [Edge(name, p, "before", ref) for p in providers(ref) if p != name]
        return edges

    # -- the whole thing ----------------------------------------------------

    def run(self) -> Resolution:
        active = self.select()
        self.choose_providers(active)
        # Plugins the operator marked optional are dropped (with a warning) when
        # they have problems of their own; dropping one can break a dependent,
        # so repeat until nothing more is dropped.
        while True:
            own = self.own_problems(active)
            skip = {n: own[n] for n in sorted(own) if n in self.selection.optional}
            between: list[tuple[Problem, tuple[str, ...]]] = []
            if not skip:
                # A problem between plugins is solved by dropping an optional
                # one involved; drop one at a time, then look again.
                between = self.set_problems(active)
                for problem, involved in between:
                    optional = sorted(n for n in involved if n in self.selection.optional)
                    if optional:
                        skip[optional[-1]] = [problem]
                        break
            if not skip:
                break
            for name, problems in skip.items():
                reasons = "; ".join(p.message for p in problems)
                self.decisions[name] = Decision(name, OPTIONAL_SKIPPED, reasons, active.pop(name))
                self.warnings.extend(problems)
        for name in sorted(own):
            self.problems.extend(own[name])
        self.problems.extend(problem for problem, _ in between)  # the loop left them for this set
        edges, dropped = keep_acyclic(self.edges(active))
        self.warnings.extend(
            Problem(
                edge.target if edge.kind != "before" else edge.source,
                "soft-cycle",
                f"ignored an ordering preference that would close a cycle: {because(edge)}",
                "nothing to do unless that order matters; then remove the other plugins' hints "
                "or integrations that point the other way",
            )
            for edge in dropped
        )
        order, cycle_problems = order_plugins(active, edges)
        self.problems.extend(cycle_problems)
        culprits = {p.plugin for p in self.problems}

        satisfied = {n: {} for n in active}  # type: dict[str, dict[str, str]]
        for edge in edges:
            if edge.kind == "requires":
                satisfied[edge.target][edge.detail] = edge.source
        final_order = tuple(order) if not self.problems else ()
        for name, record in active.items():
            if name in own:
                reason = "; ".join(p.message for p in own[name])
                self.decisions[name] = Decision(name, REFUSED, reason, record, satisfied_by=satisfied[name])
            elif self.problems:
                mine = [p.message for p in self.problems if p.plugin == name]
                reason = (
                    "; ".join(mine)
                    if mine
                    else (
                        "not loaded: the plugin set does not resolve (problems in: " + ", ".join(sorted(culprits)) + ")"
                    )
                )
                self.decisions[name] = Decision(name, REFUSED, reason, record, satisfied_by=satisfied[name])
            else:
                position = final_order.index(name)
                needs = ", ".join(f"{req} (satisfied by {by!r})" for req, by in sorted(satisfied[name].items()))
                reason = f"loaded at position {position}" + (f"; requires {needs}" if needs else "")
                self.decisions[name] = Decision(name, ENABLED, reason, record, position, satisfied[name])
        ordered = dict(sorted(self.decisions.items()))
        return Resolution(
            order=final_order,
            decisions=ordered,
            problems=tuple(self.problems),
            warnings=tuple(self.warnings),
            edges=tuple(edges),
            core_version=self.core_version_text,
        )


def resolve(
    records: Sequence[PluginRecord],
    selection: Selection | None = None,
    core_version: str | None = None,
    *,
    reserved_app: Iterable[str] = (),
    reserved_request: Iterable[str] = (),
) -> Resolution:
    """Resolve ``records`` (from ``discover`` + ``load_declaration``) under ``selection``.

    Returns a ``Resolution``: its ``order`` is the load order when ``ok``;
    otherwise ``order`` is empty and ``problems`` lists every problem, each
    with its fix. ``reserved_*`` are attribute names plugins may not add.
    """
    if core_version is None:
        from ._version import __version__

        core_version = __version__
    try:
        Version(core_version)
    except InvalidVersion:
        raise ValueError(f"core_version {core_version!r} is not a PEP 440 version") from None
    return _Resolver(
        records, selection or Selection(), core_version, frozenset(reserved_app), frozenset(reserved_request)
    ).run()
