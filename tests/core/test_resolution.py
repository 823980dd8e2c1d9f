"""The resolution matrix: synthetic plugin distributions through the real App and ``corolla.resolve``.

Every plugin here is a real distribution (``.dist-info`` + module) written by
the ``corolla_plugins`` fixture, so discovery reads real metadata and
``load_declaration`` really imports. Problems are checked by ``kind`` and, where
the wording is the point (the fix to run, the versions, the cycle path), by
their text.
"""

from __future__ import annotations

import logging
import random
import sys

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from corolla import (
    Declaration,
    Edge,
    Plugin,
    PluginRecord,
    PluginResolutionError,
    Problem,
    Resolution,
    Selection,
    discover,
    load_declaration,
    resolve,
)

CORE = "0.1.0"


def failing(make_app, *args, **kwargs) -> list[Problem]:
    """The problems of an App that must not start."""
    with pytest.raises(PluginResolutionError) as info:
        make_app(*args, **kwargs)
    assert info.value.problems, "a resolution error always lists its problems"
    return info.value.problems


def only(problems: list[Problem], kind: str) -> Problem:
    """The single problem of ``kind``, failing when there are others."""
    assert [p.kind for p in problems] == [kind], problems
    return problems[0]


def pure(corolla_plugins, selection: Selection | None = None, core_version: str = CORE, **kwargs) -> Resolution:
    """``corolla.resolve`` over the fixture's distributions, every declaration loaded."""
    records = [load_declaration(r) for r in discover(corolla_plugins.path)]
    return resolve(records, selection, core_version, **kwargs)


def module_of(name: str):
    return sys.modules[f"synth_corolla_{name.replace('-', '_')}"]


# -- requirements, versions and capabilities -------------------------------------


def test_missing_requirement_names_what_to_install(corolla_plugins, make_app):
    # The distribution comes from the requiring plugin's own dependencies, never guessed.
    corolla_plugins.add(
        "forms", version="0.4", requires=["sessions>=0.2"], requires_dist=["corolla", "acme-sessions>=0.3"]
    )

    problem = only(failing(make_app), "missing")

    assert problem.plugin == "forms"
    assert "'forms' (corolla-forms 0.4)" in problem.message
    assert "'sessions>=0.2'" in problem.message
    assert "no installed plugin provides" in problem.message
    assert problem.fix == 'pip install "acme-sessions>=0.3"'

    result = pure(corolla_plugins)
    assert not result.ok
    assert result.problems == (problem,)


@pytest.mark.parametrize(
    ("how", "environ"),
    [
        ({"plugins": ["forms"]}, None),
        ({"config": {"plugins": {"enabled": ["forms"]}}}, None),
        ({"config": {"plugins": {"disabled": ["sessions"]}}}, None),
        ({}, {"COROLLA_DISABLE_PLUGINS": "sessions"}),
        ({}, {"COROLLA_PLUGINS": "forms"}),
    ],
    ids=["App-plugins", "config-enabled", "config-disabled", "env-disable", "env-plugins"],
)
def test_missing_but_installed_and_disabled_says_enable_it(corolla_plugins, make_app, how, environ):
    corolla_plugins.add("sessions", version="0.3")
    corolla_plugins.add("forms", requires=["sessions>=0.2"])

    problem = only(failing(make_app, environ=environ, **how), "missing")

    assert problem.plugin == "forms"
    assert "'sessions' (corolla-sessions 0.3) provides it but is disabled" in problem.message
    assert problem.fix.startswith("enable 'sessions'")
    assert "pip install" not in problem.fix


def test_a_plugin_that_does_not_autoload_loads_only_when_named(corolla_plugins, make_app):
    corolla_plugins.add("routes")
    corolla_plugins.add("example", body="autoload = False")

    unpinned = make_app()
    assert list(unpinned.resolution.order) == ["routes"]
    decision = unpinned.resolution.decisions["example"]
    assert decision.status == "disabled"
    assert "not autoloaded (it declares autoload = False)" in decision.reason
    assert "[plugins] enabled" in decision.reason

    assert list(make_app(["routes", "example"]).resolution.order) == ["example", "routes"]
    assert list(make_app(environ={"COROLLA_PLUGINS": "example"}).resolution.order) == ["example"]


def test_a_plugin_requiring_one_that_does_not_autoload_says_enable_it(corolla_plugins, make_app):
    corolla_plugins.add("example", body="autoload = False")
    corolla_plugins.add("user", requires=["example"])

    problem = only(failing(make_app), "missing")
    assert problem.plugin == "user"
    assert "provides it but is disabled" in problem.message
    assert problem.fix.startswith("enable 'example'")


def test_autoload_must_be_a_bool(corolla_plugins, make_app):
    corolla_plugins.add("example", body="autoload = 'no'")
    problem = only(failing(make_app), "invalid-declaration")
    assert "autoload must be True or False, not 'no'" in problem.message


def test_version_outside_specifier_shows_required_and_installed(corolla_plugins, make_app):
    corolla_plugins.add("sessions", version="0.1.5")
    corolla_plugins.add("forms", requires=["sessions>=0.2,<1"])

    problem = only(failing(make_app), "version")

    assert problem.plugin == "forms"
    assert "requires 'sessions>=0.2,<1'" in problem.message  # as the author wrote it
    assert "'sessions' (corolla-sessions 0.1.5) at version 0.1.5" in problem.message
    assert problem.fix == 'pip install -U "corolla-sessions<1,>=0.2"'


def test_version_inside_specifier_is_satisfied(corolla_plugins, make_app):
    corolla_plugins.add("sessions", version="0.2")
    corolla_plugins.add("forms", requires=["sessions>=0.2"])

    app = make_app()

    assert app.resolution.order == ("sessions", "forms")
    assert app.resolution.decisions["forms"].satisfied_by == {"sessions>=0.2": "sessions"}
    assert "sessions>=0.2 (satisfied by 'sessions')" in app.resolution.decisions["forms"].reason


def test_prerelease_core_and_provider_versions_are_compared(corolla_plugins):
    corolla_plugins.add("sessions", version="0.3rc1")
    corolla_plugins.add("forms", requires=["sessions>=0.2"], core=">=0.1")

    assert pure(corolla_plugins, core_version="0.2.0a1").order == ("sessions", "forms")


def test_capability_provided_by_a_third_party_plugin(corolla_plugins, make_app):
    corolla_plugins.add("redis-sessions", version="1.2", provides=["sessions"])
    corolla_plugins.add("forms", requires=["sessions>=0.2"])

    app = make_app()

    assert app.resolution.order == ("redis-sessions", "forms")
    forms = app.resolution.decisions["forms"]
    assert forms.satisfied_by == {"sessions>=0.2": "redis-sessions"}
    assert forms.as_dict()["requires"] == ["sessions>=0.2"]
    assert app.resolution.decisions["redis-sessions"].as_dict()["provides"] == ["redis-sessions", "sessions"]


