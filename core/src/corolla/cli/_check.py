"""``corolla check [--deploy]``: config validation and production-readiness checks.

Without ``--deploy``: the plugin set resolves and every plugin's config
section is valid (the same checks ``App`` makes before it starts).
``--deploy`` also starts the app (or, with no app found, an app over the
installed plugins rooted in the working folder) and runs every
``corolla_deploy_checks`` implementation, one plugin at a time so one that
raises is named. Each check has a severity (error, warning, info);
``--fail-level`` (default: error) is the lowest that fails. ``[core]
silenced_checks`` maps a check id to the reason it does not apply here: the
check is still run and reported, with the reason, but does not fail. Exit
status 1 on any error of the plan or config, or any unsilenced check
failing at or above the fail level.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from .._checks import SEVERITIES, Check
from .._errors import PluginError, indent_fix
from .._planning import Plan
from ._data import unknown_hooks
from ._render import echo, emit_json, paint, status, table
from ._target import AppLoadError, PlanError, State

if TYPE_CHECKING:
    from .._app import App


def deploy_checks(app: App) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """(checks, errors): each plugin's checks, tagged with the plugin; a failing hook is an error."""
    checks: list[dict[str, Any]] = []
    errors: list[dict[str, str]] = []
    # Lazily: corolla._calls imports werkzeug (~100 ms), which only --deploy (an app started) needs.
    from .._calls import call_each

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


def silence(checks: list[dict[str, Any]], silenced: dict[str, Any]) -> list[dict[str, Any]]:
    """Mark the checks ``[core] silenced_checks`` names (with a reason); add a failing check for bad entries."""
    ids = {c["id"] for c in checks}
    bad = []
    for check_id, reason in sorted(silenced.items()):
        if check_id not in ids:
            bad.append(f"{check_id!r} is no check's id")
        elif not isinstance(reason, str) or not reason.strip():
            bad.append(f"{check_id!r} has no reason")
    for c in checks:
        reason = silenced.get(c["id"])
        c["silenced"] = reason.strip() if isinstance(reason, str) and reason.strip() else None
    if silenced:
        checks.append(
            {
                **Check(
                    "core.silenced_checks",
                    not bad,
                    f"[core] silenced_checks: {'; '.join(bad)}"
                    if bad
                    else f"{len(silenced)} check{'s' * (len(silenced) != 1)} silenced, each with its reason",
                    "name a check id that `corolla check --deploy` reports, with the reason it does not apply "
                    '(silenced_checks = {"orm.sqlite" = "one machine, backed up nightly"})',
                ).as_dict(),
                "plugin": "corolla",
                "silenced": None,
            }
        )
    return checks


def failing(check: dict[str, Any], fail_level: str) -> bool:
    """Whether ``check`` fails the run: failed, not silenced, at or above ``fail_level``."""
    if check["ok"] or check["silenced"]:
        return False
    return SEVERITIES.index(check["severity"]) >= SEVERITIES.index(fail_level)


def _error(plugin: str, kind: str, message: str, fix: str = "") -> dict[str, str]:
    return {"plugin": plugin, "kind": kind, "message": message, "fix": fix or "see the plugin's documentation"}


@click.command()
@click.option("--deploy", is_flag=True, help="Also run the production-readiness checks of the core and plugins.")
@click.option(
    "--fail-level",
    type=click.Choice(list(reversed(SEVERITIES))),
    default="error",
    show_default=True,
    help="The lowest severity of a failed deploy check that makes the command fail.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (schema: docs/cli.md).")
@click.pass_context
def check(ctx: click.Context, deploy: bool, fail_level: str, as_json: bool) -> None:
    """Validate the plugin set and every plugin's config; --deploy adds production checks. Exit 1 on failure."""
    state: State = ctx.find_root().obj
    checks: list[dict[str, Any]] = []
    plan: Plan | None = None
    try:
        plan = state.plan()
        # What App() would refuse before configuring plugins: every misspelled hook at once too.
        errors = [p.as_dict() for p in (*plan.problems, *unknown_hooks(plan))]
    except PlanError as err:
        errors = [p.as_dict() for p in err.problems]
    if plan is not None and plan.ok and (deploy or state.app_error is not None):
        try:
            app = state.inspection_app()
        except AppLoadError as err:
            plugin = getattr(err.cause, "plugin", None)
            fix = "" if plugin else "fix the app so that it imports (--traceback shows where)"
            if plugin is None or all(e["plugin"] != plugin for e in errors):  # reported above already
                errors.append(_error(plugin or "app", "startup", err.message, fix))
        else:
            if deploy:
                checks, more = deploy_checks(app)
                checks = silence(checks, dict(app.config["core"]["silenced_checks"]))
                errors += more
    failed = [c for c in checks if failing(c, fail_level)]
    ok = not errors and not failed
    data = {"ok": ok, "deploy": deploy, "fail_level": fail_level, "errors": errors, "checks": checks}
    if as_json:
        emit_json(data)
        ctx.exit(0 if ok else 1)
    for number, problem in enumerate(errors, 1):
        fix = indent_fix(problem["fix"], 8)
        echo(f"{paint('error', 'red')} {number}. [{problem['kind']}] {problem['message']}\n   fix: {fix}")
    if checks:
        rows = [[_result(c), c["id"], c["message"]] for c in checks]
        echo(table(["RESULT", "CHECK", "FOUND"], rows))
        shown = [c for c in checks if not c["ok"] and not c["silenced"]]
        if shown:
            echo("\nto fix:")
            for c in shown:
                echo(f"  {c['id']} ({c['severity']}): {c['fix']}")
        quiet = [c for c in checks if not c["ok"] and c["silenced"]]
        if quiet:
            echo("\nsilenced ([core] silenced_checks):")
            for c in quiet:
                echo(f"  {c['id']}: silenced: {c['silenced']}")
    if ok:
        sections = ", ".join(plan.config) if plan is not None else "-"
        what = "deploy checks pass" if deploy else "the plugin set resolves and the config is valid"
        echo(f"{status('ok')}: {what} (sections: {sections})")
    else:
        failed_count = len(errors) + len(failed)
        level = f" at fail level {fail_level}" if deploy else ""
        echo(f"{paint('failed', 'red')}: {failed_count} problem{'s' * (failed_count != 1)}{level}")
    ctx.exit(0 if ok else 1)


def _result(check: dict[str, Any]) -> str:
    if check["ok"]:
        return status("ok")
    return status("silenced" if check["silenced"] else check["severity"].upper())
