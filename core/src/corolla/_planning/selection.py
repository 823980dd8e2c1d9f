"""The operator's ``Selection``, and the first step of resolution: which plugins are candidates.

``select`` applies the allowlist, the denylist and ``[plugins.providers]`` to
the discovered records; a name registered twice, or a reserved one, is
refused here. Each step is a small function over plain records.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from packaging.utils import canonicalize_name

from .._errors import Problem, did_you_mean
from .decisions import DISABLED, OPTIONAL_SKIPPED, REFUSED, Decision, Findings, provided_capabilities
from .discovery import PluginRecord
from .names import RESERVED_NAMES, RESERVED_PREFIXES, env_section


@dataclass(frozen=True)
class Selection:
    """Which plugins the operator asked for, and where each choice came from.

    ``enabled`` is an allowlist (None means autoload every installed plugin);
    ``disabled`` a denylist; ``optional`` plugins are skipped with a warning
    when they cannot load; ``providers`` chooses one plugin per capability.
    The ``*_source`` fields name where a choice was made, for messages.
    """

    enabled: tuple[str, ...] | None = None
    enabled_source: str = ""
    disabled: Mapping[str, str] = field(default_factory=dict)
    optional: frozenset[str] = frozenset()
    providers: Mapping[str, str] = field(default_factory=dict)

    def selects(self, name: str) -> bool:
        """Whether plugin ``name`` passes the allowlist and the denylist."""
        return (self.enabled is None or name in self.enabled) and name not in self.disabled


def dist_for(capability: str) -> str:
    """The distribution that conventionally provides ``capability``."""
    return f"corolla-{capability}"


def select(records: Sequence[PluginRecord], selection: Selection, found: Findings) -> dict[str, PluginRecord]:
    """The candidates: records selected, unique and not reserved; every other one gets its decision."""
    by_name: dict[str, list[PluginRecord]] = {}
    for record in records:
        by_name.setdefault(record.name, []).append(record)
    unique: dict[str, PluginRecord] = {}
    for name in sorted(by_name):
        refusal = _refusal(by_name[name], selection)
        if refusal is None:
            unique[name] = by_name[name][0]
            continue
        problem, decision = refusal
        (found.warnings if decision.status == OPTIONAL_SKIPPED else found.problems).append(problem)
        found.decisions[name] = decision
    found.problems.extend(_unknown_in_allowlist(selection, by_name))
    found.warnings.extend(_absent_names(selection, by_name))
    candidates: dict[str, PluginRecord] = {}
    for name, record in unique.items():
        if selection.enabled is not None and name not in selection.enabled:
            reason = f"not in the allowlist ({selection.enabled_source})"
            found.decisions[name] = Decision(name, DISABLED, reason, record)
        elif name in selection.disabled:
            found.decisions[name] = Decision(name, DISABLED, f"disabled by {selection.disabled[name]}", record)
        elif selection.enabled is None and record.declaration is not None and not record.declaration.autoload:
            reason = (
                "not autoloaded (it declares autoload = False): name it in [plugins] enabled "
                "or App(plugins=[...]) to load it"
            )
            found.decisions[name] = Decision(name, DISABLED, reason, record)
        else:
            candidates[name] = record
    return candidates


def _refusal(found: Sequence[PluginRecord], selection: Selection) -> tuple[Problem, Decision] | None:
    """Why a selected name cannot load whatever else is installed: registered twice, or reserved."""
    name = found[0].name
    if not selection.selects(name):
        return None  # a disabled plugin is harmless, even with a clashing name
    if len(found) > 1:
        dists = ", ".join(f"{r.distribution} {r.version}" for r in found)
        problem = Problem(
            name,
            "duplicate",
            f"plugin name {name!r} is registered by {len(found)} distributions: {dists}",
            "uninstall all but one of them: " + " or ".join(f"pip uninstall {r.distribution}" for r in found),
        )
        reason = "its name is registered by several distributions"
        if name in selection.optional:
            return problem, Decision(name, OPTIONAL_SKIPPED, reason, found[0])
        return problem, Decision(name, REFUSED, reason, found[0])
    if env_section(name) in RESERVED_PREFIXES:
        record = found[0]
        problem = Problem(
            name,
            "invalid-declaration",
            f"plugin {record.label()} uses the reserved name {name!r} "
            f"(reserved: {', '.join(sorted(RESERVED_NAMES))}: the core's own sections and plugin)",
            f'rename its entry point in {record.distribution}\'s [project.entry-points."corolla.plugins"]',
        )
        return problem, Decision(name, REFUSED, f"{name!r} is a reserved name", record)
    return None


def _unknown_in_allowlist(selection: Selection, installed: Mapping[str, object]) -> Iterator[Problem]:
    for wanted in selection.enabled or ():
        if wanted in installed or wanted in selection.optional:  # an absent optional one only warns
            continue
        hint = did_you_mean(wanted, installed)
        yield Problem(
            wanted,
            "unknown-plugin",
            f"{selection.enabled_source or 'the allowlist'} names plugin {wanted!r}, which is not installed"
            + (f"; {hint}" if hint else ""),
            f"fix the name ({hint})"
            if hint
            else f'install it (pip install "{dist_for(wanted)}") or remove it from the allowlist',
        )


def _absent_names(selection: Selection, installed: Mapping[str, object]) -> Iterator[Problem]:
    """Naming an absent plugin in the denylist or as optional is harmless, but likely a typo."""
    absent = [(n, f"{src} disables") for n, src in selection.disabled.items()]
    absent += [(n, "[plugins] optional names") for n in selection.optional]
    for name, says in sorted(absent):
        if name not in installed:
            hint = did_you_mean(name, installed)
            yield Problem(
                name,
                "unknown-plugin",
                f"{says} plugin {name!r}, which is not installed",
                f"fix the name ({hint})" if hint else "remove it from that list",
            )


def choose_providers(active: dict[str, PluginRecord], selection: Selection, found: Findings) -> None:
    """Apply ``[plugins.providers]`` choices: unchosen providers are disabled (popped from ``active``)."""
    for capability, chosen in sorted(selection.providers.items()):
        cap = canonicalize_name(capability)
        providers = [n for n, r in active.items() if cap in provided_capabilities(r)]
        if chosen not in providers:
            names = ", ".join(sorted(providers)) or "no enabled plugin"
            found.problems.append(
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
                reason = f"capability {capability!r} is provided by {chosen!r}, chosen in [plugins.providers]"
                found.decisions[other] = Decision(other, DISABLED, reason, active.pop(other))