@pytest.mark.parametrize(
    ("requirement", "ok"),
    [("sessions>=0.2", True), ("sessions==0.3", True), ("sessions>=0.5", False), ("sessions<0.3", False)],
)
def test_pinned_capability_version_is_used_instead_of_the_distribution_version(
    corolla_plugins, make_app, requirement, ok
):
    corolla_plugins.add("redis-sessions", version="2.0", provides=["sessions==0.3"])
    corolla_plugins.add("forms", requires=[requirement])

    if ok:
        assert make_app().resolution.order == ("redis-sessions", "forms")
        return
    problem = only(failing(make_app), "version")
    assert f"requires {requirement!r}" in problem.message
    assert "'sessions' is provided by 'redis-sessions' (corolla-redis-sessions 2.0) at version 0.3" in problem.message
    assert problem.fix == f"install a release of corolla-redis-sessions that provides {requirement}"


def test_capability_names_are_canonicalized(corolla_plugins, make_app):
    corolla_plugins.add("redis-sessions", provides=["Flask_Sessions"])
    corolla_plugins.add("forms", requires=["flask-sessions"])

    assert make_app().resolution.order == ("redis-sessions", "forms")


# -- the core's version ------------------------------------------------------------


@pytest.mark.parametrize(
    ("declared", "where", "spec"),
    [
        ({"requires_dist": ["corolla>=9"]}, "its Requires-Dist", ">=9"),
        ({"core": ">=9"}, "its declaration", ">=9"),
        ({"requires_dist": ["corolla<0.1"]}, "its Requires-Dist", "<0.1"),
        ({"core": "~=0.0.5"}, "its declaration", "~=0.0.5"),
    ],
)
def test_core_version_incompatible(corolla_plugins, make_app, declared, where, spec):
    corolla_plugins.add("future", version="3.0", **declared)

    problem = only(failing(make_app), "core-version")

    assert problem.plugin == "future"
    assert f"plugin 'future' (corolla-future 3.0) supports corolla{spec} ({where})" in problem.message
    assert f"but corolla {CORE} is installed" in problem.message
    assert f'pip install "corolla{spec}"' in problem.fix
    assert "pip install -U corolla-future" in problem.fix


def test_core_version_fix_names_a_core_every_other_plugin_admits(corolla_plugins, make_app):
    corolla_plugins.add("future", version="3.0", requires_dist=["corolla>=0.2"])
    corolla_plugins.add("steady", requires_dist=["corolla>=0.1,<1"])

    problem = only(failing(make_app), "core-version")

    assert 'pip install "corolla<1,>=0.2"' in problem.fix.splitlines()


def test_core_version_fix_says_which_plugins_hold_the_core_back(corolla_plugins, make_app):
    corolla_plugins.add("future", version="3.0", requires_dist=["corolla>=9"])
    corolla_plugins.add("steady", requires_dist=["corolla>=0.1,<0.2"])
    corolla_plugins.add("calm", core="<1")
    corolla_plugins.add("open", requires_dist=["corolla"])

    problem = only(failing(make_app), "core-version")

    assert 'pip install "corolla' not in problem.fix
    assert problem.fix.splitlines() == [
        "install a release of corolla-future made for corolla 0.1.0:",
        "pip install -U corolla-future",
        "no core release can be installed instead: corolla>=9 is outside the core range of "
        "'calm' (corolla<1, its declaration), 'steady' (corolla<0.2,>=0.1, its Requires-Dist)",
    ]
    assert [a.command for a in problem.actions] == ["pip install -U corolla-future"]


def test_core_version_both_sources_are_checked(corolla_plugins, make_app):
    corolla_plugins.add("future", requires_dist=["corolla>=9"], core=">=8")

    problems = failing(make_app)

    assert [p.kind for p in problems] == ["core-version", "core-version"]
    assert "corolla>=9 (its Requires-Dist)" in problems[0].message
    assert "corolla>=8 (its declaration)" in problems[1].message


def test_core_version_compatible_and_extras_ignored(corolla_plugins, make_app):
    corolla_plugins.add("fine", requires_dist=["corolla>=0.1,<0.2", "corolla>=9; extra == 'future'"], core=">=0.1")

    assert make_app().resolution.order == ("fine",)
    # The same plugin against another core, through the pure function.
    result = pure(corolla_plugins, core_version="0.2")
    assert [p.kind for p in result.problems] == ["core-version"]


# -- cycles -------------------------------------------------------------------------


def test_cycle_of_two_shows_the_path(corolla_plugins, make_app):
    corolla_plugins.add("a", requires=["b"])
    corolla_plugins.add("b", requires=["a>=1"])

    problem = only(failing(make_app), "cycle")

    assert "a -> b -> a" in problem.message
    assert "b requires 'a>=1'" in problem.message
    assert "a requires 'b'" in problem.message
    assert "break the cycle" in problem.fix


def test_cycle_of_three_shows_the_path(corolla_plugins, make_app):
    corolla_plugins.add("a", requires=["c"])
    corolla_plugins.add("b", requires=["a"])
    corolla_plugins.add("c", requires=["b"])
    corolla_plugins.add("outside", requires=["a"])  # blocked by the cycle, but not part of it

    problem = only(failing(make_app), "cycle")

    assert "a -> b -> c -> a" in problem.message
    assert "outside" not in problem.message
    assert problem.plugin == "a"


@pytest.mark.parametrize(
    ("a", "b", "order", "dropped"),
    [
        ({"before": ["b"]}, {"before": ["a"]}, ("a", "b"), "b declares before 'a'"),
        ({"after": ["b"]}, {"after": ["a"]}, ("a", "b"), "a declares after 'b'"),
        ({"requires": ["b"]}, {"after": ["a"]}, ("b", "a"), "b declares after 'a'"),
        ({"before": ["b"]}, {"requires": ["a"], "optional": []}, ("a", "b"), None),  # the same direction
        ({"optional": ["b"]}, {"requires": ["a"]}, ("a", "b"), "a integrates with 'b'"),
        ({"optional": ["b"]}, {"optional": ["a"]}, ("a", "b"), "a integrates with 'b'"),
    ],
    ids=["before-before", "after-after", "requires-after", "agreeing", "optional-requires", "optional-optional"],
)
def test_ordering_preferences_that_close_a_cycle_are_dropped_with_a_warning(
    corolla_plugins, make_app, caplog, a, b, order, dropped
):
    # Only requirements are hard: two plugins that integrate with each other
    # (or disagree on a before/after hint) still load, and the manager says
    # which preference it ignored.
    corolla_plugins.add("a", **a)
    corolla_plugins.add("b", **b)

    with caplog.at_level(logging.WARNING, logger="corolla"):
        app = make_app()

    assert app.resolution.order == order
    if dropped is None:
        assert app.resolution.warnings == ()
        return
    (warning,) = app.resolution.warnings
    assert warning.kind == "soft-cycle"
    assert warning.message == f"ignored an ordering preference that would close a cycle: {dropped}"
    assert "ignored an ordering preference" in caplog.text


def test_requirement_cycle_with_a_hint_is_still_an_error(corolla_plugins, make_app):
    corolla_plugins.add("a", requires=["b"], after=["c"])
    corolla_plugins.add("b", requires=["c"])
    corolla_plugins.add("c", requires=["a"])

    problem = only(failing(make_app), "cycle")

    assert "a -> c -> b -> a" in problem.message or "a -> b -> c -> a" in problem.message


