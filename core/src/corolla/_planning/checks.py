"""The resolver's checks: one small function per kind of problem, each yielding its problems.

A *plugin check* looks at one candidate and the capabilities the candidates
provide; an optional plugin with such a problem is skipped instead of failing
start-up. A *set check* looks at every loadable candidate at once and yields
each problem with the plugins involved, so the resolver can drop an optional
one of them. ``PLUGIN_CHECKS`` and ``SET_CHECKS`` list them in report order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from .._errors import Action, Problem
from .decisions import DISABLED, OPTIONAL_SKIPPED, REFUSED, Decision, provided_capabilities
from .discovery import PluginRecord
from .names import env_section
from .selection import Selection

#: capability -> (providing plugin, version provided)
Capabilities = Mapping[str, list[tuple[str, Version | None]]]


@dataclass(frozen=True)
class Context:
    """What every check may read: the whole discovered set and the operator's choices."""

    records: Sequence[PluginRecord]
    selection: Selection
    core_version: str
    reserved_app: frozenset[str]
    reserved_request: frozenset[str]
    #: Decisions made so far (by selection and earlier rounds), read by ``requirements``.
    decisions: Mapping[str, Decision]

    def record(self, name: str) -> PluginRecord | None:
        return next((r for r in self.records if r.name == name), None)


def capabilities(active: Mapping[str, PluginRecord]) -> dict[str, list[tuple[str, Version | None]]]:
    """Who provides what among ``active``, at which version."""
    caps: dict[str, list[tuple[str, Version | None]]] = {}
    for name, record in active.items():
        for cap, version in provided_capabilities(record).items():
            caps.setdefault(cap, []).append((name, version if version is not None else record.parsed_version))
    return caps


# -- plugin checks: (context, record, capabilities) -> problems -----------------


def load_failure(ctx: Context, record: PluginRecord, caps: Capabilities) -> Iterator[Problem]:
    """Its code did not import, or its declaration is invalid (or it was never imported)."""
    if record.error is not None:
        yield Problem(
            record.name,
            record.error_kind or "import",
            f"plugin {record.label()} {record.error}",
            # Each command on a line of its own, so it can be pasted.
            f"one of: upgrade it, uninstall it, or switch it off:\npip install -U {record.distribution}\n"
            f"pip uninstall {record.distribution}\n{_disable(record.name)}",
            (
                Action(command=f"pip install -U {record.distribution}", distribution=record.distribution),
                Action(command=f"pip uninstall {record.distribution}", distribution=record.distribution),
                Action(command=_disable(record.name), provider=record.name),
            ),
        )
    elif record.declaration is None:  # never imported: a caller forgot load_declaration
        yield Problem(record.name, "import", f"plugin {record.label()} was not loaded", "report this as a bug")


def core_range(ctx: Context, record: PluginRecord, caps: Capabilities) -> Iterator[Problem]:
    """The core range in its ``Requires-Dist`` or its declaration excludes the installed core."""
    if record.error is not None:
        return
    decl = record.declaration
    version = Version(ctx.core_version)
    for spec, where in ((record.dist_core, "its Requires-Dist"), (decl.core if decl else None, "its declaration")):
        if spec is None or not str(spec) or spec.contains(version, prereleases=True):
            continue
        upgrade = f"pip install -U {record.distribution}"
        fix = f"install a release of {record.distribution} made for corolla {ctx.core_version}:\n{upgrade}\n"
        actions = [Action(command=upgrade, distribution=record.distribution)]
        merged, holders = _other_core(ctx, record, spec, caps)
        if holders:
            fix += f"no core release can be installed instead: corolla{spec} is outside the core range of {holders}"
        else:
            core = f'pip install "corolla{merged}"'
            fix += f"or a core every plugin's range admits:\n{core}"
            actions.append(Action(command=core, distribution="corolla", requirement=f"corolla{merged}"))
        yield Problem(
            record.name,
            "core-version",
            f"plugin {record.label()} supports corolla{spec} ({where}), but corolla {ctx.core_version} is installed",
            fix,
            tuple(actions),
        )


