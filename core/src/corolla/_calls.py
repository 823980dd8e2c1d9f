"""Calling a hook one implementation at a time, outside the request path.

Start-up hooks, the hooks plugins declare for their own start-up
(``corolla_routers``, ``corolla_session_backends``, ...), the command
line's and the deploy checks' hooks are called implementation by
implementation in load order rather than through pluggy's ``hook(...)``:
each result comes paired with its plugin, and a failure is a
``PluginError`` naming the plugin that raised, not the one calling the hook.
The request path compiles its hooks instead (``_compile``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pluggy

from ._compile import call_order, spec_caller
from ._errors import PluginError
from ._tracing import Tracer, app_tracer

if TYPE_CHECKING:
    from ._app import App


def call_impl(
    impl: pluggy.HookImpl,
    hook_name: str,
    kwargs: Mapping[str, Any],
    label: Callable[[str], str],
    trace: Tracer | None = None,
) -> Any:
    """Call one implementation with only the arguments it accepts (pluggy lets it take a subset).

    A failure is a ``PluginError`` naming the implementation's plugin, with
    the plugin's exception as its ``__cause__``; a ``PluginError`` passes
    through unchanged.
    """
    plugin = impl.plugin_name
    if impl.wrapper or impl.hookwrapper:
        raise PluginError(
            plugin,
            f"plugin {label(plugin)}: {hook_name} cannot be a hook wrapper (wrapper=True or hookwrapper=True); "
            "it is called one implementation at a time, so implement it as a plain @hookimpl",
        )
    args = {name: kwargs[name] for name in impl.argnames}
    start = time.perf_counter()
    try:
        return impl.function(**args)
    except PluginError:
        # Raised by a hook this implementation called in turn (call_each),
        # or on purpose: it already names the plugin at fault.
        raise
    except Exception as exc:
        raise PluginError(plugin, f"plugin {label(plugin)} failed in {hook_name}: {exc!r}") from exc
    finally:
        if trace is not None:
            trace(hook_name, plugin, time.perf_counter() - start, kwargs.get("request"))


def iter_calls(
    app: App,
    hook_name: str,
    kwargs: Mapping[str, Any],
    on_error: Callable[[PluginError], object] | None = None,
) -> Iterator[tuple[str, Any]]:
    """``call_each`` one implementation per step, for callers that track how far it got."""
    hook = spec_caller(app, hook_name)
    _check_arguments(hook_name, tuple(hook.spec.argnames), kwargs)  # type: ignore[union-attr]
    label, trace = app._host.label, app_tracer(app)
    for impl in call_order(hook):
        try:
            result = call_impl(impl, hook_name, kwargs, label, trace)
        except PluginError as err:
            if on_error is None:
                raise
            on_error(err)
            continue
        yield impl.plugin_name, result


def call_each(
    app: App, hook_name: str, /, *, on_error: Callable[[PluginError], object] | None = None, **kwargs: Any
) -> list[tuple[str, Any]]:
    """Call a hook one implementation at a time, in load order: ``[(plugin name, result), ...]``.

    For hooks called once, outside the request path (a plugin collecting
    what others contribute at start-up, a command, a check); to call a hook
    per request, compile it once with ``hook_functions``. ``kwargs`` are the
    hook specification's arguments, all of them; each implementation gets
    only those it accepts (pluggy lets it take a subset). Every result is
    listed, None included.

    A failing implementation is a ``PluginError`` naming its plugin and the
    hook (the plugin's exception is its ``__cause__``); with ``on_error``,
    the error is passed to it instead and the other implementations still
    run (``on_error`` is this function's own keyword, so no hook argument
    may take that name). With ``[core] trace_hooks`` on, each call is logged on
    ``corolla.trace``. A hook nobody declares raises ``LookupError``;
    arguments that do not match the specification raise ``TypeError``.
    """
    return list(iter_calls(app, hook_name, kwargs, on_error))


def _check_arguments(hook_name: str, argnames: Sequence[str], kwargs: Mapping[str, Any]) -> None:
    unknown = [name for name in kwargs if name not in argnames]
    missing = [name for name in argnames if name not in kwargs]
    parts = []
    if unknown:
        parts.append(f"unknown argument(s) {', '.join(map(repr, unknown))}")
    if missing:
        parts.append(f"missing argument(s) {', '.join(map(repr, missing))}")
    if parts:
        raise TypeError(
            f"call_each(app, {hook_name!r}): {' and '.join(parts)}; "
            f"the specification takes {', '.join(argnames) or 'no arguments'}"
        )
