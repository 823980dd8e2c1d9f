"""The plugin as the manager sees it: config, backends from other plugins, deploy checks, templates, imports."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from werkzeug.test import Client

import corolla
import corolla_sessions
from corolla import ConfigError, PluginError


def counter(request):
    session = request.session
    session["n"] = session.get("n", 0) + 1
    return f"n={session['n']}"


def plain(request):
    return "plain"


COUNTING_BACKEND = """
@hookimpl
def corolla_session_backends(self, app):
    from corolla_sessions import CookieBackend

    calls = self.calls = []

    class Counting(CookieBackend):
        def load(self, value):
            calls.append("load")
            return super().load(value)

        def save(self, session, max_age):
            calls.append("save")
            return super().save(session, max_age)

    return {"counting": Counting}

@hookimpl
def corolla_app_attributes(self, app):
    return {"backend_calls": self}
"""


@pytest.fixture
def counting(corolla_plugins):
    corolla_plugins.add("counting", requires=["sessions"], app_attributes=["backend_calls"], body=COUNTING_BACKEND)


def test_third_party_backend_and_the_lazy_path(sessions_app, counting):
    app = sessions_app(
        views={"/count": counter, "/plain": plain}, sessions={"backend": "counting"}, plugins=["counting"]
    )
    calls = app.backend_calls
    client = Client(app)
    client.get("/count")
    assert calls.calls == ["save"]  # a new visitor: nothing to load
    response = client.get("/plain")
    assert calls.calls == ["save"]  # untouched: no backend call, no cookie, no Vary
    assert "Set-Cookie" not in response.headers and "Vary" not in response.headers
    assert client.get("/count").text == "n=2"
    assert calls.calls == ["save", "load", "save"]


def test_the_same_backend_name_twice_is_an_error(sessions_app, corolla_plugins):
    corolla_plugins.add(
        "dup",
        requires=["sessions"],
        body="""
        @hookimpl
        def corolla_session_backends(self, app):
            from corolla_sessions import CookieBackend
            return {"cookie": CookieBackend}
    """,
    )
    with pytest.raises(PluginError, match="'cookie' is offered by plugins 'sessions' and 'dup'"):
        sessions_app(plugins=["dup"])


def test_backend_hook_must_return_a_mapping(sessions_app, corolla_plugins):
    corolla_plugins.add(
        "wrong",
        requires=["sessions"],
        body="""
        @hookimpl
        def corolla_session_backends(self, app):
            return ["cookie"]
    """,
    )
    with pytest.raises(PluginError, match="not a mapping") as info:
        sessions_app(plugins=["wrong"])
    assert info.value.plugin == "wrong"


def test_a_raising_backend_hook_is_named_not_sessions(sessions_app, corolla_plugins):
    corolla_plugins.add(
        "fragile",
        requires=["sessions"],
        body="""
        @hookimpl
        def corolla_session_backends(self):
            raise RuntimeError("no backends today")
    """,
    )
    with pytest.raises(
        PluginError, match=r"^plugin 'fragile' \(corolla-fragile 1.0\) failed in corolla_session_backends"
    ):
        sessions_app(plugins=["fragile"])


def test_unknown_backend_is_a_config_error_listing_the_choices(sessions_app):
    with pytest.raises(PluginError, match="plugin 'sessions'") as info:
        sessions_app(sessions={"backend": "memcached"})
    assert isinstance(info.value.__cause__, ConfigError)
    [problem] = info.value.__cause__.problems
    assert problem.kind == "unknown-backend" and "cookie, redis" in problem.fix


def test_sql_backend_without_the_orm_plugin_says_what_to_install(sessions_app):
    with pytest.raises(PluginError, match="pip install corolla-orm"):
        sessions_app(sessions={"backend": "sql"})


@pytest.mark.parametrize(
    ("settings", "match"),
    [
        ({"max_age": 0}, "max_age = 0: must be positive"),
        ({"cookie_name": "my session"}, "not a valid cookie name"),
        ({"cookie_path": "/; Secure=no"}, "would break the Set-Cookie header"),
        ({"cookie_domain": "a.org\r\nX: y"}, "would break the Set-Cookie header"),
        ({"cookie_samesite": "lax"}, "expected one of 'Lax', 'Strict', 'None'"),
        ({"cookie_secur": True}, "did you mean 'cookie_secure'"),
    ],
)
def test_bad_settings_are_config_errors(sessions_app, settings, match):
    # the core checks types and choices, the settings' own checks the rest: all while planning
    with pytest.raises(ConfigError, match=match):
        sessions_app(sessions=settings)


def test_settings_from_the_environment(sessions_app):
    app = sessions_app(views={"/count": counter}, environ={"COROLLA_SESSIONS__COOKIE_NAME": "sid"})
    assert Client(app).get("/count").headers["Set-Cookie"].startswith("sid=")


def checks(app):
    return {c.id: c for c in app.plugins["sessions"].corolla_deploy_checks(app)}


def test_deploy_checks_pass_on_a_production_config(sessions_app):
    found = checks(sessions_app(sessions={"cookie_secure": True}))
    assert all(c.ok for c in found.values()), found
    assert set(found) == {"sessions.cookie_secure", "sessions.cookie_httponly", "sessions.cookie_samesite"}


def test_deploy_checks_fail_on_development_defaults(sessions_app, tmp_path):
    app = sessions_app(core={"secret_key": None}, sessions={"cookie_samesite": "None", "cookie_httponly": False})
    found = checks(app)
    assert not found["sessions.cookie_secure"].ok and "cookie_secure = true" in found["sessions.cookie_secure"].fix
    assert not found["sessions.cookie_httponly"].ok
    assert not found["sessions.cookie_samesite"].ok
    assert "SameSite=None" in found["sessions.cookie_samesite"].message


def test_the_secret_key_is_the_cores_check_alone(sessions_app):
    # One problem, one report: core.secret_key covers the key cookie sessions are signed with.
    app = sessions_app(core={"secret_key": None})
    assert not [c for c in checks(app).values() if "secret key" in c.message]


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("redis://127.0.0.1:6379/0", True),
        ("redis://localhost:6379/0", True),
        ("rediss://:pw@10.0.0.5:6380/0", True),
        ("redis://10.0.0.5:6379/0", False),
        ("redis://:pw@10.0.0.5:6379/0", False),
        ("rediss://10.0.0.5:6380/0", False),
    ],
)
def test_redis_on_the_network_needs_a_password_and_tls(sessions_app, url, ok):
    check = checks(sessions_app(sessions={"backend": "redis", "redis_url": url}))["sessions.redis_security"]
    assert check.ok is ok
    assert "pw" not in check.message


def test_development_key_signs_cookies(sessions_app):
    """Without [core] secret_key, the instance folder's key is made on the first session use, not at start-up."""
    app = sessions_app(views={"/count": counter, "/plain": plain}, core={"secret_key": None})
    client = Client(app)
    client.get("/plain")
    assert not (app.instance_path / "secret_key").exists()
    client.get("/count")
    assert (app.instance_path / "secret_key").exists()
    assert client.get("/count").text == "n=2"


