"""Conventions every standard plugin follows: public hook specifications, typing protocols, lazy exports."""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest

import corolla

#: entry point name -> the class-name stem (``Routing`` -> RoutingHooks, RoutingApp, RoutingRequest).
PLUGINS = {"routing": "Routing", "sessions": "Sessions", "orm": "Orm", "templates": "Templates", "forms": "Forms"}


def package(name: str) -> ModuleType:
    return importlib.import_module(f"corolla_{name}")


def plugin_class(name: str) -> type[corolla.Plugin]:
    module = package(name)
    (cls,) = [getattr(module, n) for n in module.__all__ if n.endswith("Plugin")]
    assert issubclass(cls, corolla.Plugin)
    return cls


def annotations(protocol: type) -> set[str]:
    # The members are declared under TYPE_CHECKING (see _types.py): read them from the source's
    # annotations as a type checker would, not from the class at run time.
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(protocol))
    return {node.target.id for node in ast.walk(tree) if isinstance(node, ast.AnnAssign)}


@pytest.mark.parametrize("name", sorted(PLUGINS))
def test_declared_hooks_live_in_a_public_hookspecs_module(name: str) -> None:
    cls = plugin_class(name)
    if cls.hookspecs is None:
        return  # forms declares no hook
    stem = PLUGINS[name]
    hookspecs = importlib.import_module(f"corolla_{name}.hookspecs")
    assert cls.hookspecs is getattr(hookspecs, f"{stem}Hooks")
    assert getattr(package(name), f"{stem}Hooks") is cls.hookspecs


@pytest.mark.parametrize("name", sorted(PLUGINS))
def test_a_protocol_types_each_attribute_the_plugin_adds(name: str) -> None:
    cls = plugin_class(name)
    stem = PLUGINS[name]
    for added, kind in ((cls.app_attributes, "App"), (cls.request_attributes, "Request")):
        protocol = getattr(package(name), f"{stem}{kind}", None)
        if not added:
            assert protocol is None, f"corolla_{name}.{stem}{kind} types nothing the plugin adds"
            continue
        assert protocol is not None, f"corolla_{name} adds {kind} attributes {added} but exports no {stem}{kind}"
        assert getattr(protocol, "_is_protocol", False), f"{stem}{kind} is not a typing.Protocol"
        assert annotations(protocol) == set(added)


def test_protocol_members_have_no_run_time_value() -> None:
    # A class naming RoutingApp as a base must not answer app.get when routing is not loaded.
    from corolla_routing import RoutingApp

    class App(corolla.App, RoutingApp):
        pass

    assert not hasattr(RoutingApp, "get") and not hasattr(App, "get")


def test_lazy_exports_load_on_first_access() -> None:
    module = ModuleType("lazy_demo")
    module.__getattr__ = corolla.lazy_exports("lazy_demo", {"dumps": "json"})
    import sys

    sys.modules["lazy_demo"] = module
    try:
        import json

        assert module.dumps is json.dumps
        assert "dumps" in vars(module)  # kept: the next lookup skips __getattr__
        with pytest.raises(AttributeError, match="module 'lazy_demo' has no attribute 'loads'"):
            module.loads  # noqa: B018
    finally:
        del sys.modules["lazy_demo"]
