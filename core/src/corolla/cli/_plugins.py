"""``corolla plugins list|show|check|graph|why|failures``: the plugin manager's decisions, rendered.

These work without an app: they then plan the installed plugins with the
config in the working folder. With an app they describe that app (and an
app that failed to start because of its plugins still shows why).
"""

from __future__ import annotations

import json
import os
from typing import Any

import click

from .._errors import ConfigError, PluginError, PluginResolutionError, did_you_mean, indent_fix
from .._planning import Plan
from . import _data
from ._commands import add_legacy
from ._render import echo, emit_json, join, paint, status, table
from ._target import PlanError, State

#: The kinds of config problems (docs/cli.md), as opposed to problems of the plugin set.
CONFIG_KINDS = frozenset(
    {"unknown-section", "unknown-key", "wrong-type", "wrong-value", "config-file", "config-layout", "secret-key"}
)

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON (schema: docs/cli.md).")


@click.group(invoke_without_command=True)
@click.pass_context
def plugins(ctx: click.Context) -> None:
    """Inspect the installed plugins: what loads, in which order, and why (bare: plugins list)."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_)


def _plan(ctx: click.Context, imports: bool = False) -> Plan:
    # Inspection reads manifests only; check also imports the resolved set, as App() would.
    state: State = ctx.find_root().obj
    return state.plan(imports=imports)


def _known_name(plan: Plan, name: str) -> str:
    decisions = plan.resolution.decisions
    if name in decisions:
        return name
    providers = _data.providers_of(plan, name)
    if providers:
        return providers[0]  # a capability: the plugin that provides it
    hint = did_you_mean(name, decisions)
    raise click.UsageError(
        f"no installed plugin is named {name!r}" + (f"; {hint}" if hint else "") + " (see corolla plugins list)"
    )


@plugins.command("list")
@json_option
@click.pass_context
def list_(ctx: click.Context, as_json: bool) -> None:
    """Every discovered plugin: version, distribution, status (and why), provides, requires."""
    plan = _plan(ctx)
    state: State = ctx.find_root().obj
    rows = _data.plugin_rows(plan) + _data.app_hook_rows(state.loaded_app)
    if as_json:
        emit_json(rows)
        return
    if not rows:
        echo("No plugins are installed (none declares a corolla.plugins entry point).")
        return
    body = [
        [
            str(r["position"]) if r["position"] is not None else "-",
            r["name"] + ("" if r.get("manifest", True) else "*"),
            r["version"],
            r["distribution"],
            status(r["status"]),
            join(r["provides"]),
            join(r["requires"]),
            # The app's own hooks are not a distribution: say what they are.
            "" if r["status"] == "enabled" and r["distribution"] != "(the app)" else r["reason"],
        ]
        for r in rows
    ]
    echo(table(["#", "NAME", "VERSION", "DISTRIBUTION", "STATUS", "PROVIDES", "REQUIRES", "WHY"], body))
    if not all(r.get("manifest", True) for r in rows):
        echo("* no manifest: its declaration was read by importing it (corolla.testing.check_manifest writes one)")


@plugins.command()
@json_option
@click.pass_context
def check(ctx: click.Context, as_json: bool) -> None:
    """Resolve the plugin set without starting the app; exit 1 when it does not resolve."""
    try:
        data = _data.check_data(_plan(ctx, imports=True))
    except PlanError as err:
        data = {"ok": False, "order": [], "errors": [p.as_dict() for p in err.problems], "warnings": []}
    failure = _app_failure(ctx.find_root().obj, {e["plugin"] for e in data["errors"]})
    if failure is not None:
        # The CI gate cannot say "ok" about an app it could not load: that is not the app's set.
        data = {**data, "ok": False, "errors": [*data["errors"], failure]}
    if as_json:
        emit_json(data)
    else:
        for warning in data["warnings"]:
            fix = indent_fix(warning["fix"], 9)
            echo(f"{paint('warning', 'yellow')} [{warning['kind']}] {warning['message']}\n    fix: {fix}")
        if data["ok"]:
            order = ", ".join(data["order"]) or "(no plugins)"
            echo(f"{status('ok')}: the plugin set resolves; load order: {order}")
        else:
            count = len(data["errors"])
            problems = f"{count} problem{'s' * (count != 1)}"
            if all(e["kind"] in CONFIG_KINDS for e in data["errors"]):
                # Only the config is wrong: saying the plugin set does not resolve would send the reader astray.
                echo(f"{paint('error', 'red')}: the config has {problems} (the plugin set resolves):")
            else:
                echo(f"{paint('error', 'red')}: the plugin set does not resolve ({problems}):")
            for number, problem in enumerate(data["errors"], 1):
                fix = indent_fix(problem["fix"], 10)
                echo(f"  {number}. [{problem['kind']}] {problem['message']}\n     fix: {fix}")
    ctx.exit(0 if data["ok"] else 1)


def _app_failure(state: State, reported: set[str]) -> dict[str, Any] | None:
    """The app's own failure to load or start, as a check error (None when it loaded, or is already reported)."""
    err = state.app_error
    if err is None or isinstance(err, (PluginResolutionError, ConfigError)):
        return None  # none, or its problems are the plan's
    if isinstance(err, PluginError):
        if err.plugin in reported:
            return None
        return {"plugin": err.plugin, "kind": "startup", "message": str(err), "fix": "see the message", "actions": []}
    message = state.app_load_message or str(err)
    return {
        "plugin": "app",
        "kind": "app",
        "message": f"{message}; the plugin set it would start with is unknown",
        "fix": "fix the app so that it imports (--traceback shows where), or name it: --app module:app",
        "actions": [],
    }


