"""Hooks: validation at start-up, plugin-declared specifications, hook wrappers,
compiling to plain calls, and the hook specifications' own documentation.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Generator
from typing import Any

import pluggy
import pytest
from werkzeug.test import Client

import corolla
from corolla import App, PluginError, hookspecs
from corolla.testing import SyntheticPlugins

MakeApp = Callable[..., App]

SPECS = [(name, fn) for name, fn in vars(hookspecs).items() if name.startswith("corolla_") and inspect.isfunction(fn)]


# -- validation at start-up ----------------------------------------------------


def test_misspelled_hook_is_a_plugin_error_with_did_you_mean(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp
) -> None:
    corolla_plugins.add(
        "typo",
        version="0.4",
        body="""
        @hookimpl
        def corolla_dispach(self, request):
            return "never"
        """,
    )
    with pytest.raises(PluginError) as info:
        make_app()
    assert info.value.plugin == "typo"
    message = str(info.value)
    assert "corolla_dispach" in message
    assert "did you mean 'corolla_dispatch'?" in message
    assert "'typo' (corolla-typo 0.4)" in message
    assert "@hookimpl(optionalhook=True)" in message
    assert isinstance(info.value.__cause__, pluggy.PluginValidationError)


def test_every_misspelled_hook_is_reported_at_once(corolla_plugins: SyntheticPlugins, make_app: MakeApp) -> None:
    corolla_plugins.add(
        "one",
        body="""
        @hookimpl
        def corolla_respons(self, request, response):
            pass
        """,
    )
    corolla_plugins.add(
        "two",
        body="""
        @hookimpl
        def corolla_startpu(self, app):
            pass
        """,
    )
    with pytest.raises(PluginError) as info:
        make_app()
    message = str(info.value)
    assert (
        "plugin 'one' (corolla-one 1.0) implements 'corolla_respons', which no installed plugin declares as a hook; "
        "did you mean 'corolla_response'?"
    ) in message
    assert "plugin 'two' (corolla-two 1.0) implements 'corolla_startpu'" in message
    assert "did you mean 'corolla_startup'?" in message


def test_misspelled_hook_with_nothing_close_has_no_did_you_mean(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp
) -> None:
    corolla_plugins.add(
        "odd",
        body="""
        @hookimpl
        def totally_unrelated(self):
            pass
        """,
    )
    with pytest.raises(PluginError) as info:
        make_app()
    assert info.value.plugin == "odd"
    assert "totally_unrelated" in str(info.value)
    assert "did you mean" not in str(info.value)


def test_optional_hook_for_an_absent_plugin_is_fine(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp, journal: list[object]
) -> None:
    corolla_plugins.add(
        "integrates",
        body="""
        @hookimpl(optionalhook=True)
        def templates_context(self, request):
            return {"never": "called"}

        @hookimpl
        def corolla_startup(self, app):
            from corolla_test_journal import calls
            calls.append("started")
        """,
    )
    app = make_app()
    assert journal == ["started"]
    assert "integrates" in app.plugins


def test_hookimpl_with_a_wrong_argument_is_a_plugin_error(corolla_plugins: SyntheticPlugins, make_app: MakeApp) -> None:
    corolla_plugins.add(
        "wrongarg",
        version="1.5",
        body="""
        @hookimpl
        def corolla_dispatch(self, req):
            return "x"
        """,
    )
    with pytest.raises(PluginError) as info:
        make_app()
    assert info.value.plugin == "wrongarg"
    message = str(info.value)
    assert "plugin 'wrongarg' (corolla-wrongarg 1.5)" in message
    assert "corolla_dispatch" in message
    assert "req" in message
    assert "fix the hook implementation's signature" in message


def test_hookimpl_may_take_fewer_arguments_than_the_spec(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp, journal: list[object]
) -> None:
    corolla_plugins.add(
        "few",
        body="""
        @hookimpl
        def corolla_dispatch(self):
            return "no request needed"

        @hookimpl
        def corolla_response(self, response):
            response.headers["X-Few"] = "1"

        @hookimpl
        def corolla_teardown(self, exception):
            from corolla_test_journal import calls
            calls.append(exception)

        @hookimpl
        def corolla_startup(self):
            from corolla_test_journal import calls
            calls.append("started")
        """,
    )
    r = Client(make_app()).get("/")
    assert r.text == "no request needed"
    assert r.headers["X-Few"] == "1"
    assert journal == ["started", None]


def test_unmarked_hook_like_method_is_refused(corolla_plugins: SyntheticPlugins, make_app: MakeApp) -> None:
    corolla_plugins.add(
        "plain",
        body="""
        def corolla_dispatch(self, request):
            return "not a hook implementation"
        """,
    )
    with pytest.raises(PluginError) as info:
        make_app()
    assert info.value.plugin == "plain"
    assert "Plugin.corolla_dispatch" in str(info.value)
    assert "did you forget @corolla.hookimpl?" in str(info.value)


def test_other_unmarked_methods_are_plain_methods(corolla_plugins: SyntheticPlugins, make_app: MakeApp) -> None:
    corolla_plugins.add(
        "helper",
        body="""
        def dispatch_helper(self, request):
            return "never called as a hook"
        """,
    )
    assert Client(make_app()).get("/").status_code == 404


# -- hook specifications declared by plugins -----------------------------------


class TemplateSpecs:
    @corolla.hookspec
    def templates_context(self, request: corolla.Request) -> dict[str, Any]:
        """Return extra template variables for ``request``."""
        raise NotImplementedError

    @corolla.hookspec(firstresult=True)
    def templates_loader(self, name: str) -> str | None:
        """Return the source of template ``name``; the first non-None wins."""
        raise NotImplementedError


class Declares(corolla.Plugin):
    """Declares two hooks and calls them from its dispatch."""

    hookspecs = TemplateSpecs

    @corolla.hookimpl
    def corolla_dispatch(self, request: corolla.Request) -> Any:
        hook = self.app.plugin_manager.hook
        context: dict[str, Any] = {}
        for part in hook.templates_context(request=request):
            context.update(part)
        return {"context": context, "source": hook.templates_loader(name="index")}


class SessionContext(corolla.Plugin):
    requires = ["templates"]

    @corolla.hookimpl
    def templates_context(self, request: corolla.Request) -> dict[str, Any]:
        return {"session": request.path}


class UserContext(SessionContext):
    @corolla.hookimpl
    def templates_context(self, request: corolla.Request) -> dict[str, Any]:
        return {"user": request.path}

    @corolla.hookimpl
    def templates_loader(self, name: str) -> str:
        return "<source of " + name + ">"


class OptionalUserContext(corolla.Plugin):
    optional = ["templates"]

    @corolla.hookimpl
    def templates_context(self, request: corolla.Request) -> dict[str, Any]:
        return {"user": request.path}


class BadContext(corolla.Plugin):
    requires = ["templates"]

    @corolla.hookimpl
    def templates_context(self, req: corolla.Request) -> dict[str, Any]:
        return {}


def test_plugin_declared_hookspecs_are_implemented_by_another_plugin(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp
) -> None:
    # 'aaa-user' sorts before 'templates' but requires it, so the spec is
    # registered (and its plugin loaded) before the implementer.
    corolla_plugins.add("aaa-user", plugin=UserContext)
    corolla_plugins.add("session", plugin=SessionContext)
    corolla_plugins.add("templates", plugin=Declares)
    app = make_app()
    order = list(app.resolution.order)
    assert order[0] == "templates"
    assert app.plugin_manager.hook.templates_context.spec is not None
    assert app.plugin_manager.hook.templates_loader.spec is not None
    assert app.plugin_manager.hook.templates_loader.spec.opts["firstresult"] is True
    r = Client(app).get("/page")
    assert r.json == {"context": {"user": "/page", "session": "/page"}, "source": "<source of index>"}


def test_implementation_of_a_plugin_declared_hook_is_validated(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp
) -> None:
    corolla_plugins.add("templates", plugin=Declares)
    corolla_plugins.add("bad", plugin=BadContext)
    with pytest.raises(PluginError) as info:
        make_app()
    assert info.value.plugin == "bad"
    assert "templates_context" in str(info.value)
    assert "req" in str(info.value)


def test_plugin_declared_hook_without_its_declarer_needs_optionalhook(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp
) -> None:
    corolla_plugins.add("templates", plugin=Declares)
    corolla_plugins.add("user", plugin=OptionalUserContext)
    assert make_app().plugins.keys() == {"templates", "user"}
    with pytest.raises(PluginError) as info:
        make_app(plugins=["user"])
    assert info.value.plugin == "user"
    assert "templates_context" in str(info.value)
    assert "optionalhook=True" in str(info.value)


def test_invalid_plugin_hookspecs_are_a_plugin_error(corolla_plugins: SyntheticPlugins, make_app: MakeApp) -> None:
    corolla_plugins.add(
        "badspecs",
        version="0.1",
        body='''
        class Specs:
            @corolla.hookspec
            def corolla_dispatch(self, request):
                """Clashes with the core's own specification."""

        hookspecs = Specs
        ''',
    )
    with pytest.raises(PluginError) as info:
        make_app()
    assert info.value.plugin == "badspecs"
    assert "plugin 'badspecs' (corolla-badspecs 0.1) declares invalid hook specifications" in str(info.value)


# -- hook wrappers and ordering marks ------------------------------------------


class View(corolla.Plugin):
    @corolla.hookimpl
    def corolla_dispatch(self, request: corolla.Request) -> str | None:
        return None if request.path == "/none" else "view " + request.path


class Shout(corolla.Plugin):
    @corolla.hookimpl(wrapper=True)
    def corolla_dispatch(self, request: corolla.Request) -> Generator[None, Any, Any]:
        result = yield
        return None if result is None else result.upper()


class WrapOld(corolla.Plugin):
    @corolla.hookimpl(hookwrapper=True)
    def corolla_dispatch(self, request: corolla.Request) -> Generator[None, Any, None]:
        outcome = yield
        outcome.force_result(outcome.get_result() + " (wrapped)")


class Failing(corolla.Plugin):
    @corolla.hookimpl
    def corolla_dispatch(self, request: corolla.Request) -> Any:
        raise KeyError("missing")


class Rescue(corolla.Plugin):
    @corolla.hookimpl(wrapper=True)
    def corolla_dispatch(self, request: corolla.Request) -> Generator[None, Any, Any]:
        try:
            return (yield)
        except KeyError:
            return "rescued", 503


class Timing(corolla.Plugin):
    # Both markers on one name would shadow each other: use `specname`.
    @corolla.hookimpl
    def corolla_response(self, request: corolla.Request, response: corolla.Response) -> None:
        response.headers.add("X-Trail", "plain")

    @corolla.hookimpl(wrapper=True, specname="corolla_response")
    def around_response(self, request: corolla.Request, response: corolla.Response) -> Generator[None, None, None]:
        response.headers.add("X-Trail", "before")
        yield
        response.headers.add("X-Trail", "after")


def test_wrapper_on_dispatch_falls_back_to_pluggy(corolla_plugins: SyntheticPlugins, make_app: MakeApp) -> None:
    corolla_plugins.add("views", plugin=View)
    corolla_plugins.add("shout", plugin=Shout)
    client = Client(make_app())
    assert client.get("/x").text == "VIEW /X"
    assert client.get("/none").status_code == 404


def test_dispatch_finding_nothing_is_a_404_that_request_wrappers_see(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp
) -> None:
    corolla_plugins.add("views", plugin=View)
    assert Client(make_app()).get("/none").status_code == 404  # unwrapped: the pipeline checks the None
    corolla_plugins.add(
        "catcher",
        body="""
        @hookimpl
        def corolla_wrap_request(self, app, handler):
            from werkzeug.exceptions import NotFound

            def wrapped(request):
                try:
                    return handler(request)
                except NotFound:
                    return "caught the 404", 410
            return wrapped
        """,
    )
    response = Client(make_app()).get("/none")
    assert (response.status_code, response.text) == (410, "caught the 404")


def test_old_style_hookwrapper_on_dispatch(corolla_plugins: SyntheticPlugins, make_app: MakeApp) -> None:
    corolla_plugins.add("views", plugin=View)
    corolla_plugins.add("wrapold", plugin=WrapOld)
    assert Client(make_app()).get("/y").text == "view /y (wrapped)"


def test_wrapper_on_dispatch_sees_exceptions(corolla_plugins: SyntheticPlugins, make_app: MakeApp) -> None:
    corolla_plugins.add("failing", plugin=Failing)
    corolla_plugins.add("rescue", plugin=Rescue)
    r = Client(make_app()).get("/")
    assert (r.status_code, r.text) == (503, "rescued")


def test_wrapper_on_response_hook(corolla_plugins: SyntheticPlugins, make_app: MakeApp) -> None:
    corolla_plugins.add("views", plugin=View)
    corolla_plugins.add("timing", plugin=Timing)
    r = Client(make_app()).get("/z")
    assert r.headers.getlist("X-Trail") == ["before", "plain", "after"]


@pytest.mark.parametrize(
    ("hook", "mark"),
    [
        ("corolla_startup(self, app)", "wrapper=True"),
        ("corolla_configure(self, app)", "hookwrapper=True"),
        ("corolla_shutdown(self, app)", "wrapper=True"),
        ("corolla_wrap_request(self, app, handler)", "wrapper=True"),
    ],
)
def test_wrapper_on_a_start_up_hook_is_a_plugin_error(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp, journal: list[object], hook: str, mark: str
) -> None:
    # These run implementation by implementation: a wrapper there would never run.
    corolla_plugins.add(
        "around",
        body=f"""
        @hookimpl({mark})
        def {hook}:
            from corolla_test_journal import calls
            calls.append("ran")
            yield
        """,
    )
    with pytest.raises(PluginError) as info:
        make_app()
    assert info.value.plugin == "around"
    name = hook.split("(")[0]
    assert f"plugin 'around' (corolla-around 1.0): {name} cannot be a hook wrapper" in str(info.value)
    assert journal == []


def test_tryfirst_and_trylast_adjust_the_load_order(corolla_plugins: SyntheticPlugins, make_app: MakeApp) -> None:
    for name, mark in (("a", "trylast=True"), ("b", ""), ("c", "tryfirst=True")):
        corolla_plugins.add(
            name,
            body=f"""
            @hookimpl({mark})
            def corolla_response(self, request, response):
                response.headers.add("X-Order", "{name}")
            """,
        )
    app = make_app()
    assert list(app.resolution.order) == ["a", "b", "c"]
    assert Client(app).get("/").headers.getlist("X-Order") == ["c", "b", "a"]


# -- compiled to plain calls ---------------------------------------------------


def test_hooks_nobody_implements_compile_to_nothing(corolla_plugins: SyntheticPlugins, make_app: MakeApp) -> None:
    app = make_app()
    assert app._pipeline.response_hooks == []
    assert app._pipeline.teardown_hooks == []
    assert app._pipeline.exception_hook is None
    assert app.pipeline == []
    assert app._pipeline.fast is True


def test_a_single_dispatch_implementation_is_called_directly(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp
) -> None:
    from corolla._compile import compile_each, compile_firstresult

    corolla_plugins.add("views", plugin=View)
    corolla_plugins.add(
        "extras",
        body="""
        @hookimpl
        def corolla_response(self, request, response):
            pass

        @hookimpl
        def corolla_handle_exception(self, request, exception):
            return None
        """,
    )
    app = make_app()
    hook = app.plugin_manager.hook
    views, extras = app.plugins["views"], app.plugins["extras"]
    assert compile_firstresult(hook.corolla_dispatch, ("request",)) == views.corolla_dispatch  # type: ignore[attr-defined]
    # With no wrapper, the pipeline calls the dispatch implementation itself (no 404 closure between).
    assert app._pipeline.handler == views.corolla_dispatch  # type: ignore[attr-defined]
    assert app._pipeline.response_hooks == [extras.corolla_response]  # type: ignore[attr-defined]
    assert app._pipeline.exception_hook == extras.corolla_handle_exception  # type: ignore[attr-defined]
    assert app._pipeline.teardown_hooks == []
    assert compile_each(hook.corolla_teardown, ("request", "exception")) == []
    assert app._pipeline.fast is False


def test_every_core_hook_is_registered(corolla_plugins: SyntheticPlugins, make_app: MakeApp) -> None:
    app = make_app()
    for name, _ in SPECS:
        caller = getattr(app.plugin_manager.hook, name)
        assert caller.spec is not None, name


# -- the specifications document themselves ------------------------------------


def test_there_are_hook_specifications() -> None:
    assert {name for name, _ in SPECS} == {
        "corolla_configure",
        "corolla_app_attributes",
        "corolla_request_attributes",
        "corolla_wrap_request",
        "corolla_dispatch",
        "corolla_response",
        "corolla_handle_exception",
        "corolla_teardown",
        "corolla_startup",
        "corolla_shutdown",
        "corolla_cli_commands",
        "corolla_shell_context",
        "corolla_deploy_checks",
    }


WHEN = re.compile(r"\b(runs?|called|once|every request|per request|start-up|at the end of)\b", re.I)
RETURNS = re.compile(r"\b(returns?|return)\b", re.I)


@pytest.mark.parametrize(("name", "spec"), SPECS, ids=[name for name, _ in SPECS])
def test_hookspec_is_documented(name: str, spec: Callable[..., object]) -> None:
    doc = inspect.getdoc(spec)
    assert doc, f"{name} has no docstring"
    assert WHEN.search(doc), f"{name}'s docstring does not say when it runs"
    assert RETURNS.search(doc), f"{name}'s docstring does not say what it returns"
    opts = spec.corolla_spec  # type: ignore[attr-defined]
    if opts.get("firstresult"):
        assert "first non-None result wins" in doc, f"{name} is firstresult; its docstring must say so"
    else:
        assert "first non-None" not in doc, f"{name} is not firstresult; its docstring must not say the first wins"
    # Every argument is named in the docstring, or is the obvious ``app``.
    for arg in inspect.signature(spec).parameters:
        assert arg == "app" or f"``{arg}``" in doc, f"{name}'s docstring does not describe ``{arg}``"


@pytest.mark.parametrize(("name", "spec"), SPECS, ids=[name for name, _ in SPECS])
def test_hookspec_is_typed(name: str, spec: Callable[..., object]) -> None:
    signature = inspect.signature(spec)
    assert signature.return_annotation is not inspect.Signature.empty, name
    for param in signature.parameters.values():
        assert param.annotation is not inspect.Parameter.empty, f"{name}({param.name}) has no type"


def test_the_public_markers_are_the_corolla_project() -> None:
    assert corolla.hookimpl.project_name == "corolla"
    assert corolla.hookspec.project_name == "corolla"


def test_marked_static_class_and_inherited_methods_are_all_found(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp
) -> None:
    # The manager skips unmarked attributes without pluggy's inspection; marked
    # ones must still register however they are stored.
    corolla_plugins.add(
        "mixed",
        source="""
        import corolla
        from corolla import hookimpl


        class Base(corolla.Plugin):
            @hookimpl
            def corolla_response(self, request, response):
                response.headers["X-Inherited"] = "yes"


        class Plugin(Base):
            @staticmethod
            @hookimpl
            def corolla_dispatch(request):
                return "static"

            @classmethod
            @hookimpl
            def corolla_teardown(cls, request, exception):
                request.environ["torn.down"] = cls.__name__
        """,
    )
    app = make_app()
    hook = app.plugin_manager.hook
    assert [impl.plugin_name for impl in hook.corolla_dispatch.get_hookimpls()] == ["mixed"]
    assert [impl.plugin_name for impl in hook.corolla_response.get_hookimpls()] == ["mixed"]
    assert [impl.plugin_name for impl in hook.corolla_teardown.get_hookimpls()] == ["mixed"]
    response = Client(app).get("/")
    assert response.text == "static"
    assert response.headers["X-Inherited"] == "yes"
