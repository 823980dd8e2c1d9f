"""The plugin host: a thin layer over ``pluggy.PluginManager`` for one app.

pluggy keeps doing what it does well: registration, signature validation,
ordering (``tryfirst``/``trylast``) and introspection. This layer adds what
Corolla needs on top: plugin-declared specifications added before any
implementation registers, registration in an order that makes hooks run in
load order, and errors that name the plugin (with distribution and version).
Start-up hooks are called one implementation at a time (``_calls``), so a
failure is pinned on the plugin that raised.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import pluggy

from . import hookspecs
from ._calls import call_impl
from ._deprecations import HookDeprecationWarning, deprecated_hooks, deprecation_problems
from ._errors import PluginError, Problem, did_you_mean
from ._markers import PROJECT
from ._plugin import Plugin

logger = logging.getLogger("corolla")

#: Start-up and shutdown hooks, which are called one implementation at a time.
ONE_BY_ONE = (
    "corolla_configure",
    "corolla_app_attributes",
    "corolla_request_attributes",
    "corolla_wrap_request",
    "corolla_startup",
    "corolla_shutdown",
)


_MARK = f"{PROJECT}_impl"
_MISSING = object()


def _raw_attribute(plugin: object, name: str) -> Any:
    """The attribute as stored (instance ``__dict__``, then the class hierarchy), or _MISSING."""
    instance_dict = getattr(plugin, "__dict__", None)
    if isinstance(instance_dict, dict) and name in instance_dict:
        return instance_dict[name]
    for klass in type(plugin).__mro__:
        if name in klass.__dict__:
            return klass.__dict__[name]
    return _MISSING


def _is_marked(raw: Any) -> bool:
    """Whether a stored attribute carries ``@hookimpl`` (on it, or on the function it wraps)."""
    return hasattr(raw, _MARK) or hasattr(getattr(raw, "__func__", None), _MARK)


class _PluginManager(pluggy.PluginManager):
    """pluggy's manager with a cheaper first look at each attribute.

    pluggy inspects every name in ``dir(plugin)`` with ``inspect`` to find
    the marked methods: about 0.4 ms per plugin, most of ``App()``'s time with
    hundreds of plugins. Names whose stored attribute carries no ``@hookimpl``
    marker are skipped here (saves ~90% of registration); marked ones, and
    anything not found as stored (``__getattr__``), still go through pluggy.
    """

    def parse_hookimpl_opts(self, plugin: Any, name: str) -> pluggy.HookimplOpts | None:
        raw = _raw_attribute(plugin, name)
        if raw is not _MISSING and not _is_marked(raw):
            return None
        return super().parse_hookimpl_opts(plugin, name)


class PluginHost:
    """The registered plugins of one app, and how to call their hooks."""

    def __init__(self, labels: Mapping[str, str]) -> None:
        #: plugin name -> ``'name' (distribution version)``, for messages
        self.labels = dict(labels)
        self.pm: pluggy.PluginManager = _PluginManager(PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.plugins: dict[str, Plugin] = {}
        #: One warning per plugin implementing a deprecated hook (kind "deprecated-hook").
        self.deprecations: list[Problem] = []

    def label(self, name: str) -> str:
        return self.labels.get(name, repr(name))

    @property
    def hook(self) -> Any:
        return self.pm.hook

    def register(self, plugins: Mapping[str, Plugin], order: Sequence[str], core: object) -> None:
        """Register ``plugins`` (keyed by name) so that hooks run in ``order``.

        Raises ``PluginError`` naming the plugin for invalid specifications,
        invalid implementations, hooks nobody declares, unmarked hook-like
        methods and wrappers on hooks that are called one by one.
        """
        self.plugins = {name: plugins[name] for name in order}
        for name in order:
            self._refuse_unmarked(name, self.plugins[name])
        # Specifications first, so an implementation of a plugin-declared hook
        # is validated against its spec when its plugin registers.
        for name in order:
            spec = type(self.plugins[name]).hookspecs
            if spec is not None:
                try:
                    self.pm.add_hookspecs(spec)  # type: ignore[arg-type]
                except Exception as exc:
                    raise PluginError(
                        name, f"plugin {self.label(name)} declares invalid hook specifications: {exc}"
                    ) from exc
        # pluggy calls the last registered first; registering in reverse load
        # order makes every hook run in load order. The core's own
        # implementations go first, so they run last.
        with warnings.catch_warnings():
            # pluggy's warn_on_impl does not name the plugin: _report_deprecations does.
            warnings.simplefilter("ignore", HookDeprecationWarning)
            self.pm.register(core, name="corolla")
            for name in reversed(order):
                try:
                    self.pm.register(self.plugins[name], name=name)
                except pluggy.PluginValidationError as exc:
                    raise PluginError(
                        name, f"plugin {self.label(name)}: {exc}; fix the hook implementation's signature"
                    ) from exc
        self._check_pending()
        self._report_deprecations()
        for hook_name in ONE_BY_ONE:
            for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
                if impl.wrapper or impl.hookwrapper:
                    raise PluginError(
                        impl.plugin_name,
                        f"plugin {self.label(impl.plugin_name)}: {hook_name} cannot be a hook wrapper "
                        "(wrapper=True or hookwrapper=True); implement it as a plain @hookimpl",
                    )

    def _report_deprecations(self) -> None:
        """Log (and warn, for plugin authors' test suites) each plugin implementing a deprecated hook."""
        namespaces: dict[str, object] = {"corolla": hookspecs}
        for name, plugin in self.plugins.items():
            if type(plugin).hookspecs is not None:
                namespaces.setdefault(name, type(plugin).hookspecs)
        deprecated = deprecated_hooks(namespaces)
        if not deprecated:
            return
        impls = [
            (impl.plugin_name, self.label(impl.plugin_name), hook)
            for hook in sorted(deprecated)
            for impl in getattr(self.pm.hook, hook).get_hookimpls()
        ]
        self.deprecations = deprecation_problems(impls, deprecated)
        for (_, _, hook), problem in zip(impls, self.deprecations, strict=True):
            logger.warning("%s (fix: %s)", problem.message, problem.fix)
            warnings.warn(
                HookDeprecationWarning(f"{problem.message}; fix: {problem.fix}", deprecated[hook][1]), stacklevel=4
            )

    def _refuse_unmarked(self, name: str, plugin: Plugin) -> None:
        """A ``corolla_*`` method without ``@hookimpl`` would be ignored silently."""
        for attr in dir(type(plugin)):
            if not attr.startswith(f"{PROJECT}_"):
                continue
            raw = _raw_attribute(plugin, attr)
            if callable(getattr(raw, "__func__", raw)) and not _is_marked(raw):
                raise PluginError(
                    name,
                    f"plugin {self.label(name)}: method {type(plugin).__qualname__}.{attr} looks like a hook "
                    "implementation but is not marked; did you forget @corolla.hookimpl?",
                )

    def _check_pending(self) -> None:
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError as exc:
            callers: dict[str, pluggy.HookCaller] = vars(self.pm.hook)
            # pluggy made a caller for each unknown name too: suggest declared
            # hooks only, and report every unknown implementation at once.
            declared = {name for name, caller in callers.items() if caller.spec is not None}
            unknown = [
                (impl.plugin_name, name)
                for name, caller in callers.items()
                if caller.spec is None
                for impl in caller.get_hookimpls()
                if not impl.optionalhook
            ]
            lines = []
            for plugin_name, bad in unknown:
                hint = did_you_mean(bad, declared)
                lines.append(
                    f"plugin {self.label(plugin_name)} implements {bad!r}, which no installed plugin declares "
                    "as a hook" + (f"; {hint}" if hint else "")
                )
            culprit = getattr(exc.plugin, "record", None)
            raise PluginError(
                unknown[0][0] if unknown else str(getattr(culprit, "name", "?")),
                ("\n".join(lines) or str(exc))
                + "\nIf a hook belongs to an optional integration, mark it @hookimpl(optionalhook=True)",
            ) from exc

    def contributions(self, hook_name: str, declared_attr: str, results: Sequence[tuple[str, Any]]) -> dict[str, Any]:
        """Merge the attribute mappings a hook returned (``call_each``), checked against each plugin's declaration."""
        out: dict[str, Any] = {}
        for name, result in results:
            plugin = self.plugins.get(name)
            if plugin is None:
                continue  # the core's own implementation
            declared = set(getattr(type(plugin), declared_attr))
            given = set(result or {})
            if given != declared:
                extra, missing = sorted(given - declared), sorted(declared - given)
                parts = []
                if extra:
                    parts.append(f"returned {', '.join(extra)} without declaring it in {declared_attr}")
                if missing:
                    parts.append(f"declares {', '.join(missing)} in {declared_attr} but did not return it")
                raise PluginError(
                    name,
                    f"plugin {self.label(name)}: {hook_name} "
                    + " and ".join(parts)
                    + f"; make {type(plugin).__qualname__}.{declared_attr} match what the hook returns",
                )
            out.update(result or {})
        # A declaration with no hook to fill it would leave the names missing.
        implemented = {impl.plugin_name for impl in getattr(self.pm.hook, hook_name).get_hookimpls()}
        for name, plugin in self.plugins.items():
            declared_names = sorted(getattr(type(plugin), declared_attr))
            if declared_names and name not in implemented:
                raise PluginError(
                    name,
                    f"plugin {self.label(name)} declares {', '.join(declared_names)} in {declared_attr} "
                    f"but does not implement {hook_name}; implement it, returning those names, "
                    f"or empty {type(plugin).__qualname__}.{declared_attr}",
                )
        return out

    def shutdown(self, name: str, **kwargs: Any) -> None:
        """Run one plugin's ``corolla_shutdown``; a failure is logged, never raised."""
        # Through the registered implementation, so only a method marked
        # @hookimpl runs, with only the arguments it accepts.
        for impl in self.pm.hook.corolla_shutdown.get_hookimpls():
            if impl.plugin_name != name:
                continue
            try:
                call_impl(impl, "corolla_shutdown", kwargs, self.label)
            except PluginError as err:  # logged with the plugin's own exception
                logger.error("plugin %s failed in corolla_shutdown", self.label(name), exc_info=err.__cause__)

    def unregister_all(self) -> None:
        for plugin in [*self.plugins.values()]:
            if self.pm.is_registered(plugin):
                self.pm.unregister(plugin)
        self.plugins.clear()