@plugins.command()
@click.argument("name")
@json_option
@click.pass_context
def show(ctx: click.Context, name: str, as_json: bool) -> None:
    """Everything about one plugin: declaration, config, hooks, attributes, commands."""
    plan = _plan(ctx)
    name = _known_name(plan, name)
    state: State = ctx.find_root().obj
    commands = None
    if plan.ok:
        # Declared names are data; the deprecated hook's are known only from a started app.
        index = state.command_index()
        if name in index.legacy and state.loaded_app is not None:
            add_legacy(index, state)
        if name not in index.legacy:
            commands = index.names_of(name)
    data = _data.show_data(plan, name, commands)
    if as_json:
        emit_json(data)
        return
    lines = [
        f"{paint(data['name'], None, bold=True)} {data['version']} ({data['distribution']})",
        f"  status:       {status(data['status'])}: {data['reason']}",
        f"  entry point:  {data['entry_point']}",
        f"  location:     {data['location'] or '-'}",
        f"  manifest:     {data['manifest'] or '(none: the declaration was read from the class)'}",
        f"  core range:   {data['core'] or 'any'}",
        f"  requires:     {join([_satisfied(r, data['satisfied_by']) for r in data['requires']])}",
        f"  provides:     {join(data['provides'])}",
        f"  optional:     {join(data['optional'])}",
        f"  conflicts:    {join(data['conflicts'])}",
        f"  before/after: {join(data['before'])} / {join(data['after'])}",
        f"  app attrs:    {join(data['app_attributes'])}",
        f"  request attrs: {join(data['request_attributes'])}",
        f"  hooks:        {join([_hook_label(h) for h in data['hooks']])}"
        + ("" if data["location"] or not data["manifest"] else " (as the manifest lists them: not imported)"),
        f"  declares:     {join(data['hookspecs'])}",
        f"  commands:     {join(data['commands']) if data['commands'] is not None else '(unknown: no app started)'}",
    ]
    if data["error"]:
        lines.append(f"  error:        {data['error']}")
    echo("\n".join(lines))
    if data["settings"]:
        echo(f"\nconfig [{data['name']}]:")
        # The config file relative to the app's folder: shorter, and the same on every machine.
        root = str(plan.root) + os.sep
        rows = [
            [
                s["key"],
                s["type"],
                _value(s["default"]),
                _value(s["value"]) + (" " + paint(f"(invalid: {s['invalid']})", "red") if s["invalid"] else ""),
                s["source"].replace(root, ""),
                s["help"],
            ]
            for s in data["settings"]
        ]
        echo(_indent(table(["KEY", "TYPE", "DEFAULT", "VALUE", "SOURCE", "HELP"], rows)))


def _satisfied(requirement: str, satisfied_by: dict[str, str]) -> str:
    by = satisfied_by.get(requirement)
    return f"{requirement} (by {by})" if by else requirement


def _hook_label(hook: dict[str, Any]) -> str:
    flags = [flag for flag in ("wrapper", "tryfirst", "trylast", "optionalhook") if hook[flag]]
    return str(hook["hook"]) + (f" [{', '.join(flags)}]" if flags else "")