def test_two_separate_cycles_are_both_reported(corolla_plugins):
    corolla_plugins.add("a", requires=["b"])
    corolla_plugins.add("b", requires=["a"])
    corolla_plugins.add("x", requires=["y"])
    corolla_plugins.add("y", requires=["x"])

    result = pure(corolla_plugins)

    assert [(p.kind, p.plugin) for p in result.problems] == [("cycle", "a"), ("cycle", "x")]


# -- capability conflicts and providers --------------------------------------------------


def test_one_capability_two_enabled_providers_asks_to_choose(corolla_plugins, make_app):
    corolla_plugins.add("sessions", version="0.3")
    corolla_plugins.add("redis-sessions", version="1.0", provides=["sessions"])

    problem = only(failing(make_app), "capability-conflict")

    assert (
        "capability 'sessions' is provided by 'redis-sessions' (corolla-redis-sessions 1.0) "
        "and 'sessions' (corolla-sessions 0.3); only one may be enabled"
    ) in problem.message
    assert '[plugins.providers] sessions = "redis-sessions"' in problem.fix


def test_two_providers_suggest_the_one_every_requirement_can_use(corolla_plugins, make_app):
    # The first by name ('memory-sessions') is too old for forms: choosing it would leave the set broken.
    corolla_plugins.add("sessions", version="0.6")
    corolla_plugins.add("memory-sessions", version="0.3", provides=["sessions"])
    corolla_plugins.add("forms", requires=["sessions>=0.5"])

    problem = only(failing(make_app), "capability-conflict")

    assert problem.plugin == "sessions"
    assert '[plugins.providers] sessions = "sessions"' in problem.fix
    # The suggestion works: applied, the set resolves.
    app = make_app(config={"plugins": {"providers": {"sessions": "sessions"}}})
    assert app.resolution.order == ("sessions", "forms")


def test_two_providers_none_usable_checks_the_version_of_the_suggested_one(corolla_plugins, make_app):
    corolla_plugins.add("sessions", version="0.2")
    corolla_plugins.add("memory-sessions", version="0.3", provides=["sessions"])
    corolla_plugins.add("forms", requires=["sessions>=0.5"])

    problems = failing(make_app)

    assert [p.kind for p in problems] == ["version", "capability-conflict"]
    assert "provided by 'memory-sessions' (corolla-memory-sessions 0.3) at version 0.3" in problems[0].message


@pytest.mark.parametrize(
    ("config", "environ"),
    [
        ({"plugins": {"providers": {"sessions": "redis-sessions"}}}, None),
        (None, {"COROLLA_PLUGINS__PROVIDERS": '{"sessions": "redis-sessions"}'}),
    ],
    ids=["config", "environ"],
)
def test_provider_choice_resolves_the_conflict(corolla_plugins, make_app, config, environ):
    corolla_plugins.add("sessions", version="0.3")
    corolla_plugins.add("redis-sessions", version="1.0", provides=["sessions"])
    corolla_plugins.add("forms", requires=["sessions>=0.5"])  # only the chosen one satisfies it

    app = make_app(config=config, environ=environ)

    assert app.resolution.order == ("redis-sessions", "forms")
    other = app.resolution.decisions["sessions"]
    assert other.status == "disabled"
    assert other.reason == "capability 'sessions' is provided by 'redis-sessions', chosen in [plugins.providers]"
    assert other.position is None
    assert app.resolution.decisions["forms"].satisfied_by == {"sessions>=0.5": "redis-sessions"}
    assert set(app.plugins) == {"redis-sessions", "forms"}


def test_provider_choice_of_a_plugin_that_does_not_provide_it(corolla_plugins, make_app):
    corolla_plugins.add("sessions")
    corolla_plugins.add("redis-sessions", provides=["sessions"])
    corolla_plugins.add("orm")

    problems = failing(make_app, config={"plugins": {"providers": {"sessions": "orm"}}})

    assert [p.kind for p in problems] == ["unknown-plugin", "capability-conflict"]
    assert "providers: redis-sessions, sessions" in problems[0].message
    assert problems[0].fix == "set [plugins.providers] sessions to one of: redis-sessions, sessions"


# -- declared conflicts ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("conflicts", "clash"),
    [
        (["orm"], True),
        (["orm<2"], True),
        (["orm>=1.0,<1.1"], True),
        (["orm<1"], False),
        (["orm>=2"], False),
        (["absent"], False),
        (["database"], True),  # a capability the other plugin provides
    ],
)
def test_declared_conflict(corolla_plugins, make_app, conflicts, clash):
    corolla_plugins.add("orm", version="1.0", provides=["database"])
    corolla_plugins.add("legacy-db", version="0.9", conflicts=conflicts)

    if not clash:
        assert make_app().resolution.order == ("legacy-db", "orm")
        return
    problem = only(failing(make_app), "conflict")
    assert problem.plugin == "legacy-db"
    assert (
        f"plugin 'legacy-db' (corolla-legacy-db 0.9) declares a conflict with {conflicts[0]!r}, "
        "and 'orm' (corolla-orm 1.0) is enabled"
    ) in problem.message
    assert problem.fix.splitlines() == [
        "disable one of them, or mark one of them optional in [plugins] optional:",
        "export COROLLA_DISABLE_PLUGINS=orm",
        "export COROLLA_DISABLE_PLUGINS=legacy-db",
    ]


def test_declared_conflict_with_a_disabled_plugin_is_fine(corolla_plugins, make_app):
    corolla_plugins.add("orm")
    corolla_plugins.add("legacy-db", conflicts=["orm"])

    app = make_app(environ={"COROLLA_DISABLE_PLUGINS": "orm"})

    assert app.resolution.order == ("legacy-db",)


# -- attributes added to App and Request --------------------------------------------------------


@pytest.mark.parametrize("kind", ["app", "request"])
def test_attribute_clash_between_two_plugins(corolla_plugins, make_app, kind):
    corolla_plugins.add("sessions", **{f"{kind}_attributes": ["session", "flash"]})
    corolla_plugins.add("cookie-sessions", **{f"{kind}_attributes": ["session"]})

    problem = only(failing(make_app), "attribute-clash")

    assert (
        f"{kind} attribute 'session' is added by both 'cookie-sessions' (corolla-cookie-sessions 1.0) "
        "and 'sessions' (corolla-sessions 1.0)"
    ) in problem.message
    assert problem.fix == "disable one of them, e.g.:\nexport COROLLA_DISABLE_PLUGINS=sessions"


@pytest.mark.parametrize(
    ("kind", "attribute"),
    [
        ("request", "method"),
        ("request", "path"),
        ("request", "touched"),
        ("request", "app"),
        ("request", "environ"),
        ("app", "secret_key"),
        ("app", "run"),
        ("app", "config"),
        ("app", "resolution"),
        ("app", "plugins"),
    ],
)
def test_attribute_the_core_already_has(corolla_plugins, make_app, kind, attribute):
    corolla_plugins.add("shadow", **{f"{kind}_attributes": [attribute]})

    problem = only(failing(make_app), "attribute-clash")

    assert f"adds {kind} attribute {attribute!r}, which the core's {kind.title()} already has" in problem.message
    assert problem.fix == "rename the attribute in corolla-shadow"


