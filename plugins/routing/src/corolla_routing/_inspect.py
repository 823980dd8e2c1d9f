"""The routes table as plain records: the data behind ``corolla routes`` (the CLI only renders it)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ._table import RouteTable, describe


@dataclass(frozen=True)
class RouteInfo:
    endpoint: str
    methods: list[str]  # empty: any method
    rule: str
    view: str
    registered_by: str
    group: str | None
    host: str | None
    subdomain: str | None
    build_only: bool
    #: How the text table names the group (``group 'api'``, ``group at '/x'``); not in ``as_dict``.
    group_label: str | None = field(default=None, compare=False)

    def as_dict(self) -> dict[str, Any]:
        """The JSON record: ``group`` is the group's raw name (None for no group or an unnamed one)."""
        data = asdict(self)
        del data["group_label"]
        return data


def routes_info(table: RouteTable, sort: str = "rule") -> list[RouteInfo]:
    """Every registered route, sorted by ``rule`` (then endpoint) or ``endpoint`` (then rule)."""
    infos = [
        RouteInfo(
            endpoint=str(route.endpoint),
            methods=sorted(route.methods) if route.methods is not None else [],
            rule=route.rule,
            view=describe(route.view),
            registered_by=route.registered_by,
            group=route.include.router.name if route.include is not None else None,
            host=route.host,
            subdomain=route.subdomain or None,
            build_only=route.build_only,
            group_label=route.include.label if route.include is not None else None,
        )
        for route in table.routes
    ]
    if sort == "endpoint":
        infos.sort(key=lambda i: (i.endpoint, i.rule))
    else:
        infos.sort(key=lambda i: (i.rule, i.endpoint))
    return infos
