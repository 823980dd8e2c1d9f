"""Plugin manifests: read from installed distributions and wheels without importing, checked against the class."""

from __future__ import annotations

import importlib.metadata as metadata
import sys
import zipfile
from pathlib import Path

import pytest

from corolla import Setting
from corolla._manifest import (
    FILENAME,
    ManifestError,
    check_installed,
    differences,
    installed_manifests,
    manifest_text,
    parse,
    read_wheel,
)
from corolla.testing import SyntheticPlugins, check_manifest

SHIPPED = ["routing", "sessions", "orm", "forms", "templates", "auth", "hello"]


def dist_of(plugins: SyntheticPlugins, name: str) -> metadata.Distribution:
    [dist] = [
        d
        for d in metadata.distributions(path=plugins.path)
        if any(ep.group == "corolla.plugins" and ep.name == name for ep in d.entry_points)
    ]
    return dist


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_plugin_has_a_manifest_equal_to_its_class(name: str) -> None:
    [ep] = [ep for ep in metadata.entry_points(group="corolla.plugins") if ep.name == name]
    [dist] = [d for d in metadata.distributions() if ep in d.entry_points]
    manifest = installed_manifests(dist)[name]
    assert differences(manifest, ep.load(), ep.value) == []
    assert manifest.entry_point == ep.value


def test_manifest_is_read_without_importing_the_plugin(corolla_plugins: SyntheticPlugins) -> None:
    corolla_plugins.add(
        "cache",
        requires=["sessions>=0.2"],
        optional=["orm"],
        settings={"ttl": "Setting(int, 60, 'Seconds an entry lives')"},
        body="@hookimpl\ndef corolla_startup(self, app): ...",
        manifest=True,
    )
    # The class is not what the manifest describes: were it imported, it would fail.
    module_file = corolla_plugins.folder / "synth_corolla_cache.py"
    module_file.write_text("raise RuntimeError('the manifest must be read without importing me')\n")

    manifest = installed_manifests(dist_of(corolla_plugins, "cache"))["cache"]

    assert "synth_corolla_cache" not in sys.modules
    assert manifest.name == "cache" and manifest.entry_point == "synth_corolla_cache:Plugin"
    assert manifest.lists["requires"] == ("sessions>=0.2",)
    assert manifest.hooks == ("corolla_startup",)
    assert manifest.settings == {"ttl": Setting(int, 60, "Seconds an entry lives")}
    decl = manifest.declaration()
    assert [str(r) for r in decl.requires] == ["sessions>=0.2"]
    assert decl.optional == ("orm",)


def test_a_distribution_without_manifest_has_none(corolla_plugins: SyntheticPlugins) -> None:
    corolla_plugins.add("plain")
    assert installed_manifests(dist_of(corolla_plugins, "plain")) == {}


def test_mismatch_names_the_manifest_and_the_class(corolla_plugins: SyntheticPlugins) -> None:
    corolla_plugins.add(
        "cache",
        requires=["sessions>=0.2"],
        settings={"ttl": "Setting(int, 60)"},
        manifest={"requires": ["sessions>=0.1"], "hooks": ["corolla_startup"]},
    )
    manifest = installed_manifests(dist_of(corolla_plugins, "cache"))["cache"]
    import synth_corolla_cache

    found = differences(manifest, synth_corolla_cache.Plugin)

    source = str(corolla_plugins.folder / "synth_corolla_cache-data" / FILENAME)
    assert found == [
        f"requires: {source} says ['sessions>=0.1']; synth_corolla_cache.Plugin has ['sessions>=0.2']",
        f"hooks: {source} says ['corolla_startup']; synth_corolla_cache.Plugin has [] (implemented, @hookimpl)",
    ]


def test_check_installed_prints_the_manifest_the_class_implies(corolla_plugins: SyntheticPlugins) -> None:
    corolla_plugins.add("cache", settings={"ttl": "Setting(int, 60)"}, manifest={"settings": {}})

    problems = check_installed("cache", corolla_plugins.path)

    assert problems[0].startswith("settings.ttl: ")
    assert "says None; synth_corolla_cache.Plugin has {'type': 'int', 'default': 60}" in problems[0]
    implied = problems[-1].split("implies:\n", 1)[1]
    import synth_corolla_cache

    assert implied == manifest_text(synth_corolla_cache.Plugin, "cache", "synth_corolla_cache:Plugin")
    assert differences(parse(implied, "implied"), synth_corolla_cache.Plugin) == []