def test_reserved_names_are_given_to_the_pure_function(corolla_plugins):
    corolla_plugins.add("shadow", app_attributes=["config"], request_attributes=["db"])

    assert pure(corolla_plugins).ok
    result = pure(corolla_plugins, reserved_app={"config"}, reserved_request={"db"})
    assert [p.kind for p in result.problems] == ["attribute-clash", "attribute-clash"]


# -- plugins that do not load -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "line", "exception"),
    [
        ("import corolla\nimport corolla_no_such_module\n", 2, "ModuleNotFoundError: No module named"),
        ("import corolla\n\n\nclass Plugin(corolla.Plugin:\n    pass\n", 4, "SyntaxError: "),
        ("import corolla\nx = 1\nraise RuntimeError('no database configured')\n", 3, "RuntimeError: no database"),
        (
            "import corolla\n\nclass Plugin(corolla.Plugin):\n    settings = {'x': corolla.Setting(set)}\n",
            4,
            "TypeError:",
        ),
    ],
    ids=["ModuleNotFoundError", "SyntaxError", "RuntimeError", "invalid-Setting"],
)
def test_plugin_failing_to_import(corolla_plugins, make_app, source, line, exception):
    module_file = corolla_plugins.add("broken", version="2.5", source=source)
    corolla_plugins.add("healthy")

    problem = only(failing(make_app), "import")

    assert problem.plugin == "broken"
    assert "plugin 'broken' (corolla-broken 2.5) failed to import 'synth_corolla_broken:Plugin'" in problem.message
    assert exception in problem.message
    assert f"(at {module_file}:{line})" in problem.message
    assert "pip install -U corolla-broken" in problem.fix
    assert "COROLLA_DISABLE_PLUGINS=broken" in problem.fix


def test_entry_point_to_a_missing_module_does_not_blame_corolla(corolla_plugins, make_app):
    corolla_plugins.add("ghost", entry_point="synth_ghost_gone:Plugin")

    problem = only(failing(make_app), "import")

    assert "ModuleNotFoundError: No module named 'synth_ghost_gone'" in problem.message
    assert "corolla/_planning/" not in problem.message and "(at " not in problem.message


@pytest.mark.parametrize(
    ("source", "entry_point", "shown"),
    [
        ("PLUGIN = 42\n", "PLUGIN", "is 42,"),
        ("class Plugin:\n    requires = []\n", "Plugin", "is <class 'synth_corolla_odd.Plugin'>,"),
        ("def Plugin():\n    pass\n", "Plugin", "is <function Plugin"),
    ],
    ids=["int", "plain-class", "function"],
)
def test_entry_point_to_a_non_plugin_object(corolla_plugins, make_app, source, entry_point, shown):
    corolla_plugins.add("odd", source=source, entry_point=f"synth_corolla_odd:{entry_point}")

    problem = only(failing(make_app), "invalid-declaration")

    assert f"plugin 'odd' (corolla-odd 1.0) entry point 'synth_corolla_odd:{entry_point}' {shown}" in problem.message
    assert "not a subclass of corolla.Plugin" in problem.message


def test_entry_point_to_a_missing_attribute(corolla_plugins, make_app):
    corolla_plugins.add("odd", entry_point="synth_corolla_odd:Plugn")

    problem = only(failing(make_app), "import")

    assert "AttributeError" in problem.message
    assert "Plugn" in problem.message


@pytest.mark.parametrize(
    ("declaration", "shown"),
    [
        ({"requires": ["sessions>>0.2"]}, "requires entry 'sessions>>0.2' is not a valid requirement"),
        ({"conflicts": ["orm=<1"]}, "conflicts entry 'orm=<1' is not a valid requirement"),
        ({"core": ">=zero"}, "core = '>=zero' is not a valid version specifier"),
        ({"provides": ["sessions>=0.3"]}, "provides entry 'sessions>=0.3' may only pin one version with '=='"),
        ({"body": "requires = 'sessions'"}, "requires must be a list of strings, not 'sessions'"),
        ({"body": "before = [1]"}, "before must be a list of strings, found 1"),
        ({"body": "settings = {'x': 'str'}"}, "settings['x'] must be a corolla.Setting"),
    ],
)
def test_invalid_declaration(corolla_plugins, make_app, declaration, shown):
    corolla_plugins.add("bad", version="0.1", **declaration)

    problem = only(failing(make_app), "invalid-declaration")

    assert problem.message.startswith(
        "plugin 'bad' (corolla-bad 0.1) invalid declaration in synth_corolla_bad.Plugin: "
    )
    assert shown in problem.message


def test_duplicate_plugin_name_from_two_distributions(corolla_plugins, make_app):
    corolla_plugins.add("sessions", distribution="corolla-sessions", version="0.3")
    corolla_plugins.add("sessions", distribution="acme-sessions", version="2.0", module="acme_sessions")

    problem = only(failing(make_app), "duplicate")

    assert problem.message == (
        "plugin name 'sessions' is registered by 2 distributions: acme-sessions 2.0, corolla-sessions 0.3"
    )
    assert problem.fix == (
        "uninstall all but one of them: pip uninstall acme-sessions or pip uninstall corolla-sessions"
    )
    assert pure(corolla_plugins).decisions["sessions"].status == "refused"


def test_requirement_on_a_duplicated_plugin_does_not_say_install_it(corolla_plugins, make_app):
    corolla_plugins.add("sessions", distribution="corolla-sessions")
    corolla_plugins.add("sessions", distribution="acme-sessions", module="acme_sessions")
    corolla_plugins.add("forms", requires=["sessions"])

    problems = failing(make_app)

    assert [p.kind for p in problems] == ["duplicate", "missing"]
    assert "provides it but is refused: its name is registered by several distributions" in problems[1].message
    assert problems[1].fix == "fix the problem reported for 'sessions'"


def test_duplicate_name_of_a_disabled_plugin_is_harmless(corolla_plugins, make_app):
    corolla_plugins.add("sessions", distribution="corolla-sessions")
    corolla_plugins.add("sessions", distribution="acme-sessions", module="acme_sessions")
    corolla_plugins.add("hello")

    app = make_app(environ={"COROLLA_DISABLE_PLUGINS": "sessions"})

    assert app.resolution.order == ("hello",)
    assert app.resolution.decisions["sessions"].status == "disabled"


@pytest.mark.parametrize("name", ["core", "plugins", "corolla"])
def test_reserved_plugin_names_are_refused(corolla_plugins, make_app, name):
    corolla_plugins.add(name, distribution="acme-thing")

    problem = only(failing(make_app), "invalid-declaration")

    assert f"plugin {name!r} (acme-thing 1.0) uses the reserved name {name!r}" in problem.message
    assert "rename its entry point in acme-thing's" in problem.fix


