"""The public face of ``corolla``: every ``__init__.py`` only re-exports, with a sorted ``__all__``."""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import inspect
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
    for node in body:
        if isinstance(node, ast.ImportFrom):
            if node.module == "__future__":
                continue
            assert node.level >= 1, f"{init}:{node.lineno}: re-export from the package's own modules only"
            for alias in node.names:
                assert alias.name != "*", f"{init}:{node.lineno}: no wildcard imports"
                imported.add(alias.asname or alias.name)
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
    assert set(dunder_all) == imported, f"{init}: __all__ and the imports differ: {set(dunder_all) ^ imported}"


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
