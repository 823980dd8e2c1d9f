"""``corolla plugins lock | verify``: write the lock production starts from, and check the installed set against it."""

from __future__ import annotations

from pathlib import Path

import click

from .._lock import apply_lock, as_data, dumps, installed
from .._planning import Plan
from .._planning.plan import would_load
from .._version import __version__
from ._render import echo, emit_json, paint, status, table
from ._target import PlanError, State

DEFAULT = "corolla.lock"


def _lock_path(plan: Plan, given: Path | None) -> Path:
    if given is not None:
        return given
    configured = plan.config["plugins"].get("lock")
    return plan.root / (configured or DEFAULT)


def _problems(ctx: click.Context, problems: list[dict[str, str]], headline: str, as_json: bool) -> None:
    if as_json:
        emit_json({"ok": False, "errors": problems})
    else:
        count = len(problems)
        echo(f"{paint('error', 'red')}: {headline} ({count} problem{'s' * (count != 1)}):")
        for number, problem in enumerate(problems, 1):
            fix = problem["fix"].replace("\n", "\n        ")
            echo(f"  {number}. [{problem['kind']}] {problem['message']}\n     fix: {fix}")
    ctx.exit(1)


@click.command("lock")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write (default: [plugins] lock, else corolla.lock in the app's folder).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (schema: docs/cli.md).")
@click.pass_context
def lock(ctx: click.Context, output: Path | None, as_json: bool) -> None:
    """Write the lock file: the plugins the app loads, their distributions, versions and file hashes."""
    state: State = ctx.find_root().obj
    try:
        plan = state.plan()
    except PlanError as err:
        _problems(ctx, [p.as_dict() for p in err.problems], "nothing to lock", as_json)
        return
    # A drifted set may be locked anew (that is the fix lock problems offer); any other problem may not.
    blocking = [p.as_dict() for p in (*plan.problems, *plan.strays) if p.kind != "lock"]
    if blocking:
        _problems(ctx, blocking, "the plugin set does not resolve, so it cannot be locked", as_json)
    path = _lock_path(plan, output)
    if any(p.kind == "lock" for p in plan.problems):
        # The plan refused the drifted set before resolving it: resolve it without the lock first.
        plan = state.folder_plan_without_lock()
        blocking = [p.as_dict() for p in (*plan.problems, *plan.strays)]
        if blocking:
            _problems(ctx, blocking, "the plugin set does not resolve, so it cannot be locked", as_json)
    records = [plan.resolution.decisions[name].record for name in plan.resolution.order]
    found = installed([(r.name, r.distribution, r.version, r.entry_point) for r in records], state.plugin_path)
    path.write_text(dumps(found, __version__), encoding="utf-8")
    if as_json:
        emit_json({"ok": True, "lock": str(path), "core": __version__, "plugins": as_data(found)})
        return
    rows = [[r.name, r.distribution, r.version, r.entry_point] for r in found.values()]
    echo(table(["NAME", "DISTRIBUTION", "VERSION", "ENTRY POINT"], rows) if rows else "(no plugins)")
    echo(f"{status('ok')}: wrote {path} ({len(found)} plugin{'s' * (len(found) != 1)}, corolla {__version__})")


@click.command("verify")
@click.option(
    "--lock",
    "lock_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The lock file (default: [plugins] lock, else corolla.lock in the app's folder).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (schema: docs/cli.md).")
@click.pass_context
def verify_command(ctx: click.Context, lock_file: Path | None, as_json: bool) -> None:
    """Compare the installed plugins with the lock file; exit 1 on any difference (for CI)."""
    state: State = ctx.find_root().obj
    try:
        plan = state.plan()
    except PlanError as err:
        _problems(ctx, [p.as_dict() for p in err.problems], "the plugin set cannot be planned", as_json)
        return
    path = _lock_path(plan, lock_file)
    checked = apply_lock(path, plan.records, would_load(plan.selection), __version__, state.plugin_path)
    problems = [p.as_dict() for p in checked.problems]
    selected = checked.records
    if problems:
        _problems(ctx, problems, f"the installed plugins differ from {path.name}", as_json)
    if as_json:
        emit_json({"ok": True, "lock": str(path), "errors": []})
    else:
        echo(f"{status('ok')}: the installed plugins match {path} ({len(selected)} plugins)")