def test_optional_naming_an_uninstalled_plugin_warns(corolla_plugins, make_app, caplog):
    corolla_plugins.add("sessions")

    with caplog.at_level(logging.WARNING, logger="corolla"):
        app = make_app(config={"plugins": {"optional": ["sesions"]}})

    assert app.resolution.order == ("sessions",)
    (warning,) = app.resolution.warnings
    assert warning.kind == "unknown-plugin"
    assert warning.message == "[plugins] optional names plugin 'sesions', which is not installed"
    assert warning.fix == "fix the name (did you mean 'sessions'?)"
    assert "[plugins] optional names plugin 'sesions'" in caplog.text


@pytest.mark.parametrize(
    ("plugins", "environ", "source"),
    [
        (["sesions"], None, "App(plugins=...)"),
        (None, {"COROLLA_PLUGINS": "sesions"}, "COROLLA_PLUGINS"),
    ],
)
def test_unknown_plugin_in_allowlist_with_did_you_mean(corolla_plugins, make_app, plugins, environ, source):
    corolla_plugins.add("sessions")

    problem = only(failing(make_app, plugins, environ=environ), "unknown-plugin")

    assert problem.plugin == "sesions"
    assert problem.message == (f"{source} names plugin 'sesions', which is not installed; did you mean 'sessions'?")
    assert problem.fix == "fix the name (did you mean 'sessions'?)"


def test_unknown_plugin_in_allowlist_without_a_close_name(corolla_plugins, make_app):
    corolla_plugins.add("sessions")

    problem = only(failing(make_app, config={"plugins": {"enabled": ["orm"]}}), "unknown-plugin")

    assert problem.message.startswith("[plugins] enabled (App(config=...)) names plugin 'orm'")
    assert problem.fix == 'install it (pip install "corolla-orm") or remove it from the allowlist'


def test_unknown_plugin_in_denylist_is_a_warning(corolla_plugins, make_app, caplog):
    corolla_plugins.add("sessions")

    with caplog.at_level(logging.WARNING, logger="corolla"):
        app = make_app(environ={"COROLLA_DISABLE_PLUGINS": "sesions"})

    assert app.resolution.order == ("sessions",)
    assert [w.kind for w in app.resolution.warnings] == ["unknown-plugin"]
    assert "COROLLA_DISABLE_PLUGINS disables plugin 'sesions', which is not installed" in caplog.text
    assert "did you mean 'sessions'?" in caplog.text


# -- every problem at once, nothing half-loaded ---------------------------------------------------

HEALTHY = """
instances = []

def __init__(self, *args):
    super().__init__(*args)
    type(self).instances.append(self)

@hookimpl
def corolla_startup(self, app):
    type(self).instances.append("started")
"""


def test_all_problems_reported_at_once_and_nothing_registered(corolla_plugins, make_app):
    corolla_plugins.add("healthy", body=HEALTHY)
    corolla_plugins.add("forms", requires=["sessions>=0.2"])
    corolla_plugins.add("future", requires_dist=["corolla>=9"])
    corolla_plugins.add("broken", source="raise ImportError('half-installed')")
    corolla_plugins.add("a", requires=["b"])
    corolla_plugins.add("b", requires=["a"])
    corolla_plugins.add("orm", app_attributes=["db"])
    corolla_plugins.add("other-orm", app_attributes=["db"])

    with pytest.raises(PluginResolutionError) as info:
        make_app(config={"core": {"debg": True}})

    kinds = sorted(p.kind for p in info.value.problems)
    assert kinds == ["attribute-clash", "core-version", "cycle", "import", "missing", "unknown-key"]
    text = str(info.value)
    assert text.startswith("The plugin set does not resolve, so no plugin was loaded (6 problems):")
    for problem in info.value.problems:
        assert problem.message in text and problem.fix.replace("\n", "\n" + " " * 9) in text
    assert module_of("healthy").Plugin.instances == []

    healthy = pure(corolla_plugins).decisions["healthy"]
    assert healthy.status == "refused"
    assert healthy.reason.startswith("not loaded: the plugin set does not resolve (problems in: a, broken,")


def test_config_problems_of_healthy_plugins_are_reported_with_resolution_problems(corolla_plugins, make_app):
    # One plugin cannot resolve; the healthy ones' config is still checked, so every problem shows at once.
    corolla_plugins.add("forms", requires=["sessions>=0.2"])
    corolla_plugins.add("cache", settings={"size": "Setting(int, 1)"})
    corolla_plugins.add("mail", settings={"host": "Setting(str, 'localhost')"})
    config = {"cache": {"size": "big", "sise": 2}, "mail": {"hots": "x"}, "core": {"debg": True}}

    problems = failing(make_app, config=config, plugins=["forms", "cache", "mail"])

    found = sorted((p.plugin, p.kind) for p in problems)
    assert found == [
        ("cache", "unknown-key"),
        ("cache", "wrong-type"),
        ("core", "unknown-key"),
        ("forms", "missing"),
        ("mail", "unknown-key"),
    ]


def test_healthy_plugin_is_instantiated_when_the_set_resolves(corolla_plugins, make_app):
    corolla_plugins.add("healthy", body=HEALTHY)

    app = make_app()

    assert module_of("healthy").Plugin.instances == [app.plugins["healthy"], "started"]


# -- filtering: allowlist, denylist, environment -----------------------------------------------------


@pytest.fixture
def trio(corolla_plugins):
    for name in ("alpha", "beta", "gamma"):
        corolla_plugins.add(name)
    return corolla_plugins


@pytest.mark.parametrize(
    ("kwargs", "order", "reason"),
    [
        ({}, ("alpha", "beta", "gamma"), None),
        ({"plugins": ["gamma", "alpha"]}, ("alpha", "gamma"), "not in the allowlist (App(plugins=...))"),
        (
            {"config": {"plugins": {"enabled": ["alpha", "gamma"]}}},
            ("alpha", "gamma"),
            "not in the allowlist ([plugins] enabled (App(config=...)))",
        ),
        (
            {"config": {"plugins": {"disabled": ["beta"]}}},
            ("alpha", "gamma"),
            "disabled by [plugins] disabled (App(config=...))",
        ),
        ({"environ": {"COROLLA_DISABLE_PLUGINS": "beta"}}, ("alpha", "gamma"), "disabled by COROLLA_DISABLE_PLUGINS"),
        (
            {"environ": {"COROLLA_PLUGINS": " alpha, gamma "}},
            ("alpha", "gamma"),
            "not in the allowlist (COROLLA_PLUGINS)",
        ),
        (
            # The environment narrows the app's own pin (it can never widen it: test_manifest_discovery).
            {"plugins": ["alpha", "beta", "gamma"], "environ": {"COROLLA_PLUGINS": "alpha,gamma"}},
            ("alpha", "gamma"),
            "not in the allowlist (COROLLA_PLUGINS (narrowing App(plugins=...)))",
        ),
        (
            {"config": {"plugins": {"enabled": ["beta"]}}, "plugins": ["alpha", "gamma"]},
            ("alpha", "gamma"),
            "not in the allowlist (App(plugins=...))",
        ),
        (
            {"plugins": ["alpha", "beta", "gamma"], "environ": {"COROLLA_DISABLE_PLUGINS": "beta"}},
            ("alpha", "gamma"),
            "disabled by COROLLA_DISABLE_PLUGINS",
        ),
    ],
    ids=[
        "autoload",
        "App-plugins",
        "config-enabled",
        "config-disabled",
        "env-disable",
        "env-plugins",
        "env-plugins-narrows-App",
        "App-wins-over-config",
        "denylist-wins-over-allowlist",
    ],
)
def test_filtering(trio, make_app, kwargs, order, reason):
    app = make_app(**kwargs)

    assert app.resolution.order == order
    assert tuple(app.plugins) == order
    if reason is not None:
        beta = app.resolution.decisions["beta"]
        assert (beta.status, beta.reason, beta.position) == ("disabled", reason, None)


