"""The ``corolla.testing`` pytest plugin: ``SyntheticPlugins`` and the fixtures."""

from __future__ import annotations

import importlib
import importlib.metadata
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import corolla
from corolla import App, Setting
from corolla.testing import Client, SyntheticPlugins

MakeApp = Callable[..., App]


# -- SyntheticPlugins ----------------------------------------------------------


@pytest.fixture
def synthetic(tmp_path: Path) -> Iterator[SyntheticPlugins]:
    """A folder of our own, so the fixture's clean-up is not what is tested."""
    plugins = SyntheticPlugins(tmp_path / "site")
    plugins.activate()
    yield plugins
    plugins.deactivate()


def test_writes_metadata_importlib_reads(synthetic: SyntheticPlugins) -> None:
    module_file = synthetic.add(
        "sessions",
        version="0.3.2",
        requires=["cookies>=1"],
        requires_dist=["corolla>=0.1,<0.2", "itsdangerous>=2"],
        extra_entry_points={"console_scripts": {"sessions-gc": "synth_corolla_sessions:main"}},
    )
    assert module_file == synthetic.folder / "synth_corolla_sessions.py"
    assert module_file.is_file()
    dist = importlib.metadata.distribution("corolla-sessions")
    assert dist.metadata["Name"] == "corolla-sessions"
    assert dist.version == "0.3.2"
    assert dist.requires == ["corolla>=0.1,<0.2", "itsdangerous>=2"]
    (entry,) = dist.entry_points.select(group="corolla.plugins")
    assert (entry.name, entry.value) == ("sessions", "synth_corolla_sessions:Plugin")
    (script,) = dist.entry_points.select(group="console_scripts")
    assert script.value == "synth_corolla_sessions:main"
    assert dist.read_text("top_level.txt") == "synth_corolla_sessions\n"
    found = [d.metadata["Name"] for d in importlib.metadata.distributions(path=synthetic.path)]
    assert found == ["corolla-sessions"]


def test_default_requires_dist_is_the_core(synthetic: SyntheticPlugins) -> None:
    synthetic.add("plain")
    assert importlib.metadata.distribution("corolla-plain").requires == ["corolla"]


def test_the_declaration_becomes_class_attributes(synthetic: SyntheticPlugins) -> None:
    synthetic.add(
        "full",
        requires=["a>=1"],
        provides=["b==2"],
        optional=["c"],
        conflicts=["d<3"],
        before=["e"],
        after=["f"],
        core=">=0.1",
        app_attributes=["route"],
        request_attributes=["user"],
        settings={"backend": "Setting(str, 'cookie', choices=['cookie', 'redis'])"},
        body="""
        @hookimpl
        def corolla_startup(self, app):
            pass
        """,
    )
    plugin = importlib.import_module("synth_corolla_full").Plugin
    assert issubclass(plugin, corolla.Plugin)
    assert plugin.requires == ["a>=1"]
    assert plugin.provides == ["b==2"]
    assert plugin.optional == ["c"]
    assert plugin.conflicts == ["d<3"]
    assert plugin.before == ["e"]
    assert plugin.after == ["f"]
    assert plugin.core == ">=0.1"
    assert plugin.app_attributes == ["route"]
    assert plugin.request_attributes == ["user"]
    assert plugin.settings == {"backend": Setting(str, "cookie", choices=["cookie", "redis"])}
    assert plugin.corolla_startup.corolla_impl["optionalhook"] is False  # marked by corolla.hookimpl


def test_own_distribution_module_and_source(synthetic: SyntheticPlugins) -> None:
    synthetic.add(
        "thing",
        distribution="acme-thing",
        module="acme_thing",
        entry_point="acme_thing:ThingPlugin",
        source="""
        import corolla

        class ThingPlugin(corolla.Plugin):
            provides = ["widgets"]
        """,
    )
    dist = importlib.metadata.distribution("acme-thing")
    (entry,) = dist.entry_points.select(group="corolla.plugins")
    assert (entry.name, entry.value) == ("thing", "acme_thing:ThingPlugin")
    assert entry.load().provides == ["widgets"]
    assert (synthetic.folder / "acme_thing-1.0.dist-info").is_dir()


def test_the_plugins_discovered_by_an_app(synthetic: SyntheticPlugins, tmp_path: Path) -> None:
    synthetic.add("base", version="1.2")
    synthetic.add("top", requires=["base>=1.2"])
    with App(plugin_path=synthetic.path, root=tmp_path, environ={}) as app:
        assert list(app.resolution.order) == ["base", "top"]
        assert app.plugins["base"].record.version == "1.2"
        assert app.plugins["top"].record.distribution == "corolla-top"