def _other_core(ctx: Context, record: PluginRecord, spec: SpecifierSet, caps: Capabilities) -> tuple[str, str]:
    """(the core range every candidate admits with ``spec``, or "" and the plugins whose ranges exclude ``spec``).

    Suggesting ``pip install "corolla>=9"`` is only right when every other
    plugin's core range admits such a core; otherwise the fix names the
    plugins that hold the core back. Versions are tried at the bounds the
    ranges name, which is where two ranges meet if they meet at all.
    """
    others: list[tuple[str, SpecifierSet, str]] = []
    for name in sorted({n for provided in caps.values() for n, _ in provided} - {record.name}):
        other = ctx.record(name)
        if other is None or other.error is not None:
            continue
        decl = other.declaration
        for theirs, where in ((other.dist_core, "its Requires-Dist"), (decl.core if decl else None, "its declaration")):
            if theirs is not None and str(theirs):
                others.append((other.label().split(" ")[0], theirs, where))
    bounds = {_bound(s.version) for ranges in (spec, *(o for _, o, _ in others)) for s in ranges} | {Version("0")}
    candidates = sorted(v for v in bounds if v is not None and spec.contains(v, prereleases=True))
    if not candidates or any(all(o.contains(v, prereleases=True) for _, o, _ in others) for v in candidates):
        # Only the other ranges' bounds that narrow ``spec`` are added: ">=0.2,<1", not ">=0.2,>=0.1,<1".
        merged = SpecifierSet(str(spec))
        for _, theirs, _ in others:
            for one in theirs:
                if any(not one.contains(v, prereleases=True) for v in candidates):
                    merged &= str(one)
        return str(merged), ""
    holding = [
        f"{label} (corolla{theirs}, {where})"
        for label, theirs, where in others
        if not any(theirs.contains(v, prereleases=True) for v in candidates)
    ]
    return "", ", ".join(holding) or "the other plugins"


def _bound(text: str) -> Version | None:
    try:
        return Version(text.removesuffix(".*"))
    except InvalidVersion:
        return None


def requirements(ctx: Context, record: PluginRecord, caps: Capabilities) -> Iterator[Problem]:
    """A requirement no candidate provides, or provides at a version outside its range."""
    if record.declaration is None:
        return
    for req in record.declaration.requires:
        cap = canonicalize_name(req.name)
        providers = caps.get(cap, [])
        if not providers:
            yield _missing(ctx, record, req)
        # Of two providers only one will load (``capability_conflicts`` asks to choose): check that one.
        usable = usable_provider(ctx, cap, caps) if len(providers) > 1 else ""
        chosen = [p for p in providers if not usable or p[0] == usable]
        for provider, version in chosen if str(req.specifier) else ():
            if version is None or not req.specifier.contains(version, prereleases=True):
                yield _wrong_version(ctx, record, req, provider, version)


def usable_provider(ctx: Context, cap: str, caps: Capabilities) -> str:
    """Of the providers of ``cap``, the first by name that satisfies every requirement on it.

    The one to suggest in ``[plugins.providers]``: choosing another would
    leave the set broken. When none satisfies them all, the first by name.
    """
    providers = sorted(caps.get(cap, []), key=lambda p: p[0])
    if not providers:
        return ""
    active = {name for provided in caps.values() for name, _ in provided}
    records = (ctx.record(name) for name in sorted(active))
    declarations = [r.declaration for r in records if r is not None and r.declaration is not None]
    wanted = [
        req for d in declarations for req in d.requires if canonicalize_name(req.name) == cap and str(req.specifier)
    ]
    for name, version in providers:
        if version is not None and all(req.specifier.contains(version, prereleases=True) for req in wanted):
            return name
    return providers[0][0]


