"""``corolla.lock``: production starts only from the locked plugin set; a duplicate name runs no code."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from corolla import App, PluginResolutionError
from corolla._lock import load
from corolla.testing import SyntheticPlugins, run_cli

MakeApp = Callable[..., App]

# A module that leaves a mark when it is imported: the tests check that refused code never ran.
MARKING = """
import corolla, pathlib
pathlib.Path({mark!r}).write_text("imported")

class Plugin(corolla.Plugin):
    pass
"""


def lock_here(plugins: SyntheticPlugins, root: Path, *args: str) -> dict[str, object]:
    result = run_cli("plugins", "lock", "--json", *args, cwd=root, plugin_path=plugins.path)
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


def locked_app(plugins: SyntheticPlugins, root: Path) -> App:
    return App({"plugins": {"lock": "corolla.lock"}}, root=root, plugin_path=plugins.path, environ={})


def test_lock_then_start_from_it(corolla_plugins: SyntheticPlugins, tmp_path: Path) -> None:
    corolla_plugins.add("sessions", version="0.3")
    corolla_plugins.add("forms", version="1.2", requires=["sessions>=0.2"])

    data = lock_here(corolla_plugins, tmp_path)

    assert data["plugins"] == [
        {
            "name": name,
            "distribution": f"corolla-{name}",
            "version": version,
            "entry_point": f"synth_corolla_{name}:Plugin",
            "files": data["plugins"][i]["files"],  # type: ignore[index]
            "wheel": "",
        }
        for i, (name, version) in enumerate([("forms", "1.2"), ("sessions", "0.3")])
    ]
    core, locked = load(tmp_path / "corolla.lock")
    assert sorted(locked) == ["forms", "sessions"] and locked["forms"].files.startswith("sha256:")
    text = (tmp_path / "corolla.lock").read_text()
    assert 'lock-version = "1.0"' in text and '[[packages]]\nname = "corolla-forms"\nversion = "1.2"' in text
    app = locked_app(corolla_plugins, tmp_path)
    assert app.resolution.order == ("sessions", "forms")
    app.close()


def test_a_drifted_set_is_refused_with_every_difference_before_anything_is_imported(
    corolla_plugins: SyntheticPlugins, tmp_path: Path
) -> None:
    corolla_plugins.add("sessions", version="0.3")
    corolla_plugins.add("forms", version="1.2")
    corolla_plugins.add("orm", version="2.0")
    corolla_plugins.add("cache")
    lock_here(corolla_plugins, tmp_path)
    sys.modules.pop("synth_corolla_forms")  # imported by the lock command; App() must not import it again
    mark = tmp_path / "imported"
    # Upgraded, added, removed, files changed in place: all at once.
    corolla_plugins.add("sessions", version="0.4", source=MARKING.format(mark=str(mark)))
    corolla_plugins.add("admin", source=MARKING.format(mark=str(mark)))
    (corolla_plugins.folder / "corolla_orm-2.0.dist-info").rename(corolla_plugins.folder / "gone")
    (corolla_plugins.folder / "synth_corolla_cache.py").write_text("# edited on the server\n")

    with pytest.raises(PluginResolutionError) as info:
        locked_app(corolla_plugins, tmp_path)

    problems = {p.plugin: p for p in info.value.problems}
    assert [p.kind for p in info.value.problems] == ["lock"] * 4
    assert problems["admin"].message == "plugin 'admin' (corolla-admin 1.0) is installed but not in corolla.lock"
    assert problems["admin"].fix.splitlines()[:3] == [
        "restore the locked set, or relock:",
        "pip uninstall corolla-admin",
        "export COROLLA_DISABLE_PLUGINS=admin",
    ]
    assert [a.command for a in problems["admin"].actions] == [
        "pip uninstall corolla-admin",
        "export COROLLA_DISABLE_PLUGINS=admin",
        "corolla plugins lock",
    ]
    assert problems["orm"].message == ("plugin 'orm' (corolla-orm 2.0) is in corolla.lock but not installed")
    assert problems["orm"].fix.splitlines()[1] == 'pip install "corolla-orm==2.0"'
    assert problems["sessions"].message == ("plugin 'sessions' (corolla-sessions 0.4) is at version 0.4, locked at 0.3")
    assert problems["sessions"].fix.splitlines()[1] == 'pip install --force-reinstall "corolla-sessions==0.3"'
    assert problems["cache"].message == (
        "plugin 'cache' (corolla-cache 1.0) has files changed since installation: synth_corolla_cache.py"
    )
    # Relocking is always offered last, as a command alone, with its warning on the line after.
    assert all(p.fix.splitlines()[-2] == "corolla plugins lock" for p in info.value.problems)
    assert not mark.exists()  # neither the upgraded nor the added plugin ran
    assert "synth_corolla_forms" not in sys.modules

    verify = run_cli("plugins", "verify", cwd=tmp_path, plugin_path=corolla_plugins.path)
    assert verify.exit_code == 1
    assert "the installed plugins differ from corolla.lock (4 problems)" in verify.stdout


def test_verify_passes_on_the_locked_set_and_lock_accepts_a_drifted_one_anew(
    corolla_plugins: SyntheticPlugins, tmp_path: Path
) -> None:
    corolla_plugins.add("sessions", version="0.3")
    lock_here(corolla_plugins, tmp_path)
    verify = run_cli("plugins", "verify", cwd=tmp_path, plugin_path=corolla_plugins.path)
    assert verify.exit_code == 0, verify.output
    assert "ok: the installed plugins match" in verify.stdout

    (tmp_path / "corolla.toml").write_text('[plugins]\nlock = "corolla.lock"\n')
    corolla_plugins.add("sessions", version="0.4")
    assert run_cli("plugins", "verify", cwd=tmp_path, plugin_path=corolla_plugins.path).exit_code == 1
    data = lock_here(corolla_plugins, tmp_path)  # the fix the problems offer
    assert [p["version"] for p in data["plugins"]] == ["0.4"]  # type: ignore[index]
    assert run_cli("plugins", "verify", cwd=tmp_path, plugin_path=corolla_plugins.path).exit_code == 0


def test_a_set_that_does_not_resolve_is_not_locked(corolla_plugins: SyntheticPlugins, tmp_path: Path) -> None:
    corolla_plugins.add("forms", requires=["sessions"])
    result = run_cli("plugins", "lock", cwd=tmp_path, plugin_path=corolla_plugins.path)
    assert result.exit_code == 1
    assert "the plugin set does not resolve, so it cannot be locked (1 problem)" in result.stdout
    assert not (tmp_path / "corolla.lock").exists()


def test_a_second_distribution_claiming_a_name_is_never_imported(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp, tmp_path: Path
) -> None:
    mark = tmp_path / "imported"
    corolla_plugins.add("routing", distribution="corolla-routing", source=MARKING.format(mark=str(mark)))
    corolla_plugins.add(
        "routing", distribution="evil-routing", module="evil_routing", source=MARKING.format(mark=str(mark))
    )

    with pytest.raises(PluginResolutionError) as info:
        make_app()

    assert [p.kind for p in info.value.problems] == ["duplicate"]
    assert not mark.exists()


def test_the_lock_pins_the_distribution_and_the_other_one_is_ignored_unrun(
    corolla_plugins: SyntheticPlugins, tmp_path: Path
) -> None:
    corolla_plugins.add("routing", distribution="corolla-routing")
    lock_here(corolla_plugins, tmp_path)
    mark = tmp_path / "imported"
    corolla_plugins.add(
        "routing", distribution="evil-routing", module="evil_routing", source=MARKING.format(mark=str(mark))
    )

    app = locked_app(corolla_plugins, tmp_path)

    assert app.resolution.decisions["routing"].record.distribution == "corolla-routing"
    [warning] = app.resolution.warnings
    assert warning.message == (
        "ignored plugin 'routing' (evil-routing 1.0): corolla.lock pins 'routing' to corolla-routing"
    )
    assert not mark.exists()
    app.close()
