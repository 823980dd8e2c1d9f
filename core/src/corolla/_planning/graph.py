"""The load-order graph: Kahn's topological sort, and cycles explained.

Nodes are plugin names; an ``Edge`` says one plugin must load before another
and why (a requirement, an optional integration, a before/after hint).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from .._errors import Problem

#: Why one plugin loads before another: a requirement, an optional integration, or a hint.
EdgeKind = Literal["requires", "optional", "before", "after"]


@dataclass(frozen=True)
class Edge:
    """``source`` must load before ``target``; ``kind`` says why."""

    source: str
    target: str
    kind: EdgeKind
    detail: str = ""


def because(edge: Edge) -> str:
    """Why ``edge.source`` must load before ``edge.target``, in the words of the plugin that asked."""
    if edge.kind == "before":
        return f"{edge.source} declares before {edge.detail!r}"
    if edge.kind == "after":
        return f"{edge.target} declares after {edge.detail!r}"
    if edge.kind == "optional":
        return f"{edge.target} integrates with {edge.detail!r}"
    return f"{edge.target} requires {edge.detail!r}"


#: Edge kinds that only express a preference: dropped (with a warning) rather
#: than failing when they would close a cycle. Requirements are never dropped.
SOFT = frozenset({"optional", "before", "after"})


def keep_acyclic(edges: Sequence[Edge]) -> tuple[list[Edge], list[Edge]]:
    """(edges to keep, soft edges dropped because they would close a cycle).

    Only does work when the full graph has a cycle; then it keeps every
    requirement and adds the soft edges one by one, in a fixed order, skipping
    each that would close a cycle. Two plugins that integrate with each other
    (each ``optional`` of the other) thus still load, in name order.
    """
    nodes = {e.source for e in edges} | {e.target for e in edges}
    if not cycles_present(nodes, edges):
        return list(edges), []
    kept = [e for e in edges if e.kind not in SOFT]
    succ: dict[str, set[str]] = {n: set() for n in nodes}
    for edge in kept:
        succ[edge.source].add(edge.target)
    dropped = []
    for edge in sorted((e for e in edges if e.kind in SOFT), key=lambda e: (e.source, e.target, e.kind)):
        if _reaches(succ, edge.target, edge.source):
            dropped.append(edge)
        else:
            succ[edge.source].add(edge.target)
            kept.append(edge)
    return kept, dropped


def _reaches(succ: Mapping[str, set[str]], start: str, goal: str) -> bool:
    stack, seen = [start], {start}
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        for nxt in succ[node] - seen:
            seen.add(nxt)
            stack.append(nxt)
    return False


def cycles_present(nodes: Iterable[str], edges: Sequence[Edge]) -> bool:
    placed, _ = _kahn(set(nodes), edges)
    return len(placed) != len(set(nodes))


def order(names: Iterable[str], edges: Sequence[Edge]) -> tuple[list[str], list[Problem]]:
    """Kahn's algorithm; ties broken by name so every run gives the same order."""
    nodes = set(names)
    placed, succ = _kahn(nodes, edges)
    if len(placed) == len(nodes):
        return placed, []
    return placed, cycles(nodes - set(placed), succ)


def _kahn(nodes: set[str], edges: Sequence[Edge]) -> tuple[list[str], dict[str, list[Edge]]]:
    succ: dict[str, list[Edge]] = {n: [] for n in nodes}
    indeg = dict.fromkeys(nodes, 0)
    seen_pairs = set()
    for edge in edges:
        if edge.source in nodes and edge.target in nodes and (edge.source, edge.target) not in seen_pairs:
            seen_pairs.add((edge.source, edge.target))
            succ[edge.source].append(edge)
            indeg[edge.target] += 1
    ready = [n for n in nodes if indeg[n] == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        node = heapq.heappop(ready)
        order.append(node)
        for edge in succ[node]:
            indeg[edge.target] -= 1
            if indeg[edge.target] == 0:
                heapq.heappush(ready, edge.target)
    return order, succ


def cycles(stuck: set[str], succ: Mapping[str, list[Edge]]) -> list[Problem]:
    """One problem per distinct cycle among the nodes Kahn could not place."""
    problems = []
    reported: set[str] = set()
    for start in sorted(stuck):
        if start in reported:
            continue
        path = find_cycle(start, stuck, succ)
        if path is None:
            continue
        members = {e.source for e in path}
        if members & reported:
            continue
        reported |= members
        chain = " -> ".join([*(e.source for e in path), path[0].source])
        reasons = "; ".join(because(e) for e in path)
        problems.append(
            Problem(
                path[0].source,
                "cycle",
                f"dependency cycle (each must load before the next): {chain} ({reasons})",
                "break the cycle: drop one of these requirements, or a before/after hint if it is only a preference",
            )
        )
    return problems


def find_cycle(start: str, stuck: set[str], succ: Mapping[str, list[Edge]]) -> list[Edge] | None:
    stack: list[tuple[str, list[Edge]]] = [(start, [])]
    visited: set[str] = set()
    while stack:
        node, path = stack.pop()
        for edge in sorted(succ[node], key=lambda e: e.target, reverse=True):
            if edge.target not in stuck:
                continue
            if edge.target == start:
                return [*path, edge]
            if edge.target not in visited:
                visited.add(edge.target)
                stack.append((edge.target, [*path, edge]))
    return None
