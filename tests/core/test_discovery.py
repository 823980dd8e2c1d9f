"""Discovery reads distribution metadata without importing; ``load_declaration`` imports and records failures."""

from __future__ import annotations

import sys

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from corolla import GROUP, PluginRecord, discover, load_declaration
from corolla.testing import SyntheticPlugins


def by_name(records: list[PluginRecord]) -> dict[str, PluginRecord]:
    return {r.name: r for r in records}


def test_record_comes_from_metadata_without_importing(corolla_plugins):
    corolla_plugins.add(
        "sessions",
        version="0.3.1",
        distribution="Acme.Sessions",
        requires_dist=["werkzeug>=3", "corolla>=0.1,<0.2"],
        source="raise RuntimeError('discovery must not import me')",
    )

    [record] = discover(corolla_plugins.path)

    assert record.name == "sessions"
    assert record.distribution == "Acme.Sessions"
    assert record.version == "0.3.1"
    assert record.parsed_version == Version("0.3.1")
    assert record.dist_core == SpecifierSet(">=0.1,<0.2")
    assert record.entry_point == "synth_acme_sessions:Plugin"
    assert record.label() == "'sessions' (Acme.Sessions 0.3.1)"
    assert not record.loaded and record.declaration is None and record.error is None
    assert "synth_acme_sessions" not in sys.modules


def test_core_range_from_requires_dist(corolla_plugins):
    corolla_plugins.add("plain", requires_dist=["corolla"])
    corolla_plugins.add("none", requires_dist=["werkzeug"])
    corolla_plugins.add("extra", requires_dist=["corolla>=9; extra == 'dev'", "Corolla~=0.1.0"])
    corolla_plugins.add("garbage", requires_dist=["not a requirement !!", "corolla<1"])

    records = by_name(discover(corolla_plugins.path))

    assert str(records["plain"].dist_core) == ""
    assert records["none"].dist_core is None
    assert records["extra"].dist_core == SpecifierSet("~=0.1.0")
    assert records["garbage"].dist_core == SpecifierSet("<1")


def test_records_are_sorted_and_one_distribution_may_hold_several_plugins(corolla_plugins):
    corolla_plugins.add("zeta")
    corolla_plugins.add(
        "beta",
        distribution="corolla-bundle",
        extra_entry_points={GROUP: {"alpha": "synth_corolla_bundle:Plugin"}, "console_scripts": {"x": "y:z"}},
    )

    records = discover(corolla_plugins.path)

    assert [(r.name, r.distribution) for r in records] == [
        ("alpha", "corolla-bundle"),
        ("beta", "corolla-bundle"),
        ("zeta", "corolla-zeta"),
    ]


def test_distributions_without_plugins_are_ignored(corolla_plugins):
    corolla_plugins.add("real")
    info = corolla_plugins.folder / "unrelated-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: unrelated\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[console_scripts]\nunrelated = unrelated:main\n")

    assert [r.name for r in discover(corolla_plugins.path)] == ["real"]


def test_record_of_a_plugin_that_fails_to_import_keeps_its_metadata(corolla_plugins):
    module_file = corolla_plugins.add(
        "broken", version="2.1", requires_dist=["corolla>=0.1"], source="import corolla\n1 / 0\n"
    )

    [record] = discover(corolla_plugins.path)
    loaded = load_declaration(record)

    assert (loaded.name, loaded.version, loaded.distribution) == ("broken", "2.1", "corolla-broken")
    assert loaded.dist_core == SpecifierSet(">=0.1")
    assert loaded.loaded and loaded.declaration is None and loaded.plugin_class is None
    assert loaded.error_kind == "import"
    assert loaded.error == (
        f"failed to import 'synth_corolla_broken:Plugin': ZeroDivisionError: division by zero (at {module_file}:2)"
    )
    assert record.error is None, "records are immutable: loading returns a new one"


def test_import_failure_location_in_a_folder_named_importlib(tmp_path):
    # The frame filter must not mistake a user's folder for importlib's own machinery.
    plugins = SyntheticPlugins(tmp_path / "importlib-experiments")
    plugins.add("broken", module="synth_importlib_broken", source="import corolla\n\nraise KeyError('x')\n")
    plugins.activate()
    try:
        [record] = discover(plugins.path)
        error = load_declaration(record).error
    finally:
        plugins.deactivate()

    assert error is not None
    assert error.endswith(f"KeyError: 'x' (at {plugins.folder / 'synth_importlib_broken.py'}:3)")


def test_load_declaration_reads_the_class(corolla_plugins):
    module_file = corolla_plugins.add(
        "forms",
        version="0.5",
        requires=["sessions>=0.2"],
        provides=["Web_Forms==0.4", "csrf"],
        optional=["Templates"],
        conflicts=["old-forms<1"],
        before=["routing"],
        after=["orm"],
        core=">=0.1",
        app_attributes=["forms"],
        request_attributes=["form"],
        settings={"csrf": "Setting(bool, True)"},
    )

    loaded = load_declaration(discover(corolla_plugins.path)[0])

    decl = loaded.declaration
    assert decl is not None and loaded.error is None
    assert loaded.plugin_class is sys.modules["synth_corolla_forms"].Plugin
    assert loaded.location == str(module_file)
    assert [str(r) for r in decl.requires] == ["sessions>=0.2"]
    assert decl.provides == {"web-forms": Version("0.4"), "csrf": None}
    assert decl.optional == ("templates",)
    assert [str(r) for r in decl.conflicts] == ["old-forms<1"]
    assert (decl.before, decl.after) == (("routing",), ("orm",))
    assert decl.core == SpecifierSet(">=0.1")
    assert (decl.app_attributes, decl.request_attributes) == (("forms",), ("form",))
    assert decl.settings["csrf"].default is True
    assert load_declaration(loaded) is loaded, "an already loaded record is not imported again"


def test_same_distribution_twice_on_the_path_counts_once(corolla_plugins, tmp_path):
    corolla_plugins.add("sessions", version="0.3")
    shadow = SyntheticPlugins(tmp_path / "shadow")
    shadow.add("sessions", version="0.1", module="synth_shadow_sessions")

    first = discover([*corolla_plugins.path, *shadow.path])
    again = discover([*corolla_plugins.path, *corolla_plugins.path])
    reversed_path = discover([*shadow.path, *corolla_plugins.path])

    assert [(r.name, r.version) for r in first] == [("sessions", "0.3")]
    assert [(r.name, r.version) for r in again] == [("sessions", "0.3")]
    assert [(r.name, r.version) for r in reversed_path] == [("sessions", "0.1")], "the first on the path wins"


def test_same_name_from_two_distributions_is_listed_twice(corolla_plugins):
    corolla_plugins.add("sessions", distribution="corolla-sessions")
    corolla_plugins.add("sessions", distribution="acme-sessions", module="acme_sessions")

    records = discover(corolla_plugins.path)

    assert [(r.name, r.distribution) for r in records] == [
        ("sessions", "acme-sessions"),
        ("sessions", "corolla-sessions"),
    ]