def _value(value: Any) -> str:
    if value is None:
        return "-"
    return repr(value) if isinstance(value, str) else json.dumps(value)


def _indent(text: str, prefix: str = "  ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


@plugins.command()
@click.argument("name")
@json_option
@click.pass_context
def why(ctx: click.Context, name: str, as_json: bool) -> None:
    """Why NAME is loaded, disabled, refused or skipped, and what depends on it."""
    plan = _plan(ctx)
    name = _known_name(plan, name)
    data = _data.why_data(plan, name)
    if as_json:
        emit_json(data)
        return
    echo(f"{data['name']} {data['version']} ({data['distribution']}) is {status(data['status'])}: {data['reason']}")
    root = str(plan.root) + os.sep  # the config file relative to the app's folder, as in plugins show
    if data["loaded_because"]:
        echo("loaded because:")
        for because in data["loaded_because"]:
            echo(f"  {because.replace(root, '')}")
    chosen = data["selected_by"]
    lock = f"; distributions pinned by {chosen['lock']}" if chosen["lock"] else ""
    echo(f"plugin set chosen by: {chosen['source'].replace(root, '')}{lock}")
    echo(f"  (which wins: {chosen['precedence']})")
    if data["needs"]:
        echo("needs:")
        decisions = plan.resolution.decisions
        for need in data["needs"]:
            provider = need["provider"]
            by = f"{provider} ({status(decisions[provider].status)})" if provider else "nothing installed provides it"
            echo(f"  {need['requirement']} ({need['kind']}) <- {by}")
    required = [item for item in data["needed_by"] if item["kind"] == "requires"]
    optional = [item for item in data["needed_by"] if item["kind"] == "optional"]
    if required:
        echo("required by:")
        _tree(required, "  ")
    if optional:
        names = ", ".join(f"{item['plugin']} ({status(item['status'])})" for item in optional)
        echo(f"integrated with (optional, they use it when it is loaded): {names}")
    if not data["needed_by"]:
        echo("needed by: nothing (no other plugin requires it or integrates with it)")
    _failures_text(data["failures"], root)


def _failures_text(failures: dict[str, Any], root: str) -> None:
    where = failures["recorded_in"].replace(root, "")
    if not failures["total"]:
        echo(f"failures while serving: none recorded in {where}")
        return
    echo(
        f"failures while serving: {failures['total']}, from {failures['first_at']} to {failures['last_at']}, "
        f"over every worker (recorded in {where}; `corolla plugins failures --clear` forgets them)"
    )
    # The place last: a long path then pushes no other column out of line.
    rows = [
        [str(k["count"]), k["error"], k["hook"] or "-", k["message"], k["place"].replace(root, "")]
        for k in failures["kinds"]
    ]
    echo(_indent(table(["COUNT", "ERROR", "HOOK", "LAST MESSAGE", "PLACE"], rows)))


def _tree(items: list[dict[str, Any]], prefix: str) -> None:
    for item in items:
        echo(f"{prefix}<- {item['plugin']} ({item['kind']} {item['requirement']!r}, {status(item['status'])})")
        _tree(item["needed_by"], prefix + "   ")


@plugins.command()
@click.argument("name", required=False)
@click.option("--clear", is_flag=True, help="Forget the recorded failures (of NAME, or of every plugin).")
@json_option
@click.pass_context
def failures(ctx: click.Context, name: str | None, clear: bool, as_json: bool) -> None:
    """How often plugins raised while serving, over every worker, from the instance folder."""
    plan = _plan(ctx)
    if name is not None:
        name = _known_name(plan, name)
    from .._failures import FILE_NAME, clear_failures

    folder = _data.failures_folder(plan)
    where = str(folder / FILE_NAME).replace(str(plan.root) + os.sep, "")
    if clear:
        forgotten = clear_failures(folder, name)
        echo(f"forgot {forgotten} failure{'s' * (forgotten != 1)}{f' of {name}' if name else ''} recorded in {where}")
        return
    rows = _data.failure_rows(plan, name)
    if as_json:
        emit_json(rows)
        return
    if not rows:
        echo(f"No plugin failure is recorded in {where}{f' for {name}' if name else ''}.")
        return
    root = str(plan.root) + os.sep
    body = [
        [r["plugin"], str(r["count"]), r["error"], r["hook"] or "-", r["last_at"], r["place"].replace(root, "")]
        for r in rows
    ]
    echo(table(["PLUGIN", "COUNT", "ERROR", "HOOK", "LAST", "PLACE"], body))


@plugins.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["tree", "dot", "mermaid", "json"]),
    default="tree",
    show_default=True,
    help="tree (indented), Graphviz dot, Mermaid, or JSON.",
)
@json_option
@click.pass_context
def graph(ctx: click.Context, fmt: str, as_json: bool) -> None:
    """The dependency graph: requirements and optional integrations between plugins."""
    data = _data.graph_data(_plan(ctx))
    if as_json or fmt == "json":
        emit_json(data)
    elif fmt == "dot":
        echo(_dot(data))
    elif fmt == "mermaid":
        echo(_mermaid(data))
    else:
        echo(_tree_text(data))