def _wrong_version(
    ctx: Context, record: PluginRecord, req: Requirement, provider: str, version: Version | None
) -> Problem:
    cap = canonicalize_name(req.name)
    prec = ctx.record(provider)
    pdesc = prec.label() if prec else repr(provider)
    dist = prec.distribution if prec else provider
    if prec is not None and canonicalize_name(provider) == cap:
        fix = f'pip install -U "{dist}{req.specifier}"'
        action = Action(command=fix, distribution=dist, requirement=str(req), provider=provider)
    else:
        fix = f"install a release of {dist} that provides {req}"
        action = Action(distribution=dist, requirement=str(req), provider=provider)
    return Problem(
        record.name,
        "version",
        f"plugin {record.label()} requires {str(req)!r}, but {cap!r} is provided by {pdesc} at version {version}",
        fix,
        (action,),
    )


def _missing(ctx: Context, record: PluginRecord, req: Requirement) -> Problem:
    cap = canonicalize_name(req.name)
    # Is it installed but switched off? Then the fix is to switch it on.
    for other in ctx.records:
        if cap not in provided_capabilities(other) or other.name == record.name:
            continue
        decision = ctx.decisions.get(other.name)
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
            f"require '{plain}{req.specifier}' in {record.distribution}, and if {cap} is not installed:\n"
            f'pip install "{cap}{req.specifier}"',
            (
                Action(
                    command=f'pip install "{cap}{req.specifier}"', distribution=cap, requirement=f"{cap}{req.specifier}"
                ),
            ),
        )
    fix, actions = _install_fix(record, cap, req)
    # Plugins never imported (disabled) may provide it under another name.
    unknown = sorted(r.name for r in ctx.records if not r.loaded and r.name != record.name)
    if unknown:
        fix += f"\nif a disabled plugin ({', '.join(unknown)}) provides it, enable that one instead"
    message = f"plugin {record.label()} requires {str(req)!r}, which no installed plugin provides"
    return Problem(record.name, "missing", message, fix, actions)


def _install_fix(record: PluginRecord, cap: str, req: Requirement) -> tuple[str, tuple[Action, ...]]:
    """How to install what ``record`` requires, from its own metadata; never a guessed distribution name.

    A guessed name (``corolla-<name>``) is one anyone could register on the
    index, so the distribution is taken from the requiring plugin's own
    dependencies (``acme-base`` for ``base``), or the fix says it is unknown.
    """
    for line in record.requires_dist:
        try:
            dep = Requirement(line)
        except InvalidRequirement:
            continue
        if dep.marker is not None and not dep.marker.evaluate({"extra": ""}):
            continue
        key = canonicalize_name(dep.name)
        if key == cap or key.endswith(f"-{cap}") or key.endswith(f"_{cap}"):
            written = line.split(";")[0].strip() if str(dep.specifier) else f"{dep.name}{req.specifier}"
            command = f'pip install "{written}"'
            return command, (Action(command=command, distribution=dep.name, requirement=written),)
    prose = (
        f"install the distribution that provides plugin {cap!r}: {record.distribution} does not name it in its "
        "dependencies, so its name is not known here (ask its author, or search the package index for a "
        f"plugin providing {cap!r})"
    )
    return prose, (Action(requirement=str(req)),)


PluginCheck = Callable[[Context, PluginRecord, Capabilities], Iterator[Problem]]
PLUGIN_CHECKS: tuple[PluginCheck, ...] = (load_failure, core_range, requirements)


# -- set checks: (context, loadable candidates, capabilities) -> (problem, plugins involved)

Involved = tuple[Problem, tuple[str, ...]]


def capability_conflicts(ctx: Context, loadable: Mapping[str, PluginRecord], caps: Capabilities) -> Iterator[Involved]:
    """Two plugins provide one capability."""
    for cap in sorted(caps):
        providers = sorted(n for n, _ in caps[cap])
        if len(providers) > 1:
            labels = " and ".join(loadable[n].label() for n in providers)
            chosen = usable_provider(ctx, cap, caps)
            problem = Problem(
                chosen,
                "capability-conflict",
                f"capability {cap!r} is provided by {labels}; only one may be enabled",
                f'choose one in config: [plugins.providers] {cap} = "{chosen}" (or disable the others)',
                (Action(config=f'[plugins.providers] {cap} = "{chosen}"', capability=cap, provider=chosen),),
            )
            yield problem, tuple(providers)


