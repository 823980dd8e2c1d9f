"""``corolla check [--deploy]``: config validation and production-readiness checks.

Without ``--deploy``: the plugin set resolves and every plugin's config
section is valid (the same checks ``App`` makes before it starts).
``--deploy`` also starts the app (or, with no app found, an app over the
installed plugins rooted in the working folder) and runs every
``corolla_deploy_checks`` implementation, one plugin at a time so one that
raises is named. Exit status 1 on any failure.
"""

from __future__ import annotations

from typing import Any

import click

from .._app import App
from .._calls import call_each
from .._checks import Check
from .._errors import PluginError
from .._planning import Plan
from ._render import echo, emit_json, paint, status, table
from ._target import AppLoadError, PlanError, State


def deploy_checks(app: App) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """(checks, errors): each plugin's checks, tagged with the plugin; a failing hook is an error."""
    checks: list[dict[str, Any]] = []
    errors: list[dict[str, str]] = []

    def failed(err: PluginError) -> None:
        errors.append(_error(err.plugin, "deploy-check", str(err)))

    for plugin, returned in call_each(app, "corolla_deploy_checks", on_error=failed, app=app):
        try:
            result = list(returned or ())
        except TypeError:
            message = f"plugin {plugin!r}: corolla_deploy_checks returned {returned!r}, not a list of corolla.Check"
            errors.append(_error(plugin, "deploy-check", message))
            continue
        for item in result:
            if not isinstance(item, Check):
                errors.append(
                    _error(plugin, "deploy-check", f"plugin {plugin!r} returned {item!r}, not a corolla.Check")
                )
                continue
            checks.append({**item.as_dict(), "plugin": plugin})
    return checks, errors


def _error(plugin: str, kind: str, message: str, fix: str = "") -> dict[str, str]:
    return {"plugin": plugin, "kind": kind, "message": message, "fix": fix or "see the plugin's documentation"}


@click.command()
@click.option("--deploy", is_flag=True, help="Also run the production-readiness checks of the core and plugins.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (schema: docs/cli.md).")
@click.pass_context
def check(ctx: click.Context, deploy: bool, as_json: bool) -> None:
    """Validate the plugin set and every plugin's config; --deploy adds production checks. Exit 1 on failure."""
    state: State = ctx.find_root().obj
    checks: list[dict[str, Any]] = []
    plan: Plan | None = None
    try:
        plan = state.plan()
        errors = [p.as_dict() for p in plan.problems]
    except PlanError as err:
        errors = [p.as_dict() for p in err.problems]
    if plan is not None and plan.ok and (deploy or state.app_error is not None):
        try:
            app = state.inspection_app()
        except AppLoadError as err:
            plugin = getattr(err.cause, "plugin", None)
            fix = "" if plugin else "fix the app so that it imports (--traceback shows where)"
            errors.append(_error(plugin or "app", "startup", err.message, fix))
        else:
            if deploy:
                checks, more = deploy_checks(app)
                errors += more
    ok = not errors and all(c["ok"] for c in checks)
    data = {"ok": ok, "deploy": deploy, "errors": errors, "checks": checks}
    if as_json:
        emit_json(data)
        ctx.exit(0 if ok else 1)
    for number, problem in enumerate(errors, 1):
        echo(f"{paint('error', 'red')} {number}. [{problem['kind']}] {problem['message']}\n   fix: {problem['fix']}")
    if checks:
        rows = [[status("ok") if c["ok"] else status("FAIL"), c["id"], c["message"]] for c in checks]
        echo(table(["RESULT", "CHECK", "FOUND"], rows))
        failed = [c for c in checks if not c["ok"]]
        if failed:
            echo("\nto fix:")
            for c in failed:
                echo(f"  {c['id']}: {c['fix']}")
    if ok:
        sections = ", ".join(plan.config) if plan is not None else "-"
        what = "deploy checks pass" if deploy else "the plugin set resolves and the config is valid"
        echo(f"{status('ok')}: {what} (sections: {sections})")
    else:
        failed_count = len(errors) + sum(1 for c in checks if not c["ok"])
        echo(f"{paint('failed', 'red')}: {failed_count} problem{'s' * (failed_count != 1)}")
    ctx.exit(0 if ok else 1)
