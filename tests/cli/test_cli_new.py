"""``corolla new plugin``: the scaffold, and (slow) its own tests passing right after ``pip install -e``."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

import pytest
from cli_support import Corolla

import corolla as core
from corolla.cli._new import compatible_range


def test_scaffold_files(corolla: Corolla) -> None:
    out = corolla("new", "plugin", "acme-tools").stdout
    target = corolla.cwd / "corolla-acme-tools"
    assert out.startswith("Created plugin 'acme-tools' (distribution corolla-acme-tools, class AcmeToolsPlugin)")
    files = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    assert files == [
        "CHANGELOG.md",
        "README.md",
        "pyproject.toml",
        "src/corolla_acme_tools/__init__.py",
        "src/corolla_acme_tools/_plugin.py",
        "src/corolla_acme_tools/corolla-plugin.toml",
        "src/corolla_acme_tools/py.typed",
        "tests/test_corolla_acme_tools.py",
    ]
    project = tomllib.loads((target / "pyproject.toml").read_text())["project"]
    assert project["name"] == "corolla-acme-tools"
    assert project["dependencies"] == [f"corolla{compatible_range(core.__version__)}"]
    assert project["entry-points"]["corolla.plugins"] == {"acme-tools": "corolla_acme_tools:AcmeToolsPlugin"}
    plugin = (target / "src/corolla_acme_tools/_plugin.py").read_text()
    assert "class AcmeToolsPlugin(corolla.Plugin):" in plugin
    assert "def corolla_dispatch(self, request" in plugin
    assert "corolla_plugins" not in plugin and "$" not in plugin


def test_scaffold_dir_option(corolla: Corolla) -> None:
    corolla("new", "plugin", "x", "--dir", "elsewhere/here")
    assert (corolla.cwd / "elsewhere/here/src/corolla_x/_plugin.py").is_file()


def test_compatible_range() -> None:
    assert compatible_range("0.1.0") == ">=0.1,<0.2"
    assert compatible_range("0.3.2") == ">=0.3,<0.4"
    assert compatible_range("1.4.0") == ">=1.4,<2"


@pytest.mark.parametrize("bad", ["Acme", "1acme", "acme_tools", "acme--x", "core", "plugins", "evil\n", "acme\n"])
def test_bad_names_are_refused(corolla: Corolla, bad: str) -> None:
    result = corolla("new", "plugin", bad, code=2)
    assert "Invalid value for NAME" in result.output


def test_existing_folder_is_not_overwritten(corolla: Corolla) -> None:
    (corolla.cwd / "corolla-acme").mkdir()
    (corolla.cwd / "corolla-acme" / "keep.txt").write_text("mine")
    result = corolla("new", "plugin", "acme", code=2)
    assert "already exists and is not empty" in result.output


@pytest.mark.slow
def test_scaffold_tests_pass_after_editable_install(corolla: Corolla, tmp_path: Path) -> None:
    corolla("new", "plugin", "acme-tools")
    project = corolla.cwd / "corolla-acme-tools"
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    python = venv / "bin" / "python"
    # The new venv sees this project's packages (corolla, werkzeug, pytest) as a site directory.
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.strip()
    Path(purelib, "corolla-project.pth").write_text(
        f"import site; site.addsitedir({sysconfig.get_paths()['purelib']!r})\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COROLLA_", "PYTHON", "VIRTUAL_ENV"))}
    install = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", "-e", str(project)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert install.returncode == 0, install.stderr
    tests = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "4 passed" in tests.stdout


def test_new_app_makes_a_project_whose_tests_pass(corolla: Corolla) -> None:
    out = corolla("new", "app", "hello-site").stdout
    project = corolla.cwd / "hello-site"
    assert out.startswith("Created app 'hello-site' in hello-site:\n")
    assert {p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file()} == {
        "app.py",
        "corolla.toml",
        "conftest.py",
        "README.md",
        ".gitignore",
        "tests/test_app.py",
    }
    config = tomllib.loads((project / "corolla.toml").read_text())
    assert config["plugins"]["enabled"] == ["routing"]  # pinned: the example plugins stay out
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COROLLA_", "PYTHON"))}
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "2 passed" in tests.stdout
    routes = subprocess.run(
        [str(Path(sys.executable).parent / "corolla"), "routes"], cwd=project, capture_output=True, text=True, env=env
    )
    assert routes.returncode == 0, routes.stderr
    assert "/hello/<name>" in routes.stdout


def test_new_app_refuses_a_bad_name_and_a_full_folder(corolla: Corolla) -> None:
    assert "is not an app name" in corolla("new", "app", "Bad_Name", code=2).stderr
    (corolla.cwd / "taken").mkdir()
    (corolla.cwd / "taken" / "file").write_text("x")
    assert "already exists and is not empty" in corolla("new", "app", "taken", code=2).stderr