def test_check_installed_without_manifest_offers_one(corolla_plugins: SyntheticPlugins) -> None:
    corolla_plugins.add("plain")
    [problem] = check_installed("plain", corolla_plugins.path)
    assert problem.startswith(
        f"corolla-plain ships no {FILENAME} for plugin 'plain'; save this as synth_corolla_plain/"
    )
    assert 'name = "plain"\nclass = "synth_corolla_plain:Plugin"' in problem


def test_a_required_plugin_missing_from_the_dependencies_is_flagged(corolla_plugins: SyntheticPlugins) -> None:
    corolla_plugins.add("base", distribution="acme-base", manifest=True)
    corolla_plugins.add("extra", requires=["base>=1.0"], requires_dist=["corolla"], manifest=True)
    corolla_plugins.add("good", requires=["base>=1.0"], requires_dist=["corolla", "acme-base>=1"], manifest=True)

    assert check_installed("good", corolla_plugins.path) == []
    assert check_installed("extra", corolla_plugins.path) == [
        "requires 'base>=1.0', which acme-base provides, but the distribution does not depend on it; "
        'add "acme-base" (with a version range) to [project] dependencies'
    ]


def test_the_testing_helper_fails_with_the_differences(corolla_plugins: SyntheticPlugins) -> None:
    corolla_plugins.add("cache", requires=["sessions"], manifest={"requires": []})
    with pytest.raises(AssertionError, match=r"plugin 'cache': manifest and code disagree:\nrequires: "):
        check_manifest("cache")
    check_manifest("routing")  # a shipped plugin passes


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("format = 2", "format = 2; this core reads format = 1"),
        ('format = 1\nname = "x"', "name (the entry point name) and class ('module:Class') are required"),
        ('format = 1\nname = "x"\nclass = "m:C"\nrequire = []', "unknown keys require"),
        ('format = 1\nname = "x"\nclass = "m:C"\nrequires = "a"', "requires must be a list of strings"),
        ('format = 1\nname = "x"\nclass = "m:C"\n[settings.k]\ntype = "set"', "type must be one of str, int"),
        ('format = 1\nname = "x"\nclass = "m:C"\n[settings.k]\ntype = "int"\ndefault = "1"', "the default is a str"),
        ("format = ", "not valid TOML"),
    ],
)
def test_invalid_manifests_name_the_file(text: str, message: str) -> None:
    with pytest.raises(ManifestError, match="^where.toml: ") as info:
        parse(text, "where.toml")
    assert message in str(info.value)


def test_invalid_declaration_in_a_manifest_names_the_file() -> None:
    manifest = parse('format = 1\nname = "x"\nclass = "m:C"\nrequires = ["corolla>=1"]', "where.toml")
    with pytest.raises(ManifestError, match="^where.toml: requires entry 'corolla>=1' names the core"):
        manifest.declaration()


def test_a_wheel_is_read_as_a_zip(tmp_path: Path) -> None:
    wheel = tmp_path / "corolla_cache-1.2-py3-none-any.whl"
    text = 'format = 1\nname = "cache"\nclass = "corolla_cache:Plugin"\nrequires = ["sessions>=0.2"]\n'
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("corolla_cache/__init__.py", "raise RuntimeError('never imported')\n")
        zf.writestr(f"corolla_cache/{FILENAME}", text)
        info = "corolla_cache-1.2.dist-info"
        zf.writestr(
            f"{info}/METADATA", "Metadata-Version: 2.1\nName: corolla-cache\nVersion: 1.2\nRequires-Dist: corolla\n"
        )
        zf.writestr(f"{info}/entry_points.txt", "[corolla.plugins]\ncache = corolla_cache:Plugin\n")

    found = read_wheel(wheel)

    assert (found.distribution, found.version, found.requires_dist) == ("corolla-cache", "1.2", ("corolla",))
    assert found.entry_points == {"cache": "corolla_cache:Plugin"}
    assert found.manifests["cache"].lists["requires"] == ("sessions>=0.2",)
    assert found.manifests["cache"].source == f"{wheel.name}!corolla_cache/{FILENAME}"