TEMPLATES_SPEC = '''
import corolla
from corolla import hookimpl, hookspec


class Specs:
    @staticmethod
    @hookspec
    def corolla_template_context(request):
        """The context hook the templates plugin declares."""


class Plugin(corolla.Plugin):
    optional = ["sessions"]
    hookspecs = Specs
    app_attributes = ["template_context"]

    @hookimpl
    def corolla_app_attributes(self, app):
        def context(request):
            merged = {}
            for part in app.plugin_manager.hook.corolla_template_context(request=request):
                merged.update(part or {})
            return merged
        return {"template_context": context}
'''


def test_template_context_is_lazy(sessions_app, corolla_plugins):
    corolla_plugins.add("fake-templates", source=TEMPLATES_SPEC)
    seen = {}

    def page(request):
        context = request.app.template_context(request)
        seen["loaded_before"] = request.touched("session")
        seen["repr"] = repr(context["session"])
        seen["n"] = context["session"].get("n")
        seen["in"] = "n" in context["session"]
        seen["loaded_after"] = request.touched("session")
        seen["messages"] = context["get_flashed_messages"](with_categories=True)
        return "page"

    def post(request):
        corolla_sessions.flash(request, "hello", "info")
        return counter(request)

    app = sessions_app(views={"/post": post, "/page": page}, plugins=["fake-templates"])
    assert app.template_context(None) == {}
    client = Client(app)
    client.get("/post")
    client.get("/page")
    assert seen == {
        "loaded_before": False,
        "repr": "<SessionView (not loaded)>",
        "n": 1,
        "in": True,
        "loaded_after": True,
        "messages": [("info", "hello")],
    }


def test_importing_the_plugin_is_light():
    code = (
        "import sys, corolla_sessions\n"
        "heavy = [m for m in ('redis', 'sqlalchemy', 'jinja2', 'click') if m in sys.modules]\n"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_init_only_reexports_with_a_sorted_all():
    init = Path(corolla_sessions.__file__)
    tree = ast.parse(init.read_text())
    assert ast.get_docstring(tree)
    for node in tree.body[1:]:
        assert isinstance(node, (ast.ImportFrom, ast.Assign)), ast.dump(node)
        if isinstance(node, ast.ImportFrom):
            assert node.level == 1
    assert corolla_sessions.__all__ == sorted(corolla_sessions.__all__, key=lambda n: (not n[:1].isupper(), n))
    for name in corolla_sessions.__all__:
        assert getattr(corolla_sessions, name).__module__.startswith("corolla_sessions")


def test_the_guide_lists_every_setting_and_deploy_check(sessions_app):
    guide = (Path(__file__).resolve().parents[2] / "docs" / "plugins" / "sessions.md").read_text()
    for key in corolla_sessions.SessionsPlugin.settings:
        assert f"| `{key}` |" in guide, key
    for check_id in checks(sessions_app()):
        assert f"| `{check_id}` |" in guide, check_id
    for name in corolla_sessions.__all__:
        if name != "SessionsPlugin":
            assert name in guide, name


def test_a_bad_setting_is_a_problem_of_the_plan_and_of_plugins_check(tmp_path):
    # Checked while planning, with every other problem: not later, when the plugin is configured.
    from corolla._app import plan_app
    from corolla.testing import run_cli

    (tmp_path / "corolla.toml").write_text('[plugins]\nenabled = ["sessions"]\n[sessions]\nmax_age = 0\n')
    plan = plan_app(tmp_path, environ={})
    assert not plan.ok
    [problem] = plan.problems
    assert (problem.plugin, problem.kind, problem.key, problem.value) == ("sessions", "wrong-value", "max_age", 0)
    assert problem.source == f"{tmp_path / 'corolla.toml'}"
    assert "must be positive" in problem.reason
    with pytest.raises(ConfigError, match="max_age = 0: must be positive"):
        corolla.App(root=tmp_path, environ={})
    result = run_cli("plugins", "check", cwd=tmp_path)
    assert result.exit_code == 1
    assert result.output.count("max_age = 0: must be positive") == 1