def _tree_text(data: dict[str, Any]) -> str:
    nodes = {n["name"]: n for n in data["nodes"]}
    needs: dict[str, list[dict[str, Any]]] = {}
    needed = set()
    for edge in data["edges"]:
        needs.setdefault(edge["plugin"], []).append(edge)
        if edge["needs"]:
            needed.add(edge["needs"])
    roots = [n for n in nodes if n not in needed] or list(nodes)
    lines: list[str] = []
    expanded: set[str] = set()  # a plugin's edges are printed once; later mentions say "(see above)"

    def label(name: str) -> str:
        node = nodes[name]
        return f"{name} {node['version']} [{status(node['status'])}]"

    def walk(name: str, prefix: str, path: tuple[str, ...]) -> None:
        edges = needs.get(name, [])
        expanded.add(name)
        for i, edge in enumerate(edges):
            last = i == len(edges) - 1
            branch = "`-- " if last else "|-- "
            target = edge["needs"]
            what = f"{edge['kind']} {edge['requirement']}"
            if target is None:
                lines.append(f"{prefix}{branch}{what}: {paint('(not provided)', 'red')}")
                continue
            if target in path:
                lines.append(f"{prefix}{branch}{what}: {label(target)} (cycle)")
            elif target in expanded and needs.get(target):
                lines.append(f"{prefix}{branch}{what}: {label(target)} (see above)")
            else:
                lines.append(f"{prefix}{branch}{what}: {label(target)}")
                walk(target, prefix + ("    " if last else "|   "), (*path, target))

    for root in roots:
        lines.append(label(root))
        walk(root, "", (root,))
    # A cycle no other plugin depends on has no root: start from its first member.
    for name in nodes:
        if name not in expanded:
            lines.append(label(name))
            walk(name, "", (name,))
    return "\n".join(lines) if lines else "No plugins are installed."


def _quote(text: str) -> str:
    return '"' + text.replace('"', '\\"') + '"'


def _dot(data: dict[str, Any]) -> str:
    lines = ["digraph corolla {", "  rankdir=LR;", "  node [shape=box];"]
    for node in data["nodes"]:
        text = f"{node['name']} {node['version']}\\n{node['status']}"
        style = "" if node["status"] == "enabled" else ", style=dashed"
        lines.append(f"  {_quote(node['name'])} [label={_quote(text)}{style}];")
    for edge in data["edges"]:
        target = edge["needs"] or f"missing: {edge['requirement']}"
        if edge["needs"] is None:
            lines.append(f"  {_quote(target)} [color=red];")
        style = ", style=dashed" if edge["kind"] == "optional" else ""
        lines.append(f"  {_quote(edge['plugin'])} -> {_quote(target)} [label={_quote(edge['requirement'])}{style}];")
    lines.append("}")
    return "\n".join(lines)


def _mermaid_id(name: str) -> str:
    return "p_" + "".join(c if c.isalnum() else "_" for c in name)


def _mermaid(data: dict[str, Any]) -> str:
    lines = ["graph LR"]
    for node in data["nodes"]:
        lines.append(f'  {_mermaid_id(node["name"])}["{node["name"]} {node["version"]} ({node["status"]})"]')
    for edge in data["edges"]:
        target = _mermaid_id(edge["needs"]) if edge["needs"] else _mermaid_id("missing " + edge["requirement"])
        if edge["needs"] is None:
            lines.append(f'  {target}["missing: {edge["requirement"]}"]')
        arrow = "-.->" if edge["kind"] == "optional" else "-->"
        lines.append(f'  {_mermaid_id(edge["plugin"])} {arrow}|"{edge["requirement"]}"| {target}')
    return "\n".join(lines)
