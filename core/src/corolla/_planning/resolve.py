"""Resolution: a pure function from (plugin records, selection) to a load order.

``resolve`` imports nothing, reads no file and touches no global state: it
takes records (from discovery and ``load_declaration``, or built from data)
and the operator's selection, and returns either a load order or every
problem at once, plus a ``Decision`` for each plugin saying why it is loaded,
disabled, refused or skipped. The steps: ``select`` the candidates, run the
plugin checks and set checks of ``checks`` (dropping optional plugins with
problems, until nothing more drops), then order the rest (``graph``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from .._errors import Problem
from .checks import PLUGIN_CHECKS, SET_CHECKS, Context, Involved, capabilities
from .decisions import ENABLED, OPTIONAL_SKIPPED, REFUSED, Decision, Findings, Resolution
from .discovery import PluginRecord
from .graph import Edge, EdgeKind, because, keep_acyclic
from .graph import order as order_plugins
from .selection import Selection, choose_providers, select


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
        from .._version import __version__

        core_version = __version__
    try:
        Version(core_version)
    except InvalidVersion:
        raise ValueError(f"core_version {core_version!r} is not a PEP 440 version") from None
    selection = selection or Selection()
    found = Findings()
    ctx = Context(
        records, selection, core_version, frozenset(reserved_app), frozenset(reserved_request), found.decisions
    )
    active = select(records, selection, found)
    choose_providers(active, selection, found)
    own = _drop_optional(ctx, active, found)
    edges, dropped = keep_acyclic(_edges(active))
    found.warnings.extend(_soft_cycle(edge) for edge in dropped)
    order, cycle_problems = order_plugins(active, edges)
    found.problems.extend(cycle_problems)
    final_order = tuple(order) if not found.problems else ()
    _decide(active, own, edges, final_order, found)
    return Resolution(
        order=final_order,
        decisions=dict(sorted(found.decisions.items())),
        problems=tuple(found.problems),
        warnings=tuple(found.warnings),
        edges=tuple(edges),
        core_version=core_version,
        sound=tuple(sorted(n for n, r in active.items() if n not in own and r.declaration is not None)),
    )


def plugin_problems(ctx: Context, active: Mapping[str, PluginRecord]) -> dict[str, list[Problem]]:
    """Each candidate's own problems (the plugin checks), for those that have any."""
    caps = capabilities(active)
    found = {name: [p for check in PLUGIN_CHECKS for p in check(ctx, record, caps)] for name, record in active.items()}
    return {name: problems for name, problems in found.items() if problems}


def set_problems(ctx: Context, active: Mapping[str, PluginRecord]) -> list[Involved]:
    """Problems between candidates (the set checks), each with the plugins involved."""
    loadable = {n: r for n, r in active.items() if r.declaration is not None}
    caps = capabilities(loadable)
    return [found for check in SET_CHECKS for found in check(ctx, loadable, caps)]


def _drop_optional(ctx: Context, active: dict[str, PluginRecord], found: Findings) -> dict[str, list[Problem]]:
    """Skip optional plugins with problems until none is left to skip; record what remains.

    Dropping one can break a dependent, so the checks run again after each
    round. Returns the remaining plugins' own problems.
    """
    while True:
        own = plugin_problems(ctx, active)
        skip, between = _to_skip(ctx, active, own)
        if not skip:
            break
        for name, problems in skip.items():
            reasons = "; ".join(p.message for p in problems)
            found.decisions[name] = Decision(name, OPTIONAL_SKIPPED, reasons, active.pop(name))
            found.warnings.extend(problems)
    for name in sorted(own):
        found.problems.extend(own[name])
    found.problems.extend(problem for problem, _ in between)  # the loop left them for this set
    return own


def _to_skip(
    ctx: Context, active: Mapping[str, PluginRecord], own: Mapping[str, list[Problem]]
) -> tuple[dict[str, list[Problem]], list[Involved]]:
    """(optional plugins to skip this round and why, problems between plugins when none has its own)."""
    optional = ctx.selection.optional
    skip = {n: own[n] for n in sorted(own) if n in optional}
    if skip:
        return skip, []
    # A problem between plugins is solved by dropping one optional plugin involved, one at a time.
    between = set_problems(ctx, active)
    for problem, involved in between:
        droppable = sorted(n for n in involved if n in optional)
        if droppable:
            return {droppable[-1]: [problem]}, between
    return {}, between


def _edges(active: Mapping[str, PluginRecord]) -> list[Edge]:
    """Who loads before whom: requirements, optional integrations, and before/after hints."""
    loadable = {n: r for n, r in active.items() if r.declaration is not None}
    caps = capabilities(loadable)

    def providers(ref: str, other_than: str) -> list[str]:
        return sorted(n for n, _ in caps.get(canonicalize_name(ref), []) if n != other_than)

    edges: list[Edge] = []
    for name, record in sorted(loadable.items()):
        decl = record.declaration
        assert decl is not None
        # (what the plugin wrote, the name it refers to, why): each provider loads first.
        wants: list[tuple[str, str, EdgeKind]] = [(str(req), req.name, "requires") for req in decl.requires]
        wants += [(opt, opt, "optional") for opt in decl.optional]
        wants += [(ref, ref, "after") for ref in decl.after]
        for detail, ref, kind in wants:
            edges += [Edge(p, name, kind, detail) for p in providers(ref, name)]
        edges += [Edge(name, p, "before", ref) for ref in decl.before for p in providers(ref, name)]
    return edges


def _soft_cycle(edge: Edge) -> Problem:
    return Problem(
        edge.target if edge.kind != "before" else edge.source,
        "soft-cycle",
        f"ignored an ordering preference that would close a cycle: {because(edge)}",
        "nothing to do unless that order matters; then remove the other plugins' hints "
        "or integrations that point the other way",
    )


def _decide(
    active: Mapping[str, PluginRecord],
    own: Mapping[str, list[Problem]],
    edges: Sequence[Edge],
    order: tuple[str, ...],
    found: Findings,
) -> None:
    """Each remaining candidate's decision: loaded at its position, or refused and why."""
    satisfied: dict[str, dict[str, str]] = {n: {} for n in active}
    for edge in edges:
        if edge.kind == "requires":
            satisfied[edge.target][edge.detail] = edge.source
    for name, record in active.items():
        if name in own or found.problems:
            reason = _refusal(name, own, found.problems)
            found.decisions[name] = Decision(name, REFUSED, reason, record, satisfied_by=satisfied[name])
        else:
            needs = ", ".join(f"{req} (satisfied by {by!r})" for req, by in sorted(satisfied[name].items()))
            reason = f"loaded at position {order.index(name)}" + (f"; requires {needs}" if needs else "")
            found.decisions[name] = Decision(name, ENABLED, reason, record, order.index(name), satisfied[name])


def _refusal(name: str, own: Mapping[str, list[Problem]], problems: Sequence[Problem]) -> str:
    """Why a candidate is refused: its own problems, else those naming it, else the set's culprits."""
    if name in own:
        return "; ".join(p.message for p in own[name])
    mine = [p.message for p in problems if p.plugin == name]
    culprits = ", ".join(sorted({p.plugin for p in problems}))
    return "; ".join(mine) or f"not loaded: the plugin set does not resolve (problems in: {culprits})"