def test_empty_env_allowlist_loads_nothing(trio, make_app):
    app = make_app(environ={"COROLLA_PLUGINS": ""})

    assert app.resolution.order == ()
    assert {d.status for d in app.resolution.decisions.values()} == {"disabled"}


@pytest.mark.parametrize(
    ("kwargs"),
    [
        {"plugins": ["fine"]},
        {"config": {"plugins": {"enabled": ["fine"]}}},
        {"config": {"plugins": {"disabled": ["bomb"]}}},
        {"environ": {"COROLLA_PLUGINS": "fine"}},
        {"environ": {"COROLLA_DISABLE_PLUGINS": "bomb,other"}},
    ],
    ids=["App-plugins", "config-enabled", "config-disabled", "env-plugins", "env-disable"],
)
def test_disabled_plugin_is_never_imported(corolla_plugins, make_app, kwargs):
    corolla_plugins.add("bomb", source="raise SystemExit('imported although disabled')")
    corolla_plugins.add("fine")

    app = make_app(**kwargs)

    assert app.resolution.order == ("fine",)
    assert "synth_corolla_bomb" not in sys.modules
    assert app.resolution.decisions["bomb"].record.declaration is None
    # And the same module does break an app that selects it.
    assert only(failing(make_app), "import").plugin == "bomb"


# -- optional (operator-marked) plugins ---------------------------------------------------------------


def test_broken_optional_plugin_is_skipped_with_a_warning(corolla_plugins, make_app, caplog):
    corolla_plugins.add("metrics", version="0.7", source="raise RuntimeError('no statsd')")
    corolla_plugins.add("fine")

    with caplog.at_level(logging.WARNING, logger="corolla"):
        app = make_app(config={"plugins": {"optional": ["metrics"]}})

    assert app.resolution.order == ("fine",)
    skipped = app.resolution.decisions["metrics"]
    assert skipped.status == "optional-skipped"
    assert "RuntimeError: no statsd" in skipped.reason
    assert [w.kind for w in app.resolution.warnings] == ["import"]
    [record] = [r for r in caplog.records if r.name == "corolla"]
    assert record.levelno == logging.WARNING
    assert "plugin 'metrics' (corolla-metrics 0.7) failed to import" in record.getMessage()
    assert "fix: " in record.getMessage()


def test_optional_plugin_that_loads_is_loaded(corolla_plugins, make_app, caplog):
    corolla_plugins.add("metrics")

    with caplog.at_level(logging.WARNING, logger="corolla"):
        app = make_app(environ={"COROLLA_PLUGINS__OPTIONAL": "metrics"})

    assert app.resolution.decisions["metrics"].status == "enabled"
    assert caplog.records == []


@pytest.mark.parametrize(
    ("broken", "hint"),
    [
        ({"source": "raise RuntimeError('no statsd')"}, "import"),
        ({"requires_dist": ["corolla>=9"]}, "core-version"),
        ({"requires": ["statsd-client"]}, "missing"),
    ],
)
def test_optional_skip_cascades_to_optional_dependents(corolla_plugins, make_app, caplog, broken, hint):
    corolla_plugins.add("metrics", **broken)
    corolla_plugins.add("dashboard", requires=["metrics"])
    corolla_plugins.add("alerts", requires=["dashboard>=1"])
    corolla_plugins.add("fine")

    with caplog.at_level(logging.WARNING, logger="corolla"):
        app = make_app(config={"plugins": {"optional": ["metrics", "dashboard", "alerts"]}})

    assert app.resolution.order == ("fine",)
    statuses = {n: d.status for n, d in app.resolution.decisions.items()}
    assert statuses == {
        "alerts": "optional-skipped",
        "dashboard": "optional-skipped",
        "metrics": "optional-skipped",
        "fine": "enabled",
    }
    assert [w.kind for w in app.resolution.warnings] == [hint, "missing", "missing"]
    assert "requires 'metrics'" in app.resolution.decisions["dashboard"].reason
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 3


def test_non_optional_dependent_of_a_skipped_optional_plugin_is_an_error(corolla_plugins, make_app):
    corolla_plugins.add("metrics", source="raise RuntimeError('no statsd')")
    corolla_plugins.add("dashboard", requires=["metrics"])

    problem = only(failing(make_app, config={"plugins": {"optional": ["metrics"]}}), "missing")

    assert problem.plugin == "dashboard"
    assert "'metrics' (corolla-metrics 1.0) provides it but is optional-skipped" in problem.message
    assert problem.fix == "fix 'metrics' so that it loads (see its warning)"


# -- optional integrations (the plugin's own ``optional``) ---------------------------------------------


def test_optional_integration_present_is_ordered_after(corolla_plugins, make_app):
    corolla_plugins.add("aaa-forms", optional=["templates"])
    corolla_plugins.add("templates")

    app = make_app()

    assert app.resolution.order == ("templates", "aaa-forms")
    assert ("aaa-forms", "optional") in app.resolution.dependents("templates")
    assert app.resolution.decisions["aaa-forms"].satisfied_by == {}


def test_optional_integration_through_a_capability(corolla_plugins, make_app):
    corolla_plugins.add("aaa-forms", optional=["Templates"])
    corolla_plugins.add("jinja", provides=["templates"])

    assert make_app().resolution.order == ("jinja", "aaa-forms")


def test_optional_integration_absent_is_no_error(corolla_plugins, make_app):
    corolla_plugins.add("forms", optional=["templates"], after=["i18n"], before=["zzz"])

    app = make_app()

    assert app.resolution.order == ("forms",)
    assert app.resolution.edges == ()


def test_optional_integration_disabled_is_no_error(corolla_plugins, make_app):
    corolla_plugins.add("forms", optional=["templates"])
    corolla_plugins.add("templates")

    assert make_app(environ={"COROLLA_DISABLE_PLUGINS": "templates"}).resolution.order == ("forms",)


# -- ordering and determinism ---------------------------------------------------------------------------