def declared_conflicts(ctx: Context, loadable: Mapping[str, PluginRecord], caps: Capabilities) -> Iterator[Involved]:
    """A plugin declares a conflict with another that is enabled."""
    for name, record in sorted(loadable.items()):
        for conflict in record.declaration.conflicts if record.declaration else ():
            for other, version in caps.get(canonicalize_name(conflict.name), []):
                if other == name:
                    continue
                if str(conflict.specifier) and (
                    version is None or not conflict.specifier.contains(version, prereleases=True)
                ):
                    continue
                problem = Problem(
                    name,
                    "conflict",
                    f"plugin {record.label()} declares a conflict with {str(conflict)!r}, "
                    f"and {loadable[other].label()} is enabled",
                    f"disable one of them, or mark one of them optional in [plugins] optional:\n"
                    f"{_disable(other)}\n{_disable(name)}",
                    (Action(command=_disable(other), provider=other), Action(command=_disable(name), provider=name)),
                )
                yield problem, (name, other)


def attribute_clashes(ctx: Context, loadable: Mapping[str, PluginRecord], caps: Capabilities) -> Iterator[Involved]:
    """A plugin adds an attribute the core's App or Request has, or two plugins add the same one."""
    for kind, reserved in (("app", ctx.reserved_app), ("request", ctx.reserved_request)):
        owners: dict[str, list[str]] = {}
        for name, record in sorted(loadable.items()):
            decl = record.declaration
            for attr in (decl.app_attributes if kind == "app" else decl.request_attributes) if decl else ():
                owners.setdefault(attr, []).append(name)
        for attr, plugins in sorted(owners.items()):
            for p in plugins if attr in reserved else ():
                problem = Problem(
                    p,
                    "attribute-clash",
                    f"plugin {loadable[p].label()} adds {kind} attribute {attr!r}, "
                    f"which the core's {kind.title()} already has",
                    f"rename the attribute in {loadable[p].distribution}",
                )
                yield problem, (p,)
            if len(plugins) > 1:
                labels = " and ".join(loadable[p].label() for p in plugins)
                problem = Problem(
                    plugins[0],
                    "attribute-clash",
                    f"{kind} attribute {attr!r} is added by both {labels}",
                    *_disable_one(plugins),
                )
                yield problem, tuple(plugins)


def prefix_clashes(ctx: Context, loadable: Mapping[str, PluginRecord], caps: Capabilities) -> Iterator[Involved]:
    """Names differing only in case or punctuation share one COROLLA_<NAME>__ prefix.

    Environment config could not tell them apart.
    """
    prefixes: dict[str, list[str]] = {}
    for name in sorted(loadable):
        prefixes.setdefault(env_section(name), []).append(name)
    for prefix, plugins in sorted(prefixes.items()):
        if len(plugins) > 1:
            labels = " and ".join(loadable[p].label() for p in plugins)
            problem = Problem(
                plugins[0],
                "name-clash",
                f"{labels} share the environment prefix COROLLA_{prefix}__",
                *_disable_one(plugins),
            )
            yield problem, tuple(plugins)


def _disable_one(plugins: Sequence[str]) -> tuple[str, tuple[Action, ...]]:
    """The fix (and its action) for plugins that cannot load together: switch the last one off."""
    return f"disable one of them, e.g.:\n{_disable(plugins[-1])}", (
        Action(command=_disable(plugins[-1]), provider=plugins[-1]),
    )


def _disable(name: str) -> str:
    """The command that switches plugin ``name`` off for the app started from this shell."""
    return f"export COROLLA_DISABLE_PLUGINS={name}"


SetCheck = Callable[[Context, Mapping[str, PluginRecord], Capabilities], Iterator[Involved]]
SET_CHECKS: tuple[SetCheck, ...] = (capability_conflicts, declared_conflicts, attribute_clashes, prefix_clashes)
