"""``corolla plugins install | upgrade | remove``: resolve the would-be set first, change nothing on refusal.

The work is ``corolla._install.Transaction``; this module reads the
options, renders the plan (table or JSON) and sets the exit status: 0 when
the change was made (or, with ``--dry-run``, would be), 1 when it was
refused or undone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import click

from .._errors import indent_fix
from .._install import Environment, InstallError, Plan, Transaction
from .._planning.selection import Selection
from ._render import echo, emit_json, paint, status, table
from ._target import PlanError, State

F = Callable[..., Any]


def _common(fn: F) -> F:
    for option in reversed(
        [
            click.option("--dry-run", is_flag=True, help="Plan and resolve only: change nothing."),
            click.option("--json", "as_json", is_flag=True, help="Print JSON (schema: docs/cli.md)."),
            click.option(
                "--python",
                metavar="PATH",
                help="The environment to change, by its interpreter (default: the one running corolla).",
            ),
        ]
    ):
        fn = option(fn)
    return fn


def _index_options(fn: F) -> F:
    for option in reversed(
        [
            click.option("--index-url", metavar="URL", help="Passed to pip."),
            click.option("--find-links", metavar="URL", multiple=True, help="Passed to pip (repeatable)."),
            click.option("--no-index", is_flag=True, help="Passed to pip: only --find-links."),
        ]
    ):
        fn = option(fn)
    return fn


def _pip_args(index_url: str | None, find_links: Sequence[str], no_index: bool) -> list[str]:
    args = ["--index-url", index_url] if index_url else []
    for link in find_links:
        args += ["--find-links", link]
    return args + (["--no-index"] if no_index else [])


def _transaction(ctx: click.Context, python: str | None, as_json: bool) -> Transaction:
    state: State = ctx.find_root().obj
    try:
        selection = state.folder_plan_without_lock().selection if python is None else Selection()
    except PlanError:
        selection = Selection()
    progress = None if as_json else (lambda text: echo(paint(f"... {text}", "cyan"), err=True))
    return Transaction(Environment(python), selection, progress)


def _render(
    ctx: click.Context, plan: Plan, verb: str, dry_run: bool, as_json: bool, failed: Sequence[str] = ()
) -> None:
    done = plan.ok and not dry_run and not failed
    if as_json:
        emit_json({**plan.as_dict(), "dry_run": dry_run, "changed": done, "restored": list(failed)})
        ctx.exit(0 if plan.ok and not failed else 1)
    if plan.changes:
        rows = [[c.action, c.distribution, c.before or "-", c.after or "-"] for c in plan.changes]
        echo(table(["ACTION", "DISTRIBUTION", "INSTALLED", "AFTER"], rows))
        for change in plan.changes:
            if change.held_back:
                echo(f"{paint('note', 'yellow')}: {change.held_back}")
    if not plan.ok:
        count = len(plan.problems)
        echo(
            f"{paint('refused', 'red')}: the plugin set would not resolve after this {verb} "
            f"({count} problem{'s' * (count != 1)}); nothing was changed:"
        )
        for number, problem in enumerate(plan.problems, 1):
            echo(f"  {number}. [{problem.kind}] {problem.message}\n     fix: {indent_fix(problem.fix, 10)}")
        ctx.exit(1)
    if failed:
        echo(f"{paint('failed', 'red')}: the new plugin set does not work; the previous versions are restored:")
        for line in failed:
            echo(f"  {line}")
        ctx.exit(1)
    order = ", ".join(plan.resolution.order) if plan.resolution else ""
    if dry_run:
        echo(
            f"{status('ok')}: the {verb} would leave a plugin set that resolves (load order: {order or '-'}); "
            "nothing was changed (--dry-run)"
        )
    else:
        echo(f"{status('ok')}: {verb} done; the plugin set resolves (load order: {order or '-'})")


def _run(
    ctx: click.Context,
    plan_it: Callable[[], Plan],
    transaction: Transaction,
    verb: str,
    dry_run: bool,
    as_json: bool,
    remove: bool = False,
) -> None:
    try:
        plan = plan_it()
    except InstallError as exc:
        if as_json:
            emit_json(
                {
                    "ok": False,
                    "errors": [{"plugin": "pip", "kind": "installer", "message": str(exc), "fix": exc.output.strip()}],
                }
            )
        else:
            echo(f"{paint('refused', 'red')}: {exc}; nothing was changed\n{exc.output.strip()}")
        ctx.exit(1)
    failed: list[str] = []
    if plan.ok and not dry_run and plan.changes:
        failed = transaction.apply(plan, remove=remove)
    _render(ctx, plan, verb, dry_run, as_json, failed)


@click.command("install")
@click.argument("specs", nargs=-1, required=True)
@_common
@_index_options
@click.pass_context
def install(
    ctx: click.Context,
    specs: tuple[str, ...],
    dry_run: bool,
    as_json: bool,
    python: str | None,
    index_url: str | None,
    find_links: tuple[str, ...],
    no_index: bool,
) -> None:
    """Install plugin distributions (pip requirements), only if the resulting plugin set resolves."""
    transaction = _transaction(ctx, python, as_json)
    mapped = [_distribution(transaction, spec) for spec in specs]
    args = _pip_args(index_url, find_links, no_index)
    _run(ctx, lambda: transaction.plan_install(mapped, args), transaction, "install", dry_run, as_json)


@click.command("upgrade")
@click.argument("names", nargs=-1)
@_common
@_index_options
@click.pass_context
def upgrade(
    ctx: click.Context,
    names: tuple[str, ...],
    dry_run: bool,
    as_json: bool,
    python: str | None,
    index_url: str | None,
    find_links: tuple[str, ...],
    no_index: bool,
) -> None:
    """Upgrade plugins (default: all) to the newest versions that keep the set resolving."""
    transaction = _transaction(ctx, python, as_json)
    specs = [_distribution(transaction, n) for n in names] or sorted({r.distribution for r in transaction.installed})
    args = _pip_args(index_url, find_links, no_index)
    _run(ctx, lambda: transaction.plan_install(specs, args, upgrade=True), transaction, "upgrade", dry_run, as_json)


@click.command("remove")
@click.argument("names", nargs=-1, required=True)
@click.option("--cascade", is_flag=True, help="Also remove every plugin that requires them (listed first).")
@_common
@click.pass_context
def remove(
    ctx: click.Context, names: tuple[str, ...], cascade: bool, dry_run: bool, as_json: bool, python: str | None
) -> None:
    """Uninstall plugins; refused while an enabled plugin requires them, unless --cascade."""
    transaction = _transaction(ctx, python, as_json)
    _run(ctx, lambda: transaction.plan_remove(names, cascade), transaction, "removal", dry_run, as_json, remove=True)


def _distribution(transaction: Transaction, spec: str) -> str:
    """An installed plugin's name stands for its distribution (``forms`` -> ``corolla-forms``)."""
    for record in transaction.installed:
        if record.name == spec:
            return record.distribution
    return spec