def test_order_is_topological_by_requirements(corolla_plugins, make_app):
    corolla_plugins.add("a-views", requires=["b-routing", "c-orm"])
    corolla_plugins.add("b-routing")
    corolla_plugins.add("c-orm", requires=["d-sessions"])
    corolla_plugins.add("d-sessions")

    app = make_app()

    assert app.resolution.order == ("b-routing", "d-sessions", "c-orm", "a-views")
    positions = {n: d.position for n, d in app.resolution.decisions.items()}
    assert positions == {"b-routing": 0, "d-sessions": 1, "c-orm": 2, "a-views": 3}
    assert (
        app.resolution.decisions["c-orm"].reason
        == "loaded at position 2; requires d-sessions (satisfied by 'd-sessions')"
    )


def test_order_follows_before_and_after_hints(corolla_plugins, make_app):
    corolla_plugins.add("a", after=["c"])
    corolla_plugins.add("b")
    corolla_plugins.add("c")
    corolla_plugins.add("z", before=["b"])

    app = make_app()

    assert app.resolution.order == ("c", "a", "z", "b")
    kinds = {(e.source, e.target): e.kind for e in app.resolution.edges}
    assert kinds == {("c", "a"): "after", ("z", "b"): "before"}


def test_ties_are_broken_by_name(corolla_plugins, make_app):
    for name in ("delta", "alpha", "charlie", "bravo"):
        corolla_plugins.add(name)
    corolla_plugins.add("echo", requires=["delta"])

    assert make_app().resolution.order == ("alpha", "bravo", "charlie", "delta", "echo")


SET = [
    ("web", {"requires": ["routing>=1", "sessions"], "optional": ["templates"]}),
    ("routing", {"version": "1.4"}),
    ("redis-sessions", {"provides": ["sessions==0.3"], "after": ["routing"]}),
    ("templates", {"before": ["routing"]}),
    ("metrics", {}),
    ("admin", {"requires": ["web"], "after": ["metrics"]}),
]
EXPECTED = ("metrics", "templates", "routing", "redis-sessions", "web", "admin")


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_order_does_not_depend_on_creation_order(corolla_plugins, make_app, seed):
    plugins = list(SET)
    random.Random(seed).shuffle(plugins)
    for name, declaration in plugins:
        corolla_plugins.add(name, **declaration)

    first = make_app()
    second = make_app()

    assert first.resolution.order == EXPECTED
    assert second.resolution.order == EXPECTED
    assert first.resolution.edges == second.resolution.edges
    assert list(first.resolution.decisions) == sorted(name for name, _ in SET)


def test_pure_resolution_does_not_depend_on_record_order(corolla_plugins):
    for name, declaration in SET:
        corolla_plugins.add(name, **declaration)
    records = [load_declaration(r) for r in discover(corolla_plugins.path)]

    results = []
    for seed in range(5):
        shuffled = list(records)
        random.Random(seed).shuffle(shuffled)
        results.append(resolve(shuffled, None, CORE))

    assert {r.order for r in results} == {EXPECTED}
    assert len({r.edges for r in results}) == 1
    assert len({tuple((n, d.reason) for n, d in r.decisions.items()) for r in results}) == 1


# -- the pure function ------------------------------------------------------------------------------------


def test_resolve_returns_a_resolution(corolla_plugins):
    corolla_plugins.add("sessions", version="0.3")
    corolla_plugins.add("forms", requires=["sessions>=0.2"], optional=["templates"])
    corolla_plugins.add("templates", request_attributes=["render"])
    corolla_plugins.add("off")

    result = pure(corolla_plugins, Selection(disabled={"off": "a test"}))

    assert isinstance(result, Resolution)
    assert result.ok and result.problems == () and result.warnings == ()
    assert result.core_version == CORE
    assert result.order == ("sessions", "templates", "forms")
    assert result.edges == (
        Edge("sessions", "forms", "requires", "sessions>=0.2"),
        Edge("templates", "forms", "optional", "templates"),
    )
    assert result.decisions["off"].status == "disabled"
    assert result.decisions["off"].reason == "disabled by a test"
    assert result.decisions["forms"].as_dict() == {
        "name": "forms",
        "version": "1.0",
        "distribution": "corolla-forms",
        "status": "enabled",
        "reason": "loaded at position 2; requires sessions>=0.2 (satisfied by 'sessions')",
        "position": 2,
        "provides": ["forms"],
        "requires": ["sessions>=0.2"],
        "manifest": False,
    }
    assert result.dependents("sessions") == [("forms", "requires")]


def test_resolve_does_not_import(corolla_plugins):
    corolla_plugins.add("lazy-plugin", source="raise RuntimeError('imported by resolve')")
    records = discover(corolla_plugins.path)

    result = resolve(records, None, CORE)

    assert "synth_corolla_lazy_plugin" not in sys.modules
    problem = only(list(result.problems), "import")
    assert problem.message == "plugin 'lazy-plugin' (corolla-lazy-plugin 1.0) was not loaded"
    # The same record, loaded, gets the real error: resolve only reads what it is given.
    loaded = resolve([load_declaration(r) for r in records], None, CORE)
    assert "RuntimeError: imported by resolve" in loaded.problems[0].message


def test_resolve_checks_its_core_version():
    with pytest.raises(ValueError, match="core_version 'latest' is not a PEP 440 version"):
        resolve([], None, "latest")
    assert resolve([]).core_version == CORE


def _record(name: str, version: str = "1.0", **declaration) -> PluginRecord:
    decl = Declaration(
        requires=tuple(Requirement(r) for r in declaration.pop("requires", ())),
        provides={k: (Version(v) if v else None) for k, v in declaration.pop("provides", {}).items()},
        core=SpecifierSet(declaration.pop("core", "")),
        **declaration,
    )
    return PluginRecord(name, f"corolla-{name}", version, f"m_{name}:Plugin", declaration=decl, plugin_class=Plugin)


def test_resolve_500_in_memory_records():
    # A layered graph: p<i> requires its two predecessors in the previous layer of 10,
    # every tenth plugin provides a capability a later one needs, and hints mix in.
    records = []
    for i in range(500):
        layer, slot = divmod(i, 10)
        requires = [f"p{(layer - 1) * 10 + (slot + k) % 10:03d}>=1" for k in (0, 3)] if layer else []
        if layer and slot == 0:
            requires.append(f"cap{layer - 1}==2.0")
        records.append(
            _record(
                f"p{i:03d}",
                requires=requires,
                provides={f"cap{layer}": "2.0"} if slot == 5 else {},
                after=(f"p{i - 1:03d}",) if slot == 9 else (),
                before=(f"p{i + 1:03d}",) if slot == 7 else (),
            )
        )
    records.append(_record("zz-off", requires=["nothing-provides-this"]))
    shuffled = list(records)
    random.Random(7).shuffle(shuffled)

    result = resolve(shuffled, Selection(disabled={"zz-off": "the test"}), CORE)

    assert result.ok, result.problems[:3]
    assert len(result.order) == 500
    assert sorted(result.order) == [f"p{i:03d}" for i in range(500)]
    position = {name: i for i, name in enumerate(result.order)}
    assert len(result.edges) > 1000
    for edge in result.edges:
        assert position[edge.source] < position[edge.target], edge
    assert result.decisions["p250"].satisfied_by == {
        "p240>=1": "p240",
        "p243>=1": "p243",
        "cap24==2.0": "p245",
    }
    assert result.decisions["zz-off"].status == "disabled"
    assert resolve(list(reversed(records)), Selection(disabled={"zz-off": "the test"}), CORE).order == result.order