def test_activate_is_idempotent_and_deactivate_forgets_everything(tmp_path: Path) -> None:
    plugins = SyntheticPlugins(tmp_path / "site")
    plugins.activate()
    plugins.activate()
    try:
        assert sys.path.count(str(plugins.folder)) == 1
        assert sys.path[0] == str(plugins.folder)
        plugins.add("gone")
        importlib.import_module("synth_corolla_gone")
        assert "synth_corolla_gone" in sys.modules
    finally:
        plugins.deactivate()
    assert str(plugins.folder) not in sys.path
    assert "synth_corolla_gone" not in sys.modules
    with pytest.raises(importlib.metadata.PackageNotFoundError):
        importlib.metadata.distribution("corolla-gone")
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("synth_corolla_gone")
    plugins.deactivate()  # idempotent


def test_redefining_a_plugin_in_a_later_test_is_not_stale(synthetic: SyntheticPlugins, tmp_path: Path) -> None:
    # What every test relies on: the same module name, fresh code, per folder.
    synthetic.add("same", body="answer = 1")
    assert importlib.import_module("synth_corolla_same").Plugin.answer == 1
    synthetic.deactivate()
    again = SyntheticPlugins(tmp_path / "again")
    again.activate()
    try:
        again.add("same", body="answer = 2")
        assert importlib.import_module("synth_corolla_same").Plugin.answer == 2
    finally:
        again.deactivate()


# -- make_app ------------------------------------------------------------------


