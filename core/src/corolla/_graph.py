"""The load-order graph: Kahn's topological sort, and cycles explained.

Nodes are plugin names; an ``Edge`` says one plugin must load before another
and why (a requirement, an optional integration, a before/after hint).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ._errors import Problem


@dataclass(frozen=True)
class Edge:
    """``source`` must load before ``target``; ``kind`` says why."""

    source: str
    target: str
    kind: str  # "requires", "optional", "before", "after"
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


def order(names: Iterable[str], edges: Sequence[Edge]) -> tuple[list[str], list[Problem]]:
    """Kahn's algorithm; ties broken by name so every run gives the same order."""
    nodes = set(names)
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
    if len(order) == len(nodes):
        return order, []
    return order, cycles({n for n in nodes if indeg[n] > 0}, succ)


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