def test_resolve_500_in_memory_records_reports_every_problem():
    records = [_record(f"p{i:03d}", requires=[f"missing{i}"] if i % 50 == 0 else []) for i in range(500)]

    result = resolve(records, None, CORE)

    assert result.order == ()
    assert [p.plugin for p in result.problems] == [f"p{i:03d}" for i in range(0, 500, 50)]
    assert {p.kind for p in result.problems} == {"missing"}
    assert sum(d.status == "refused" for d in result.decisions.values()) == 500


# -- operator-optional plugins and problems between plugins -------------------------------

ATTRIBUTE_HOOK = """
@hookimpl
def corolla_request_attributes(self, app):
    return {"session": lambda request: {}}
"""


@pytest.mark.parametrize(
    ("b", "kind"),
    [
        ({"conflicts": ["a"]}, "conflict"),
        ({"provides": ["a"]}, "capability-conflict"),
        ({"request_attributes": ["session"]}, "attribute-clash"),
    ],
)
def test_optional_plugin_in_a_problem_between_plugins_is_skipped(corolla_plugins, make_app, b, kind):
    corolla_plugins.add("a", request_attributes=["session"], body=ATTRIBUTE_HOOK)
    corolla_plugins.add("b", **b)

    app = make_app(config={"plugins": {"optional": ["b"]}})

    assert app.resolution.order == ("a",)
    assert app.resolution.decisions["b"].status == "optional-skipped"
    assert [w.kind for w in app.resolution.warnings] == [kind]


def test_optional_plugin_with_a_duplicate_name_is_skipped(corolla_plugins, make_app):
    corolla_plugins.add("a")
    corolla_plugins.add("b", distribution="corolla-b")
    corolla_plugins.add("b", distribution="acme-b", module="acme_b")

    app = make_app(config={"plugins": {"optional": ["b"]}})

    assert app.resolution.order == ("a",)
    assert app.resolution.decisions["b"].status == "optional-skipped"
    assert [w.kind for w in app.resolution.warnings] == ["duplicate"]


def test_absent_optional_plugin_in_the_allowlist_only_warns(corolla_plugins, make_app):
    corolla_plugins.add("a")

    app = make_app(["a", "extras"], config={"plugins": {"optional": ["extras"]}})

    assert app.resolution.order == ("a",)
    assert [(w.kind, w.plugin) for w in app.resolution.warnings] == [("unknown-plugin", "extras")]


# -- names ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Core", "PLUGINS", "Corolla"])
def test_names_taking_a_reserved_environment_prefix_are_refused(corolla_plugins, make_app, name):
    corolla_plugins.add(name, distribution="acme-thing")

    problem = only(failing(make_app), "invalid-declaration")

    assert f"uses the reserved name {name!r}" in problem.message


def test_two_plugins_sharing_an_environment_prefix_are_a_problem(corolla_plugins, make_app):
    corolla_plugins.add("a-b")
    corolla_plugins.add("a_b", distribution="corolla-a-b2", module="a_b2")

    problems = failing(make_app)

    # (The two names are also one capability, which is reported too.)
    (problem,) = [p for p in problems if p.kind == "name-clash"]
    assert problem.message == (
        "'a-b' (corolla-a-b 1.0) and 'a_b' (corolla-a-b2 1.0) share the environment prefix COROLLA_A_B__"
    )


def test_disabled_namesake_does_not_take_the_environment_section(corolla_plugins, make_app):
    corolla_plugins.add("a-b", settings={"level": "Setting(int, 1)"})
    corolla_plugins.add("a_b", distribution="corolla-a-b2", module="a_b2", settings={"level": "Setting(int, 2)"})

    for disabled, enabled in (("a_b", "a-b"), ("a-b", "a_b")):
        app = make_app(environ={"COROLLA_DISABLE_PLUGINS": disabled, "COROLLA_A_B__LEVEL": "7"})
        assert app.config[enabled]["level"] == 7


# -- declarations that are refused ------------------------------------------------------------


@pytest.mark.parametrize(
    ("declaration", "message"),
    [
        ({"requires": ["sessions>=0.2; python_version < '3'"]}, "may not carry markers, extras or URLs"),
        ({"requires": ["sessions[redis]>=0.2"]}, "may not carry markers, extras or URLs"),
        ({"conflicts": ["orm; os_name == 'nt'"]}, "may not carry markers, extras or URLs"),
        ({"requires": ["corolla>=0.1"]}, "names the core; declare the core range as core = '>=0.1'"),
        ({"optional": ["templates>=1"]}, "must be a plugin or capability name, without a version"),
        ({"after": ["a b"]}, "must be a plugin or capability name, without a version"),
        ({"request_attributes": ["__init__"]}, "must be a public Python identifier"),
        ({"app_attributes": ["not-an-identifier"]}, "must be a public Python identifier"),
        ({"app_attributes": ["class"]}, "must be a public Python identifier"),
    ],
)
def test_invalid_declarations_are_refused_with_the_reason(corolla_plugins, make_app, declaration, message):
    corolla_plugins.add("odd", **declaration)

    problem = only(failing(make_app), "invalid-declaration")

    assert message in problem.message
    assert problem.plugin == "odd"


# -- fixes for missing requirements -----------------------------------------------------------


def test_requirement_naming_a_distribution_says_to_name_the_plugin(corolla_plugins, make_app):
    corolla_plugins.add("forms", requires=["corolla-sessions>=0.2"])

    problem = only(failing(make_app), "missing")

    assert "requirements name plugins or capabilities ('sessions'), not distributions" in problem.message
    assert problem.fix == (
        "require 'sessions>=0.2' in corolla-forms, and if corolla-sessions is not installed:\n"
        'pip install "corolla-sessions>=0.2"'
    )


def test_missing_capability_mentions_disabled_plugins_that_might_provide_it(corolla_plugins, make_app):
    corolla_plugins.add("forms", requires=["sessions"])
    corolla_plugins.add("redis-store", provides=["sessions"])

    problem = only(failing(make_app, environ={"COROLLA_DISABLE_PLUGINS": "redis-store"}), "missing")

    assert problem.fix.endswith("\nif a disabled plugin (redis-store) provides it, enable that one instead")


def test_setting_whose_default_has_the_wrong_type_fails_at_import(corolla_plugins, make_app):
    corolla_plugins.add("odd", settings={"n": "Setting(int, 'abc')"})

    problem = only(failing(make_app), "import")

    assert "TypeError: Setting(int, 'abc'): the default is a str, not a int" in problem.message


def test_an_unknown_distribution_is_not_guessed(corolla_plugins, make_app):
    corolla_plugins.add("forms", requires=["base>=1.0"])

    problem = only(failing(make_app), "missing")

    assert "corolla-base" not in problem.fix  # anyone could register that name on the index
    assert problem.fix.startswith(
        "install the distribution that provides plugin 'base': corolla-forms does not name it in its dependencies"
    )
