"""``corolla hooks [NAME]``: every hook specification and who implements it, in call order.

``--markdown`` prints the hook reference (docs/hooks.md) generated from the
specifications' docstrings: the core's, then those plugins declare.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from types import ModuleType
from typing import TYPE_CHECKING, Any

import click
import pluggy

from .. import hookspecs as core_hookspecs
from .._deprecations import HookDeprecation, deprecation_of
from .._errors import did_you_mean
from ._render import echo, emit_json, paint, table
from ._target import State

if TYPE_CHECKING:
    from .._app import App

CORE = "corolla"


def _declarers(app: App) -> dict[int, str]:
    """id(namespace) -> the plugin that declared the specifications in it."""
    out = {id(core_hookspecs): CORE}
    for name, plugin in app.plugins.items():
        namespace = type(plugin).hookspecs
        if namespace is not None:
            out.setdefault(id(namespace), name)
    return out


def hook_data(app: App) -> list[dict[str, Any]]:
    """One dict per specification, by name: declaring plugin, options, implementations in call order."""
    # Lazily: corolla._compile imports werkzeug (~100 ms); importing this module is on every command's path.
    from .._compile import call_order

    declarers = _declarers(app)
    callers: dict[str, pluggy.HookCaller] = vars(app.plugin_manager.hook)
    out = []
    for name in sorted(callers):
        caller = callers[name]
        spec = caller.spec
        if spec is None:
            continue  # an optional integration hook of a plugin that is not loaded
        opts = spec.opts
        out.append(
            {
                "name": name,
                "declared_by": declarers.get(id(spec.namespace), "?"),
                "arguments": list(spec.argnames),
                "firstresult": bool(opts.get("firstresult")),
                "historic": bool(opts.get("historic")),
                "summary": _summary(spec.function),
                "deprecated": _deprecated(spec.function),
                "implementations": [
                    {
                        "plugin": impl.plugin_name,
                        "wrapper": bool(impl.wrapper or impl.hookwrapper),
                        "tryfirst": impl.tryfirst,
                        "trylast": impl.trylast,
                        "optionalhook": impl.optionalhook,
                    }
                    for impl in call_order(caller)
                ],
            }
        )
    return out


def _deprecated(fn: Any) -> dict[str, str] | None:
    found = deprecation_of(fn)
    return found.as_dict() if found is not None else None


def _summary(fn: Any) -> str:
    doc = inspect.getdoc(fn) or ""
    return doc.split("\n\n")[0].replace("\n", " ")


@click.command()
@click.argument("name", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (schema: docs/cli.md).")
@click.option("--markdown", is_flag=True, help="Print the hook reference (docs/hooks.md) from the docstrings.")
@click.pass_context
def hooks(ctx: click.Context, name: str | None, as_json: bool, markdown: bool) -> None:
    """Every hook specification, its implementations in call order (wrappers marked), who declared it."""
    state: State = ctx.find_root().obj
    if markdown:
        click.echo(reference_markdown(_plugin_specs(state)), nl=False)
        return
    data = hook_data(state.inspection_app())
    if name is not None:
        names = [h["name"] for h in data]
        if name not in names and f"corolla_{name}" in names:
            name = f"corolla_{name}"
        if name not in names:
            hint = did_you_mean(name, names)
            raise click.UsageError(
                f"no hook is named {name!r}" + (f"; {hint}" if hint else "") + " (see corolla hooks)"
            )
        data = [h for h in data if h["name"] == name]
    if as_json:
        emit_json(data)
        return
    rows = []
    for hook in data:
        flags = [f for f in ("firstresult", "historic") if hook[f]]
        if hook["deprecated"]:
            flags.append(paint("deprecated", "yellow"))
        impls = []
        for impl in hook["implementations"]:
            marks = [m for m in ("wrapper", "tryfirst", "trylast") if impl[m]]
            impls.append(impl["plugin"] + (f" [{', '.join(marks)}]" if marks else ""))
        rows.append(
            [
                hook["name"],
                hook["declared_by"],
                ", ".join(flags) or "-",
                " -> ".join(impls) if impls else paint("(none)", "yellow"),
            ]
        )
    echo(table(["HOOK", "DECLARED BY", "KIND", "IMPLEMENTATIONS (CALL ORDER)"], rows))
    if name is not None:
        echo(f"\n{data[0]['summary']}")
        if data[0]["deprecated"]:
            found = HookDeprecation(**data[0]["deprecated"])
            echo(f"\n{data[0]['name']} is {found.describe(data[0]['declared_by'])}")


# -- the reference ----------------------------------------------------------------


def _plugin_specs(state: State) -> list[tuple[str, object]]:
    """(plugin name, hookspecs namespace) for every installed plugin that declares specifications."""
    plan = state.plan()
    out = []
    for decision in plan.resolution.decisions.values():
        cls = decision.record.plugin_class
        namespace = getattr(cls, "hookspecs", None) if cls is not None else None
        if namespace is not None:
            out.append((decision.name, namespace))
    return out


def spec_functions(namespace: object) -> list[tuple[str, Any]]:
    """The specifications in ``namespace``, in the order they are defined (the reference reads in that order)."""
    marker = f"{CORE}_spec"
    names = list(vars(namespace)) if hasattr(namespace, "__dict__") else []
    names += [n for n in dir(namespace) if n not in names]  # inherited ones, after
    return [(attr, getattr(namespace, attr)) for attr in names if hasattr(getattr(namespace, attr, None), marker)]


def missing_docstrings(namespaces: Iterable[object]) -> list[str]:
    return [name for ns in namespaces for name, fn in spec_functions(ns) if not inspect.getdoc(fn)]


def _signature(fn: Any) -> str:
    sig = inspect.signature(fn)
    params = ", ".join(
        f"{p.name}: {p.annotation}" if p.annotation is not p.empty else p.name for p in sig.parameters.values()
    )
    params = params.replace("self, ", "").replace("self", "")
    ret = f" -> {sig.return_annotation}" if sig.return_annotation is not sig.empty else ""
    return f"{fn.__name__}({params}){ret}"


def _section(title: str, namespace: object, declarer: str) -> list[str]:
    lines = [f"## {title}", ""]
    for name, fn in spec_functions(namespace):
        opts = getattr(fn, f"{CORE}_spec", {}) or {}
        kind = [k for k in ("firstresult", "historic") if opts.get(k)]
        lines.append(f"### `{name}`")
        lines.append("")
        lines.append("```python")
        lines.append(_signature(fn))
        lines.append("```")
        lines.append("")
        if kind:
            lines.append(
                f"*{', '.join(kind)}*: the first non-None result wins." if "firstresult" in kind else f"*{kind[0]}*"
            )
            lines.append("")
        deprecation = deprecation_of(fn)
        if deprecation is not None:
            lines.append(f"**Deprecated**: {deprecation.describe(declarer)}.")
            lines.append("")
        lines.append(inspect.getdoc(fn) or "(undocumented)")
        lines.append("")
    return lines


def reference_markdown(plugin_specs: list[tuple[str, object]]) -> str:
    """docs/hooks.md: the core's specifications, then each plugin's, from their docstrings."""
    module: ModuleType = core_hookspecs
    lines = [
        "# Hook reference",
        "",
        "<!-- Generated by `corolla hooks --markdown` from the docstrings in corolla/hookspecs.py and the",
        "     plugins' own specifications; tests/cli/test_cli_docs.py fails when this file is out of date. -->",
        "",
        inspect.getdoc(module) or "",
        "",
        *_section("Core hooks (`corolla.hookspecs`)", module, CORE),
    ]
    for plugin, namespace in plugin_specs:
        lines += _section(f"Hooks declared by the plugin `{plugin}`", namespace, plugin)
    return "\n".join(lines).rstrip() + "\n"
