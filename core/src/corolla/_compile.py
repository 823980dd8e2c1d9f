"""Compiling hooks into plain calls.

pluggy registers, validates and orders the hook implementations; at start-up
this module turns the request-time hooks into ordinary Python callables, so a
request runs no pluggy machinery and looks up no hook by name. A hook with no
implementations compiles to None (or an empty list) and costs one test.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import pluggy

from ._tracing import Tracer, app_tracer, traced

if TYPE_CHECKING:
    from ._app import App


def call_order(hook: pluggy.HookCaller) -> list[pluggy.HookImpl]:
    """Implementations in the order pluggy calls them (it stores them reversed)."""
    return list(reversed(hook.get_hookimpls()))


def needs_pluggy(impls: Sequence[pluggy.HookImpl]) -> bool:
    """Wrappers change how a hook is called; leave those to pluggy."""
    return any(impl.wrapper or impl.hookwrapper for impl in impls)


def pluggy_call(hook: pluggy.HookCaller, argnames: Sequence[str], trace: Tracer | None) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        return hook(**dict(zip(argnames, args, strict=True)))

    if trace is None:
        return call
    names = "+".join(impl.plugin_name for impl in call_order(hook))
    return traced(call, hook.name, names, trace)


def bind(impl: pluggy.HookImpl, argnames: Sequence[str]) -> Callable[..., Any]:
    """A callable taking the spec's arguments positionally and passing only what ``impl`` accepts.

    pluggy lets an implementation accept a subset of the spec's arguments; for
    the common case (it accepts all, in order) the function itself is returned,
    which saves a call per request.
    """
    fn = impl.function
    wanted = tuple(impl.argnames)
    if wanted != tuple(argnames):
        index = [argnames.index(name) for name in wanted]
        inner = fn

        def fn(*args: Any) -> Any:
            return inner(*[args[i] for i in index])

    return fn


def bind_all(
    hook: pluggy.HookCaller, impls: Sequence[pluggy.HookImpl], argnames: Sequence[str], trace: Tracer | None
) -> list[Callable[..., Any]]:
    fns = [bind(impl, argnames) for impl in impls]
    if trace is None:
        return fns
    return [traced(fn, hook.name, impl.plugin_name, trace) for fn, impl in zip(fns, impls, strict=True)]


def compile_firstresult(
    hook: pluggy.HookCaller, argnames: Sequence[str], trace: Tracer | None = None
) -> Callable[..., Any] | None:
    """One callable returning the first non-None result, or None if nobody implements the hook."""
    impls = call_order(hook)
    if not impls:
        return None
    if needs_pluggy(impls):
        return pluggy_call(hook, argnames, trace)
    fns = bind_all(hook, impls, argnames, trace)
    if len(fns) == 1:
        return fns[0]

    def first(*args: Any) -> Any:
        for fn in fns:
            result = fn(*args)
            if result is not None:
                return result
        return None

    return first


def compile_each(
    hook: pluggy.HookCaller, argnames: Sequence[str], reverse: bool = False, trace: Tracer | None = None
) -> list[Callable[..., Any]]:
    """The implementations as a list of plain callables, in call order (or reversed)."""
    impls = call_order(hook)
    if needs_pluggy(impls):
        return [pluggy_call(hook, argnames, trace)]
    fns = bind_all(hook, impls, argnames, trace)
    return fns[::-1] if reverse else fns


def spec_caller(app: App, hook_name: str) -> pluggy.HookCaller:
    """The app's caller for ``hook_name``; LookupError if no plugin declares it."""
    hook = getattr(app.plugin_manager.hook, hook_name, None)
    if hook is None or hook.spec is None:
        raise LookupError(f"no hook specification {hook_name!r}: declare it in a plugin's hookspecs")
    return hook  # type: ignore[no-any-return]


def hook_functions(app: App, hook_name: str) -> list[tuple[str, Callable[..., Any]]]:
    """A hook's implementations as ``(plugin name, function)`` pairs in call order, for plugins to compile.

    For a plugin that calls a hook of its own (one it declares in
    ``hookspecs``) on the request path: call this once, in
    ``corolla_startup``, and keep the functions. Each takes the spec's
    arguments positionally (the request first) and receives only those its
    implementation accepts. With ``[core] trace_hooks`` on (``corolla run
    --trace-hooks``) each one logs its calls on ``corolla.trace`` like the
    core's own hooks; off, they are the plain functions and cost nothing.
    Wrappers change how a hook is called: with any wrapper, the one pair
    ``("a+b", call)`` goes through pluggy. To call a hook once, outside the
    request path, use ``call_each``.
    """
    hook = spec_caller(app, hook_name)
    argnames = tuple(hook.spec.argnames)  # type: ignore[union-attr]
    trace = app_tracer(app)
    impls = call_order(hook)
    if needs_pluggy(impls):
        return [("+".join(impl.plugin_name for impl in impls), pluggy_call(hook, argnames, trace))]
    fns = bind_all(hook, impls, argnames, trace)
    return [(impl.plugin_name, fn) for impl, fn in zip(impls, fns, strict=True)]
