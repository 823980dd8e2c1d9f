"""Manifest first, code last: resolution reads manifests, only the resolved set is imported.

And the stray-install rule: an app that pins no plugin set starts without an
installed plugin that cannot load (warning); a pinned or strict set refuses.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from corolla import App, PluginResolutionError, discover
from corolla.testing import SyntheticPlugins, run_cli

MakeApp = Callable[..., App]

MARKING = """
import corolla, pathlib
pathlib.Path({mark!r}).write_text("imported")

class Plugin(corolla.Plugin):
    requires = {requires!r}
"""


def marking(plugins: SyntheticPlugins, name: str, mark: Path, requires: list[str] | None = None, **kw: object) -> None:
    requires = requires or []
    plugins.add(
        name,
        requires=requires,
        source=MARKING.format(mark=str(mark), requires=requires),
        manifest=True,
        **kw,  # type: ignore[arg-type]
    )


def test_discovery_reads_the_manifest_and_imports_nothing(corolla_plugins: SyntheticPlugins, tmp_path: Path) -> None:
    marking(corolla_plugins, "cache", tmp_path / "imported", requires=["sessions>=0.2"])

    [record] = discover(corolla_plugins.path)

    assert record.declaration is not None and [str(r) for r in record.declaration.requires] == ["sessions>=0.2"]
    assert record.manifest.endswith("synth_corolla_cache-data/corolla-plugin.toml")
    assert record.plugin_class is None and not record.imported
    assert not (tmp_path / "imported").exists()


def test_plugins_list_imports_no_plugin(corolla_plugins: SyntheticPlugins, tmp_path: Path) -> None:
    mark = tmp_path / "imported"
    marking(corolla_plugins, "cache", mark)
    corolla_plugins.add("old-style")  # no manifest: imported to read its class, and marked in the list

    result = run_cli("plugins", "list", "--json", cwd=tmp_path, plugin_path=corolla_plugins.path)

    assert result.exit_code == 0, result.output
    assert not mark.exists()
    rows = {r["name"]: r for r in __import__("json").loads(result.stdout)}
    assert rows["cache"]["manifest"] is True and rows["old-style"]["manifest"] is False
    text = run_cli("plugins", "list", cwd=tmp_path, plugin_path=corolla_plugins.path).stdout
    assert "old-style*" in text and "* no manifest: its declaration was read by importing it" in text
    assert not mark.exists()


def test_a_set_that_does_not_resolve_imports_none_of_its_plugins(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp, tmp_path: Path
) -> None:
    mark = tmp_path / "imported"
    marking(corolla_plugins, "cache", mark, requires=["sessions>=0.2"])
    marking(corolla_plugins, "admin", mark)

    with pytest.raises(PluginResolutionError) as info:
        make_app(["cache", "admin"])

    assert [p.kind for p in info.value.problems] == ["missing"]
    assert not mark.exists()  # admin was fine, but the set did not resolve: nothing ran


def test_a_class_that_disagrees_with_its_manifest_is_refused_naming_both(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp
) -> None:
    corolla_plugins.add("cache", requires=["sessions"], manifest={"requires": []})
    corolla_plugins.add("sessions", manifest=True)

    with pytest.raises(PluginResolutionError) as info:
        make_app(["cache", "sessions"])

    [problem] = info.value.problems
    assert problem.kind == "manifest-mismatch"
    assert "disagrees with its manifest: requires: " in problem.message
    assert "synth_corolla_cache-data/corolla-plugin.toml says []; synth_corolla_cache.Plugin has ['sessions']" in (
        problem.message
    )


def test_an_unpinned_plugin_that_cannot_load_does_not_take_the_app_down(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp, caplog: pytest.LogCaptureFixture
) -> None:
    corolla_plugins.add("routing", manifest=True)
    corolla_plugins.add("forms", requires=["sessions"], manifest=True)  # pip install corolla-forms, no sessions
    corolla_plugins.add("broken", source="raise ImportError('half-installed')")

    with caplog.at_level(logging.WARNING, "corolla"):
        app = make_app(strict=False)  # the app pins nothing: App() as a user's app.py calls it

    assert app.resolution.order == ("routing",)
    assert {n: d.status for n, d in app.resolution.decisions.items()} == {
        "broken": "skipped",
        "forms": "skipped",
        "routing": "enabled",
    }
    warned = [r.getMessage() for r in caplog.records if "is installed but was not loaded" in r.getMessage()]
    assert len(warned) == 2 and all("the app does not pin its plugin set" in w for w in warned)
    assert [p.plugin for p in app.plan.strays] == ["broken", "forms"]


@pytest.mark.parametrize(
    "how",
    [
        {"plugins": ["routing", "forms"]},
        {"config": {"plugins": {"strict": True}}},
        {"environ": {"COROLLA_PLUGINS": "routing,forms"}},
    ],
    ids=["App-plugins", "strict", "env-plugins"],
)
def test_a_pinned_or_strict_set_still_refuses_as_a_whole(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp, how: dict[str, object]
) -> None:
    corolla_plugins.add("routing", manifest=True)
    corolla_plugins.add("forms", requires=["sessions"], manifest=True)

    with pytest.raises(PluginResolutionError) as info:
        make_app(strict=False, **how)

    assert [(p.plugin, p.kind) for p in info.value.problems] == [("forms", "missing")]
    assert info.value.plan is not None
    assert info.value.plan.resolution.decisions["routing"].status == "refused"


def test_environment_may_narrow_the_apps_pinned_set_but_not_widen_it(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp
) -> None:
    for name in ("routing", "forms", "admin"):
        corolla_plugins.add(name, manifest=True)

    narrowed = make_app(["routing", "forms"], environ={"COROLLA_PLUGINS": "routing"})
    assert narrowed.resolution.order == ("routing",)

    with pytest.raises(Exception) as info:
        make_app(["routing", "forms"], environ={"COROLLA_PLUGINS": "routing,admin"})
    message = str(info.value)
    assert "COROLLA_PLUGINS names 'admin', which App(plugins=...) does not list" in message
    assert "admin" not in sys.modules


def test_help_lists_a_manifests_commands_without_importing_the_plugin(
    corolla_plugins: SyntheticPlugins, tmp_path: Path
) -> None:
    mark = tmp_path / "imported"
    corolla_plugins.add(
        "cache",
        source=MARKING.format(mark=str(mark), requires=[]),
        manifest={"commands": {"cache-clear": "synth_cache_cli:command"}},
    )
    # The command's factory module (imported to build the command, as docs/cli.md says), not the plugin.
    (corolla_plugins.folder / "synth_cache_cli.py").write_text(
        "import click\n\n\ndef command(app):\n"
        "    @click.command('cache-clear')\n    def clear():\n        'Empty the cache.'\n\n    return clear\n"
    )
    corolla_plugins.modules.add("synth_cache_cli")
    result = run_cli("--help", cwd=tmp_path, plugin_path=corolla_plugins.path)
    assert result.exit_code == 0, result.output
    assert "cache-clear" in result.stdout
    assert not mark.exists()
