"""The public face of ``corolla``: every ``__init__.py`` only re-exports, with a sorted ``__all__``."""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import corolla

PACKAGE = Path(corolla.__file__).parent
INITS = sorted(PACKAGE.rglob("__init__.py"))


def module_name(init: Path) -> str:
    return ".".join(("corolla", *init.parent.relative_to(PACKAGE).parts))


def isort_key(name: str) -> tuple[int, str]:
    """ruff's RUF022 "isort-style" order: CONSTANTS, then Classes, then everything else."""
    if name.isupper() and len(name) > 1:
        return 0, name
    if name[:1].isupper():
        return 1, name
    return 2, name


def test_there_is_an_init() -> None:
    assert PACKAGE / "__init__.py" in INITS


@pytest.mark.parametrize("init", INITS, ids=lambda p: module_name(p))
def test_init_only_reexports(init: Path) -> None:
    tree = ast.parse(init.read_text())
    body = list(tree.body)
    assert ast.get_docstring(tree), f"{init} has no module docstring"
    body = body[1:]
    dunder_all = None
    imported: set[str] = set()
    typed: set[str] = set()
    lazy: set[str] = set()
    for node in body:
        if isinstance(node, ast.ImportFrom):
            if node.module in ("__future__", "typing"):
                continue  # ``from typing import TYPE_CHECKING`` for the lazy exports
            assert node.level >= 1, f"{init}:{node.lineno}: re-export from the package's own modules only"
            for alias in node.names:
                assert alias.name != "*", f"{init}:{node.lineno}: no wildcard imports"
                imported.add(alias.asname or alias.name)
        elif isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING" and not node.orelse:
            # The lazy exports, as type checkers see them: relative imports only.
            for inner in node.body:
                assert isinstance(inner, ast.ImportFrom) and inner.level >= 1, f"{init}:{inner.lineno}"
                typed.update(alias.asname or alias.name for alias in inner.names)
        elif isinstance(node, ast.Assign) and [ast.unparse(t) for t in node.targets] == ["__getattr__"]:
            # ``__getattr__ = lazy_exports(__name__, {name: module})``: names whose modules load on first use.
            call = node.value
            assert isinstance(call, ast.Call) and ast.unparse(call.func) == "lazy_exports", f"{init}:{node.lineno}"
            table = ast.literal_eval(call.args[1])
            assert all(module.startswith(".") for module in table.values()), f"{init}: lazy exports are relative"
            lazy.update(table)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            assert names == ["__all__"], f"{init}:{node.lineno}: only __all__ may be assigned"
            assert node.value is not None
            dunder_all = ast.literal_eval(node.value)
        else:
            raise AssertionError(
                f"{init}:{node.lineno}: {type(node).__name__} in an __init__ that should only re-export"
            )
    assert isinstance(dunder_all, list), f"{init} has no __all__ list"
    assert dunder_all == sorted(dunder_all, key=isort_key), f"{init}: __all__ is not sorted"
    assert len(set(dunder_all)) == len(dunder_all), f"{init}: __all__ has duplicates"
    assert typed == lazy, f"{init}: the TYPE_CHECKING imports and the lazy exports differ: {typed ^ lazy}"
    assert not imported & lazy, f"{init}: exported both eagerly and lazily: {imported & lazy}"
    exported = imported | lazy
    assert set(dunder_all) == exported, f"{init}: __all__ and the imports differ: {set(dunder_all) ^ exported}"


@pytest.mark.parametrize("init", INITS, ids=lambda p: module_name(p))
def test_all_names_exist(init: Path) -> None:
    module = importlib.import_module(module_name(init))
    for name in module.__all__:
        assert hasattr(module, name), f"{module.__name__}.__all__ names {name!r}, which it does not have"
    namespace: dict[str, object] = {}
    exec(f"from {module.__name__} import *", namespace)  # the import users would write
    assert set(namespace) - {"__builtins__"} == set(module.__all__)


def test_public_objects_come_from_private_modules() -> None:
    for name in corolla.__all__:
        obj = getattr(corolla, name)
        if not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue  # constants (GROUP, __version__) and pluggy's markers
        origin = obj.__module__
        assert origin.startswith("corolla._"), f"corolla.{name} comes from {origin}"


def test_version_matches_the_installed_distribution() -> None:
    assert corolla.__version__ == importlib.metadata.version("corolla")
    assert corolla.__version__.count(".") >= 2


def test_testing_module_exports() -> None:
    import corolla.testing

    for name in corolla.testing.__all__:
        assert hasattr(corolla.testing, name), name
    assert corolla.testing.SyntheticPlugins.__module__ == "corolla._synthetic"


def test_public_errors_form_one_hierarchy() -> None:
    for error in (corolla.PluginError, corolla.PluginResolutionError, corolla.ConfigError):
        assert issubclass(error, corolla.CorollaError)
    assert issubclass(corolla.CorollaError, Exception)


def test_the_core_names_of_app_and_request_match_the_classes() -> None:
    """The attribute-clash check reads ``APP_NAMES``/``REQUEST_NAMES`` (so inspection imports no werkzeug):
    they must be exactly the classes' public names with the installed werkzeug."""
    from corolla._app_plan import APP_NAMES, REQUEST_NAMES

    def public_names(cls: type) -> set[str]:
        names = set(dir(cls))
        for klass in cls.__mro__:
            names.update(getattr(klass, "__annotations__", {}))
        return {name for name in names if not name.startswith("_")}

    for cls, listed in ((corolla.App, APP_NAMES), (corolla.App.request_class, REQUEST_NAMES)):
        actual = public_names(cls)
        assert actual == listed, (
            f"core/src/corolla/_app_plan.py lists {cls.__name__}'s public names: "
            f"add {sorted(actual - listed)}, remove {sorted(listed - actual)}"
        )


@pytest.mark.parametrize("command", ["import corolla", "import corolla.cli"])
def test_importing_corolla_imports_no_werkzeug(command: str) -> None:
    """The lazy exports keep werkzeug (and its server and test client) off the inspection commands' path."""
    code = f"{command}; import sys; print(sorted(m for m in sys.modules if m.split('.')[0] == 'werkzeug'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_lazy_exports_are_the_real_objects() -> None:
    from corolla._app import App
    from corolla._calls import call_each
    from corolla._wrappers import Request, Response, make_response

    assert (corolla.App, corolla.call_each, corolla.Request) == (App, call_each, Request)
    assert (corolla.Response, corolla.make_response) == (Response, make_response)
    assert "App" in vars(corolla)  # kept after the first access: later lookups are plain
