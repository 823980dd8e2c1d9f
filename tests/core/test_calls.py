"""``corolla.call_each``: a hook called one implementation at a time, each naming its plugin."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

import corolla
from corolla import App, PluginError
from corolla.testing import SyntheticPlugins

MakeApp = Callable[..., App]

# A plugin declaring a hook of its own that the others implement.
COLLECTOR = """
import corolla


class ColourSpecs:
    @corolla.hookspec
    def colours(self, app, shade):
        \"\"\"The colours this plugin offers in ``shade``.\"\"\"


class Plugin(corolla.Plugin):
    hookspecs = ColourSpecs
"""


def offer(colour: str) -> str:
    return f"""
    @hookimpl(optionalhook=True)
    def colours(self, app, shade):
        return [shade + " {colour}"]
    """


@pytest.fixture
def colours(corolla_plugins: SyntheticPlugins) -> SyntheticPlugins:
    corolla_plugins.add("collector", source=COLLECTOR)
    corolla_plugins.add("red", body=offer("red"), after=["collector"])
    corolla_plugins.add("blue", body=offer("blue"), after=["red"])
    return corolla_plugins


def test_results_come_in_load_order_paired_with_their_plugin(colours: SyntheticPlugins, make_app: MakeApp) -> None:
    colours.add(
        "silent",
        after=["blue"],
        body="""
        @hookimpl(optionalhook=True)
        def colours(self, app, shade):
            return None
        """,
    )
    app = make_app()
    assert corolla.call_each(app, "colours", app=app, shade="dark") == [
        ("red", ["dark red"]),
        ("blue", ["dark blue"]),
        ("silent", None),
    ]


def test_each_implementation_gets_only_the_arguments_it_accepts(colours: SyntheticPlugins, make_app: MakeApp) -> None:
    colours.add(
        "plain",
        after=["blue"],
        body="""
        @hookimpl(optionalhook=True)
        def colours(self):
            return ["grey"]

        @hookimpl
        def corolla_configure(self):
            self.configured = True

        @hookimpl
        def corolla_startup(self):
            self.started = True
        """,
    )
    app = make_app()
    assert corolla.call_each(app, "colours", app=app, shade="pale")[-1] == ("plain", ["grey"])
    plain = app.plugins["plain"]
    assert plain.configured and plain.started  # type: ignore[attr-defined]


def test_a_failure_names_the_implementing_plugin_and_the_hook(colours: SyntheticPlugins, make_app: MakeApp) -> None:
    colours.add(
        "broken",
        after=["red"],
        before=["blue"],
        body="""
        @hookimpl(optionalhook=True)
        def colours(self, app, shade):
            raise KeyError(shade)
        """,
    )
    app = make_app()
    failed = r"^plugin 'broken' \(corolla-broken 1.0\) failed in colours: KeyError"
    with pytest.raises(PluginError, match=failed) as err:
        corolla.call_each(app, "colours", app=app, shade="dark")
    assert err.value.plugin == "broken"
    assert isinstance(err.value.__cause__, KeyError)

    failures: list[PluginError] = []
    results = corolla.call_each(app, "colours", on_error=failures.append, app=app, shade="dark")
    assert results == [("red", ["dark red"]), ("blue", ["dark blue"])]  # the others still ran
    assert [f.plugin for f in failures] == ["broken"]


def test_a_failure_inside_a_nested_call_names_the_innermost_plugin(
    colours: SyntheticPlugins, make_app: MakeApp
) -> None:
    # The collector calls the hook at start-up; the plugin at fault is the implementer, not the collector.
    colours.add(
        "gatherer",
        after=["blue"],
        body="""
        @hookimpl
        def corolla_startup(self, app):
            self.seen = corolla.call_each(app, "colours", app=app, shade="light")
        """,
    )
    colours.add(
        "broken",
        after=["blue"],
        body="""
        @hookimpl(optionalhook=True)
        def colours(self, app, shade):
            raise RuntimeError("out of paint")
        """,
    )
    with pytest.raises(PluginError, match=r"^plugin 'broken' \(corolla-broken 1.0\) failed in colours") as err:
        make_app()
    assert err.value.plugin == "broken"


def test_a_hook_wrapper_cannot_be_called_one_by_one(colours: SyntheticPlugins, make_app: MakeApp) -> None:
    colours.add(
        "wrapping",
        after=["blue"],
        body="""
        @hookimpl(optionalhook=True, wrapper=True)
        def colours(self, app, shade):
            return (yield)
        """,
    )
    app = make_app()
    with pytest.raises(PluginError, match=r"plugin 'wrapping' .*: colours cannot be a hook wrapper"):
        corolla.call_each(app, "colours", app=app, shade="dark")


def test_unknown_hook_and_wrong_arguments_are_the_callers_errors(colours: SyntheticPlugins, make_app: MakeApp) -> None:
    app = make_app()
    with pytest.raises(LookupError, match="no hook specification 'colors'"):
        corolla.call_each(app, "colors", app=app)
    with pytest.raises(TypeError, match=r"unknown argument\(s\) 'tint' and missing argument\(s\) 'shade'"):
        corolla.call_each(app, "colours", app=app, tint="dark")


def test_calls_are_traced_when_trace_hooks_is_on(
    colours: SyntheticPlugins, make_app: MakeApp, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(config={"core": {"trace_hooks": True}})
    with caplog.at_level(logging.INFO, logger="corolla.trace"):
        corolla.call_each(app, "colours", app=app, shade="dark")
    lines = [r.getMessage() for r in caplog.records if r.name == "corolla.trace"]
    assert [line.split(" ms")[0].rsplit(":", 1)[0] for line in lines] == [
        "? colours in plugin 'red' (corolla-red 1.0)",
        "? colours in plugin 'blue' (corolla-blue 1.0)",
    ]
    quiet = make_app()
    with caplog.at_level(logging.INFO, logger="corolla.trace"):
        caplog.clear()
        corolla.call_each(quiet, "colours", app=quiet, shade="dark")
    assert not [r for r in caplog.records if r.name == "corolla.trace"]
