"""docs/plugin-authoring.md stays true: every code block in it is run here.

The plugin module block becomes a real distribution (with the entry point and
dependencies taken from the guide's pyproject block), and the guide's test
and conftest blocks run in a pytest session of their own against it.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

import pytest

from corolla.testing import SyntheticPlugins

GUIDE = Path(__file__).parents[2] / "docs" / "plugin-authoring.md"
BLOCK = re.compile(r"```(\w+)\n# (\S+)\n(.*?)```", re.S)


def blocks() -> dict[str, str]:
    found = {path: body for _, path, body in BLOCK.findall(GUIDE.read_text())}
    assert set(found) == {
        "pyproject.toml",
        "src/corolla_request_id/__init__.py",
        "tests/test_request_id.py",
        "tests/conftest.py",
    }, "the guide's code blocks changed: update this test to run the new ones"
    return found


@pytest.fixture
def request_id_installed(tmp_path: Path):
    code = blocks()
    project = tomllib.loads(code["pyproject.toml"])["project"]
    entry_points = project["entry-points"]["corolla.plugins"]
    ((name, value),) = entry_points.items()
    dists = SyntheticPlugins(tmp_path / "site")
    package = dists.folder / "corolla_request_id"
    package.mkdir()
    (package / "__init__.py").write_text(code["src/corolla_request_id/__init__.py"])
    dists.add(
        name,
        version=project["version"],
        distribution=project["name"],
        source="",  # the package above is the real code; this module stays empty
        module="corolla_request_id_unused",
        entry_point=value,
        requires_dist=project["dependencies"],
    )
    dists.modules.add("corolla_request_id")
    dists.activate()
    yield
    dists.deactivate()


def test_guide_pyproject_is_valid_and_names_the_plugin_class() -> None:
    project = tomllib.loads(blocks()["pyproject.toml"])["project"]
    assert project["entry-points"]["corolla.plugins"] == {"request-id": "corolla_request_id:RequestIdPlugin"}
    assert any(dep.startswith("corolla>=") for dep in project["dependencies"])


def test_guide_tests_pass_against_the_guide_plugin(request_id_installed: None, pytester: pytest.Pytester) -> None:
    code = blocks()
    pytester.makeconftest(code["tests/conftest.py"])
    pytester.makepyfile(test_request_id=code["tests/test_request_id.py"])
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-W", "error")
    result.assert_outcomes(passed=3)
