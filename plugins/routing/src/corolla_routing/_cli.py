"""``corolla routes``: the routes table, as text or JSON. click is imported only here."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from corolla import AppRef

    from ._inspect import RouteInfo

COLUMNS = ("ENDPOINT", "METHODS", "RULE", "VIEW", "REGISTERED BY")


def _row(info: RouteInfo) -> tuple[str, ...]:
    rule = info.rule
    if info.host:
        rule = f"{info.host}{rule}"
    elif info.subdomain:
        rule = f"{info.subdomain}.<server>{rule}"
    by = info.registered_by if info.group_label is None else f"{info.registered_by}, {info.group_label}"
    if info.build_only:
        by += " (build only)"
    return (info.endpoint, ", ".join(info.methods) or "*", rule, info.view, by)


def render_table(infos: list[RouteInfo]) -> str:
    # The core's renderer, as every corolla table: aligned, fitted to the terminal.
    from corolla.cli import table

    return table(COLUMNS, [_row(i) for i in infos])


def routes_command(app: AppRef) -> click.Command:
    """The ``routes`` command; ``app`` is loaded only when it runs (``RoutingPlugin.commands``)."""

    @click.command("routes")
    @click.option("--json", "as_json", is_flag=True, help="Print the routes as a JSON list.")
    @click.option(
        "--sort",
        type=click.Choice(["rule", "endpoint"]),
        default="rule",
        show_default=True,
        help="Order of the routes.",
    )
    def routes(as_json: bool, sort: str) -> None:
        """List the app's routes: endpoint, methods, rule, view, and which plugin or group registered it.

        HEAD is automatic for GET routes, and OPTIONS for every path.
        """
        plugin: Any = app.get().plugins[app.plugin]
        # Imported here: it needs werkzeug.routing, which ``corolla --help`` (building this command) does not.
        from ._inspect import routes_info

        infos = routes_info(plugin.table, sort)
        if as_json:
            click.echo(json.dumps([i.as_dict() for i in infos], indent=2))
        elif not infos:
            click.echo("No routes. Add some with @app.route(...) or app.include(router).")
        else:
            click.echo(render_table(infos))

    return routes