def test_make_app_ignores_the_developers_environment(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    corolla_plugins.add("one")
    corolla_plugins.add("two")
    monkeypatch.setenv("COROLLA_CORE__DEBUG", "1")
    monkeypatch.setenv("COROLLA_PLUGINS", "one")
    monkeypatch.setenv("COROLLA_CORE__SECRET_KEY", "leaked")
    app = make_app()
    assert app.debug is False
    assert list(app.resolution.order) == ["one", "two"]
    assert app.config["core"]["secret_key"] is None
    # ...unless the test passes an environment on purpose.
    app = make_app(environ={"COROLLA_CORE__DEBUG": "1", "COROLLA_PLUGINS": "two"})
    assert app.debug is True
    assert list(app.resolution.order) == ["two"]


def test_make_app_is_isolated_from_installed_plugins(corolla_plugins: SyntheticPlugins, make_app: MakeApp) -> None:
    installed = {ep.name for ep in importlib.metadata.entry_points(group="corolla.plugins")}
    corolla_plugins.add("mine")
    assert {d.name for d in make_app().resolution.decisions.values()} == {"mine"}
    if installed - {"mine"}:  # the in-repo demo plugin, when the workspace is installed
        seen = {d.name for d in make_app(isolated=False).resolution.decisions.values()}
        assert seen == installed | {"mine"}


def test_make_app_allowlist_config_and_root(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp, tmp_path: Path
) -> None:
    corolla_plugins.add("one", settings={"word": "Setting(str, 'x')"})
    corolla_plugins.add("two")
    app = make_app(["one"], {"one": {"word": "y"}}, root=tmp_path)
    assert list(app.resolution.order) == ["one"]
    assert app.config["one"]["word"] == "y"
    assert app.root == tmp_path.resolve()
    a, b = make_app(), make_app()
    assert a.root != b.root  # each app gets a fresh temporary root
    assert Path(a.root).is_dir()


def test_make_app_wraps_an_app_factory(corolla_plugins: SyntheticPlugins, make_app: MakeApp, tmp_path: Path) -> None:
    corolla_plugins.add("one", settings={"word": "Setting(str, 'x')"})
    project = tmp_path / "project"
    project.mkdir()
    made: list[App] = []

    def create_app(config: dict[str, object] | None = None) -> App:
        app = App(config, root=project, plugin_path=corolla_plugins.path, environ={})
        made.append(app)
        return app

    app = make_app(config={"one": {"word": "y"}}, factory=create_app)
    assert made == [app]
    assert app.root == project.resolve()
    assert app.config["one"]["word"] == "y"
    # The instance folder (the development key, SQLite files) is a temporary one, not the project's.
    assert not app.instance_path.is_relative_to(project)
    assert app.secret_key and not (project / "instance").exists()
    own = make_app(config={"core": {"instance_path": str(tmp_path / "mine")}}, factory=create_app)
    assert own.instance_path == tmp_path / "mine"
    with pytest.raises(TypeError, match=r"make_app\(factory=...\): .* returned None, not a corolla.App"):
        make_app(factory=lambda config: None)


# -- client, with an app fixture defined here ----------------------------------


@pytest.fixture
def app(corolla_plugins: SyntheticPlugins, make_app: MakeApp) -> App:
    corolla_plugins.add(
        "echo",
        body="""
        @hookimpl
        def corolla_dispatch(self, request):
            return {"method": request.method, "path": request.path}
        """,
    )
    return make_app()


def test_client_wraps_the_app_fixture(client: Client, app: App) -> None:
    assert isinstance(client, Client)
    assert client.application is app
    assert client.post("/x").json == {"method": "POST", "path": "/x"}


def test_request_context_runs_after_response_callbacks_and_teardown(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp
) -> None:
    # A plugin setting a cookie the way session plugins do: an after_response
    # callback registered on first use; teardown records what it saw.
    corolla_plugins.add(
        "jar",
        request_attributes=["jar"],
        body="""
        seen = []

        @hookimpl
        def corolla_request_attributes(self, app):
            def jar(request):
                box = {"value": request.cookies.get("jar", "")}
                request.after_response(lambda request, response: response.set_cookie("jar", box["value"]))
                return box
            return {"jar": jar}

        @hookimpl
        def corolla_dispatch(self, request):
            return "jar=" + request.jar["value"]

        @hookimpl
        def corolla_teardown(self, request, exception):
            type(self).seen.append((request.path, type(exception).__name__))
        """,
    )
    app = make_app()
    client = app.test_client()
    with client.request_context("/somewhere") as request:
        assert request.path == "/somewhere"
        request.jar["value"] = "cookies"  # type: ignore[attr-defined]
    assert client.get("/").text == "jar=cookies"
    with pytest.raises(ValueError), client.request_context() as request:
        request.jar["value"] = "lost"  # type: ignore[attr-defined]
        raise ValueError
    assert client.get("/").text == "jar=cookies"
    seen = type(app.plugins["jar"]).seen  # type: ignore[attr-defined]
    assert seen == [("/somewhere", "NoneType"), ("/", "NoneType"), ("/", "ValueError"), ("/", "NoneType")]


def test_session_transaction_without_a_session_plugin_says_what_to_install(app: App) -> None:
    with (
        pytest.raises(RuntimeError, match="no loaded plugin adds request.session"),
        app.test_client().session_transaction(),
    ):
        pass


def test_last_request_outside_with_client_says_how(client: Client) -> None:
    client.get("/a")
    with pytest.raises(RuntimeError, match="only inside `with client:`"):
        client.last_request  # noqa: B018
    with client:
        with pytest.raises(RuntimeError, match="no request was made"):
            client.last_request  # noqa: B018
        client.get("/b")
        assert client.last_request.path == "/b"


# -- the plugin as a pytest user sees it ---------------------------------------


def test_fixtures_in_a_fresh_pytest_session(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_user='''
        import pytest
        from corolla_test_journal_inner import calls

        @pytest.fixture
        def app(corolla_plugins, make_app):
            corolla_plugins.add("hi", body="""
                @hookimpl
                def corolla_dispatch(self, request):
                    return "hi " + request.path

                @hookimpl
                def corolla_shutdown(self, app):
                    from corolla_test_journal_inner import calls
                    calls.append("closed")
            """)
            return make_app()

        def test_serves(client):
            assert client.get("/there").text == "hi /there"
            assert calls == []

        def test_closed_after_the_test():
            assert calls == ["closed"]
        '''
    )
    pytester.makepyfile(corolla_test_journal_inner="calls = []")
    pytester.syspathinsert()
    try:
        # No conftest: the fixtures come from the pytest11 entry point alone.
        result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    finally:
        sys.modules.pop("corolla_test_journal_inner", None)
    result.assert_outcomes(passed=2)


def test_pytest11_entry_point_is_installed() -> None:
    (entry,) = [ep for ep in importlib.metadata.entry_points(group="pytest11") if ep.name == "corolla"]
    assert entry.value == "corolla.testing"
    assert entry.dist is not None and entry.dist.metadata["Name"] == "corolla"


def test_adding_a_distribution_again_replaces_it(corolla_plugins: SyntheticPlugins, make_app: MakeApp) -> None:
    corolla_plugins.add("a", version="1.0")
    corolla_plugins.add("b")
    assert make_app().resolution.decisions["a"].record.declaration.requires == ()

    corolla_plugins.add("a", version="2.0", requires=["b"])

    app = make_app()
    record = app.resolution.decisions["a"].record
    assert record.version == "2.0"
    assert [str(r) for r in record.declaration.requires] == ["b"]
    assert len(list(corolla_plugins.folder.glob("corolla_a-*.dist-info"))) == 1


class RealClassPlugin(corolla.Plugin):
    """A plugin written as a real class in the test, added with ``add(name, plugin=...)``."""

    requires = ["base"]
    settings = {"greeting": corolla.Setting(str, "hi")}

    @corolla.hookimpl
    def corolla_dispatch(self, request: corolla.Request) -> str:
        return f"{self.config['greeting']} from {self.name}"


def test_synthetic_plugins_take_a_real_class(corolla_plugins: SyntheticPlugins, make_app: Callable[..., App]) -> None:
    corolla_plugins.add("base")
    corolla_plugins.add("real", version="2.1", plugin=RealClassPlugin)
    app = make_app(config={"real": {"greeting": "hello"}})
    assert list(app.resolution.order) == ["base", "real"]
    assert app.resolution.decisions["real"].record.version == "2.1"
    assert type(app.plugins["real"]) is RealClassPlugin
    assert Client(app).get("/").text == "hello from real"


def test_a_real_class_brings_its_own_declaration(corolla_plugins: SyntheticPlugins) -> None:
    with pytest.raises(TypeError, match="takes the declaration from the class"):
        corolla_plugins.add("real", plugin=RealClassPlugin, requires=["other"])
