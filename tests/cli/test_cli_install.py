"""``corolla plugins install | upgrade | remove`` with real pip, against wheels built here (never the network).

Each test makes a fresh venv (the target, changed through ``--python``) that
sees this checkout's packages (corolla, its libraries) through a site
directory, and a folder of synthetic plugin wheels used as ``--no-index
--find-links``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from corolla.testing import SyntheticPlugins, run_cli

pytestmark = pytest.mark.slow


@dataclass
class Target:
    python: Path
    purelib: Path
    wheels: SyntheticPlugins

    def corolla(self, *args: str) -> Any:
        index = ["--no-index", "--find-links", str(self.wheels.folder)] if args[1] != "remove" else []
        return run_cli(*args, "--python", str(self.python), *index)

    def json(self, *args: str) -> dict[str, Any]:
        result = self.corolla(*args, "--json")
        data: dict[str, Any] = json.loads(result.stdout)
        data["exit_code"] = result.exit_code
        return data

    def pip_install(self, *wheels: Path) -> None:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "--python",
                str(self.python),
                "install",
                "--quiet",
                "--no-deps",
                *map(str, wheels),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def installed(self) -> dict[str, str]:
        """Distribution -> version, as the target's importlib.metadata sees its own site-packages."""
        script = (
            "import importlib.metadata as m, json, sys; "
            "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions(path=[sys.argv[1]])}))"
        )
        out = subprocess.run([str(self.python), "-c", script, str(self.purelib)], capture_output=True, text=True)
        found: dict[str, str] = json.loads(out.stdout)
        return found


@pytest.fixture
def target(tmp_path: Path) -> Target:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    python = venv / "bin" / "python"
    purelib = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    # corolla and its libraries come from this checkout's environment, as a site directory. That
    # environment has the repository's plugins installed too, so these tests use other names.
    (purelib / "corolla-project.pth").write_text(
        f"import site; site.addsitedir({sysconfig.get_paths()['purelib']!r})\n"
    )
    return Target(python, purelib, SyntheticPlugins(tmp_path / "wheels"))


def test_install_is_refused_before_anything_changes_then_done_with_what_it_needs(target: Target) -> None:
    target.pip_install(target.wheels.wheel("pages", manifest=True))
    shop = target.wheels.wheel("shop", requires=["cart>=0.2"], manifest=True)
    target.wheels.wheel("cart", version="0.3", manifest=True)

    refused = target.json("plugins", "install", str(shop))

    assert refused["exit_code"] == 1 and not refused["ok"] and not refused["changed"]
    assert [c["distribution"] for c in refused["changes"]] == ["corolla-shop"]
    [problem] = refused["errors"]
    assert (problem["plugin"], problem["kind"]) == ("shop", "missing")
    assert "requires 'cart>=0.2', which no installed plugin provides" in problem["message"]
    assert target.installed() == {"corolla-pages": "1.0"}  # nothing changed

    done = target.json("plugins", "install", "corolla-shop", "corolla-cart")

    assert done["exit_code"] == 0 and done["changed"], done
    assert done["order"] == ["cart", "pages", "shop"]
    assert target.installed() == {"corolla-pages": "1.0", "corolla-shop": "1.0", "corolla-cart": "0.3"}


def test_dry_run_changes_nothing(target: Target) -> None:
    target.wheels.wheel("cart", version="0.3", manifest=True)
    result = target.corolla("plugins", "install", "corolla-cart", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "install  corolla-cart  -" in result.stdout
    assert "nothing was changed (--dry-run)" in result.stdout
    assert target.installed() == {}


def test_a_new_version_that_fails_to_import_is_undone(target: Target) -> None:
    target.pip_install(target.wheels.wheel("cache", version="1.0", manifest=True))
    target.wheels.wheel("cache", version="2.0", manifest=True, source="raise ImportError('cache 2.0 is broken')")

    result = target.corolla("plugins", "install", "corolla-cache==2.0")

    assert result.exit_code == 1, result.output
    assert "the new plugin set does not work; the previous versions are restored" in result.stdout
    assert "cache 2.0 is broken" in result.stdout
    assert target.installed() == {"corolla-cache": "1.0"}
    module = target.purelib / "synth_corolla_cache.py"
    assert "class Plugin(corolla.Plugin)" in module.read_text()  # 1.0's code is back


def test_upgrade_stops_at_the_newest_version_that_keeps_the_set_resolving(target: Target) -> None:
    target.pip_install(
        target.wheels.wheel("cart", version="1.0", manifest=True),
        target.wheels.wheel("shop", requires=["cart>=1.0,<2"], manifest=True),
    )
    target.wheels.wheel("cart", version="1.5", manifest=True)
    target.wheels.wheel("cart", version="2.0", manifest=True)

    data = target.json("plugins", "upgrade", "cart")

    assert data["exit_code"] == 0, data
    [change] = data["changes"]
    assert (change["distribution"], change["before"], change["after"]) == ("corolla-cart", "1.0", "1.5")
    assert change["held_back"] == (
        "corolla-cart 2.0 would break 'shop' (corolla-shop 1.0) requires cart>=1.0,<2; "
        "installing 1.5, the newest that fits"
    )
    assert target.installed()["corolla-cart"] == "1.5"


def test_remove_is_refused_while_a_plugin_requires_it_unless_cascade(target: Target) -> None:
    target.pip_install(
        target.wheels.wheel("cart", manifest=True),
        target.wheels.wheel("shop", requires=["cart"], manifest=True),
        target.wheels.wheel("pages", manifest=True),
    )

    refused = target.json("plugins", "remove", "cart")
    assert refused["exit_code"] == 1
    [problem] = refused["errors"]
    assert problem["message"] == "plugin 'shop' (corolla-shop 1.0) requires cart, which the removal takes away"
    assert problem["fix"] == "corolla plugins remove cart --cascade (also removes shop)"
    assert len(target.installed()) == 3

    dry = target.json("plugins", "remove", "cart", "--cascade", "--dry-run")
    assert [c["distribution"] for c in dry["changes"]] == ["corolla-cart", "corolla-shop"]
    assert len(target.installed()) == 3

    done = target.json("plugins", "remove", "cart", "--cascade")
    assert done["exit_code"] == 0 and done["order"] == ["pages"]
    assert target.installed() == {"corolla-pages": "1.0"}
