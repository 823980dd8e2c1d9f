"""The ``corolla_template_context`` hook: declared by templates, filled by other plugins.

The real integrations (routing's ``url_for``, sessions' ``session``, forms'
``csrf_token``) are tested after the branches merge; here synthetic plugins
implement the hook the way those do, with ``@hookimpl(optionalhook=True)``.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable

import pytest
from werkzeug.test import Client

from corolla import App, CorollaError, PluginError
from corolla.testing import SyntheticPlugins
from corolla_templates import TemplatesHooks, TemplatesPlugin, render_template

Build = Callable[..., App]
Views = dict[str, Callable[..., object]]

SHOW = "{% for key in keys %}{{ key }}={{ vars[key] }};{% endfor %}"


def contributor(values: str, argument: str = "request") -> str:
    """A plugin body implementing the hook; ``values`` is a dict expression over ``request``."""
    return f"""
    optional = ["templates"]

    @hookimpl(optionalhook=True)
    def corolla_template_context(self{", " + argument if argument else ""}):
        return {values}
    """


def test_the_hook_is_declared_by_the_templates_plugin(build: Build) -> None:
    app = build()
    caller = app.plugin_manager.hook.corolla_template_context
    assert caller.spec is not None
    assert caller.spec.namespace is TemplatesPlugin.hookspecs is TemplatesHooks
    assert caller.spec.argnames == ("request",)
    assert caller.spec.opts["firstresult"] is False
    assert inspect.getdoc(caller.spec.function).startswith("Return variables to add to the context")
    assert caller.get_hookimpls() == []


def test_without_the_templates_plugin_the_hook_does_not_exist(make_app: Callable[..., App], views: Views) -> None:
    app = make_app(["pages"])
    assert not hasattr(app.plugin_manager.hook, "corolla_template_context")


def test_without_contributors_only_request_and_the_call_context(build: Build, views: Views) -> None:
    views["/"] = lambda request: request.render("v.html", here="yes")
    app = build({"templates/v.html": "{{ request.method }} {{ here }} [{{ url_for is defined }}]"})
    assert Client(app).get("/").text == "GET yes [False]"


def test_contributions_merge_in_load_order_and_the_call_context_wins(
    build: Build, views: Views, corolla_plugins: SyntheticPlugins
) -> None:
    corolla_plugins.add("aa", body=contributor('{"who": "aa", "only_aa": 1, "path": request.path}'))
    corolla_plugins.add("bb", after=["aa"], body=contributor('{"who": "bb", "only_bb": 2}'))
    corolla_plugins.add("cc", body=contributor("None"))  # nothing to add this time
    views["/page"] = lambda request: request.render("v.html", title="t")
    views["/override"] = lambda request: request.render("v.html", title="t", who="view")
    app = build(
        {"templates/v.html": "{{ who }} {{ only_aa }} {{ only_bb }} {{ path }} {{ title }}"},
        plugins=["templates", "pages", "aa", "bb", "cc"],
    )
    assert [impl.plugin_name for impl in app.plugin_manager.hook.corolla_template_context.get_hookimpls()][::-1] == [
        "aa",
        "bb",
        "cc",
    ]
    client = Client(app)
    assert client.get("/page").text == "bb 1 2 /page t"
    assert client.get("/override").text == "view 1 2 /override t"


def test_contributors_get_request_none_outside_a_request(build: Build, corolla_plugins: SyntheticPlugins) -> None:
    corolla_plugins.add("aa", body=contributor('{"inside": request is not None}'))
    app = build({"templates/v.txt": "{{ inside }}"}, plugins=["templates", "aa"])
    assert render_template(app, "v.txt") == "False"


def test_an_implementation_may_take_no_arguments(build: Build, corolla_plugins: SyntheticPlugins) -> None:
    corolla_plugins.add("aa", body=contributor('{"site": "example"}', argument=""))
    app = build({"templates/v.txt": "{{ site }}"}, plugins=["templates", "aa"])
    assert render_template(app, "v.txt") == "example"


def test_lazy_values_cost_nothing_unless_the_template_uses_them(
    build: Build, views: Views, corolla_plugins: SyntheticPlugins, journal: list[object]
) -> None:
    corolla_plugins.add(
        "sess",
        body=contributor('{"load_session": lambda: __import__("corolla_test_journal").calls.append("loaded") or "s"}'),
    )
    views["/uses"] = lambda request: request.render("uses.html")
    views["/ignores"] = lambda request: request.render("ignores.html")
    app = build(
        {"templates/uses.html": "{{ load_session() }}", "templates/ignores.html": "plain"},
        plugins=["templates", "pages", "sess"],
    )
    client = Client(app)
    assert client.get("/ignores").text == "plain"
    assert journal == []
    assert client.get("/uses").text == "s"
    assert journal == ["loaded"]


def test_a_contributor_loads_without_the_templates_plugin(
    make_app: Callable[..., App], views: Views, corolla_plugins: SyntheticPlugins
) -> None:
    corolla_plugins.add("aa", body=contributor('{"x": 1}'))
    views["/"] = lambda request: "no templates here"
    app = make_app(["pages", "aa"])
    assert Client(app).get("/").text == "no templates here"


def test_a_contributor_without_optionalhook_is_refused_without_templates(
    make_app: Callable[..., App], views: Views, corolla_plugins: SyntheticPlugins
) -> None:
    corolla_plugins.add(
        "careless",
        body="""
        @hookimpl
        def corolla_template_context(self, request):
            return {}
        """,
    )
    with pytest.raises(PluginError, match="optionalhook=True"):
        make_app(["pages", "careless"])


def test_a_contributor_returning_no_mapping_is_named(build: Build, corolla_plugins: SyntheticPlugins) -> None:
    corolla_plugins.add("broken", version="2.0", body=contributor("[1, 2, 3]"))
    app = build({"templates/v.txt": "x"}, plugins=["templates", "broken"])
    with pytest.raises(CorollaError, match=r"plugin 'broken' \(corolla-broken 2.0\) returned \[1, 2, 3\]"):
        render_template(app, "v.txt")


def test_hook_wrappers_are_honoured(build: Build, corolla_plugins: SyntheticPlugins) -> None:
    corolla_plugins.add("aa", body=contributor('{"x": "plain"}'))
    corolla_plugins.add(
        "wrapper",
        optional=["templates"],
        body="""
        @hookimpl(wrapper=True, optionalhook=True)
        def corolla_template_context(self, request):
            results = yield
            return results + [{"wrapped": len(results)}]
        """,
    )
    app = build({"templates/v.txt": "{{ x }} {{ wrapped }}"}, plugins=["templates", "aa", "wrapper"])
    assert render_template(app, "v.txt") == "plain 1"


def test_trace_hooks_logs_each_context_hook_call(
    build: Build, views: Views, corolla_plugins: SyntheticPlugins, caplog: pytest.LogCaptureFixture
) -> None:
    # `corolla run --trace-hooks` sets [core] trace_hooks: the context hooks are traced like the core's own.
    corolla_plugins.add("aa", body=contributor('{"a": 1}'))
    corolla_plugins.add("bb", after=["aa"], body=contributor('{"b": 2}', argument=""))
    views["/page"] = lambda request: request.render("v.html")
    app = build(
        {"templates/v.html": "{{ a }}{{ b }}"},
        {"core": {"trace_hooks": True}},
        plugins=["templates", "pages", "aa", "bb"],
    )
    caplog.set_level(logging.INFO, logger="corolla.trace")
    assert Client(app).get("/page").text == "12"
    lines = [
        r.getMessage() for r in caplog.records if r.name == "corolla.trace" and "corolla_template_context" in r.message
    ]
    assert len(lines) == 2, lines
    assert lines[0].startswith("'GET /page' corolla_template_context in plugin 'aa'") and lines[0].endswith(" ms")
    assert lines[1].startswith("'GET /page' corolla_template_context in plugin 'bb'")
    caplog.clear()
    assert render_template(app, "v.html") == "12"  # outside a request: traced too, with no request line
    lines = [r.getMessage() for r in caplog.records if r.name == "corolla.trace"]
    assert [line.split(" in plugin ")[0] for line in lines] == ["? corolla_template_context"] * 2


def test_without_trace_hooks_nothing_is_logged(
    build: Build, views: Views, corolla_plugins: SyntheticPlugins, caplog: pytest.LogCaptureFixture
) -> None:
    corolla_plugins.add("aa", body=contributor('{"a": 1}'))
    views["/page"] = lambda request: request.render("v.html")
    app = build({"templates/v.html": "{{ a }}"}, plugins=["templates", "pages", "aa"])
    caplog.set_level(logging.INFO, logger="corolla.trace")
    assert Client(app).get("/page").text == "1"
    assert [r for r in caplog.records if r.name == "corolla.trace"] == []
