"""Rendering: request.render, app.templates, autoescape, the search path and overrides, reloading."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import jinja2
import pytest
from werkzeug.test import Client

from corolla import App, CorollaError
from corolla.testing import SyntheticPlugins
from corolla_templates import TemplatesPlugin, render_template

Build = Callable[..., App]
Views = dict[str, Callable[..., object]]

PAGE = """\
<h1>{{ title }}</h1>
<ul>{% for item in items %}<li>{{ item }}</li>{% endfor %}</ul>
<p>{{ request.path }}</p>
"""


def test_request_render_returns_an_html_response(build: Build, views: Views) -> None:
    views["/"] = lambda request: request.render("page.html", title="Fish & <chips>", items=[1, 2])
    app = build({"templates/page.html": PAGE})
    response = Client(app).get("/")
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    assert response.text == "<h1>Fish &amp; &lt;chips&gt;</h1>\n<ul><li>1</li><li>2</li></ul>\n<p>/</p>"


def test_autoescape_for_markup_extensions_only(build: Build, views: Views) -> None:
    files = {f"templates/t.{ext}": "{{ v }}" for ext in ("html", "htm", "xml", "xhtml", "svg", "txt", "md")}
    app = build(files)
    for ext in ("html", "htm", "xml", "xhtml", "svg"):
        assert render_template(app, f"t.{ext}", v="<b>") == "&lt;b&gt;"
    for ext in ("txt", "md"):
        assert render_template(app, f"t.{ext}", v="<b>") == "<b>"
    assert app.templates.from_string("{{ v }}").render(v="<b>") == "&lt;b&gt;"  # strings: escaped


@pytest.mark.parametrize(
    ("name", "escaped"),
    [
        ("t.html.j2", True),
        ("t.html.jinja", True),
        ("t.xml.jinja2", True),
        ("t.SVG.J2", True),
        ("t.txt.j2", False),
        ("t.j2", False),
        ("t.jinja2.txt", False),
    ],
)
def test_autoescape_looks_past_a_jinja_suffix(build: Build, name: str, escaped: bool) -> None:
    app = build({f"templates/{name}": "{{ v }}"})
    assert render_template(app, name, v="<b>") == ("&lt;b&gt;" if escaped else "<b>")


def test_autoescape_extensions_are_configurable(build: Build) -> None:
    app = build({"templates/t.svg": "{{ v }}", "templates/t.html": "{{ v }}"}, {"templates": {"autoescape": ["svg"]}})
    assert render_template(app, "t.svg", v="<b>") == "&lt;b&gt;"
    assert render_template(app, "t.html", v="<b>") == "<b>"


def test_render_template_outside_a_request_sees_request_none(build: Build) -> None:
    app = build({"templates/mail.txt": "{% if request %}web{% else %}mail{% endif %} to {{ to }}"})
    assert render_template(app, "mail.txt", to="ann") == "mail to ann"


def test_render_template_without_the_plugin_says_so(make_app: Callable[..., object], views: Views) -> None:
    app = make_app(["pages"])
    with pytest.raises(CorollaError, match="the templates plugin is not loaded"):
        render_template(app, "x.html")  # type: ignore[arg-type]


def test_app_templates_is_the_jinja_environment_filters_and_globals_apply(build: Build, views: Views) -> None:
    app = build({"templates/f.html": "{{ name | shout }} {{ site }}"})
    app.templates.filters["shout"] = lambda s: s.upper() + "!"
    app.templates.globals["site"] = "corolla.example"
    assert type(app.templates) is jinja2.Environment
    views["/"] = lambda request: request.render("f.html", name="hi")
    assert Client(app).get("/").text == "HI! corolla.example"


def test_environment_is_built_once_and_shared_by_references_taken_before(build: Build) -> None:
    app = build({"templates/a.html": "a"})
    early = app.templates  # the placeholder, not yet built
    early.globals["x"] = 1  # the first use builds it in place
    assert early is app.templates
    assert type(early) is jinja2.Environment
    assert app.templates.globals["x"] == 1
    assert render_template(app, "a.html") == "a"


def test_building_an_app_does_not_import_jinja2(tmp_path: Path) -> None:
    # A fresh interpreter: what `corolla plugins list` and a worker that renders nothing pay.
    code = textwrap.dedent(
        f"""
        import sys
        from corolla import App
        app = App(plugins=["templates"], root={str(tmp_path)!r}, environ={{}})
        assert "templates" in app.plugins
        assert "jinja2" not in sys.modules, "building the app imported jinja2"
        app.templates.globals
        assert "jinja2" in sys.modules
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("COROLLA_")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stderr


def test_app_folder_is_configurable(build: Build) -> None:
    app = build({"views/x.html": "from views"}, {"templates": {"folder": "views"}})
    assert render_template(app, "x.html") == "from views"


def test_plugin_shipped_templates_and_app_override_by_path(build: Build, package_plugin: Callable[..., Path]) -> None:
    package_plugin(
        "blog",
        {"templates/blog/post.html": "plugin post", "templates/blog/list.html": "plugin list"},
    )
    app = build({"templates/blog/post.html": "app post"}, plugins=["templates", "pages", "blog"])
    assert render_template(app, "blog/post.html") == "app post"
    assert render_template(app, "blog/list.html") == "plugin list"


def test_a_plugin_overrides_the_templates_of_a_plugin_it_requires(
    build: Build, package_plugin: Callable[..., Path]
) -> None:
    package_plugin("base", {"templates/layout.html": "base layout", "templates/only.html": "base only"})
    package_plugin("theme", {"templates/layout.html": "theme layout"}, requires=["base"])
    app = build(plugins=["templates", "pages", "base", "theme"])
    assert render_template(app, "layout.html") == "theme layout"
    assert render_template(app, "only.html") == "base only"
    folders = [(f.owner, f.path.name) for f in app.plugins["templates"].template_folders]  # type: ignore[attr-defined]
    assert folders == [("app", "templates"), ("theme", "templates"), ("base", "templates")]


def test_template_folder_attribute_on_a_single_module_plugin(
    build: Build, corolla_plugins: SyntheticPlugins, tmp_path: Path
) -> None:
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    (shipped / "widget.html").write_text("widget {{ n }}")
    corolla_plugins.add("widgets", body=f"template_folder = {str(shipped)!r}")
    # A top-level module has no package folder: without the attribute it ships nothing.
    corolla_plugins.add("plain", body="")
    app = build(plugins=["templates", "pages", "widgets", "plain"])
    assert render_template(app, "widget.html", n=3) == "widget 3"
    owners = [f.owner for f in app.plugins["templates"].template_folders]  # type: ignore[attr-defined]
    assert owners == ["app", "widgets"]


def test_template_folder_none_opts_out(build: Build, package_plugin: Callable[..., Path]) -> None:
    package_plugin("quiet", {"templates/x.html": "x"}, body="template_folder = None\n")
    app = build(plugins=["templates", "pages", "quiet"])
    assert [f.owner for f in app.plugins["templates"].template_folders] == ["app"]  # type: ignore[attr-defined]


def test_templates_are_cached_without_auto_reload(build: Build) -> None:
    app = build({"templates/c.html": "one"})
    plugin = app.plugins["templates"]
    assert isinstance(plugin, TemplatesPlugin) and plugin.auto_reload is False
    assert render_template(app, "c.html") == "one"
    _rewrite(app.root / "templates" / "c.html", "two")
    assert render_template(app, "c.html") == "one"


@pytest.mark.parametrize(
    ("config", "environ_value"),
    [({"core": {"debug": True}}, None), ({"templates": {"auto_reload": True}}, None), ({}, "true")],
    ids=["debug", "setting", "reloader"],
)
def test_auto_reload_rereads_changed_templates(
    build: Build, monkeypatch: pytest.MonkeyPatch, config: dict[str, dict[str, bool]], environ_value: str | None
) -> None:
    if environ_value:
        monkeypatch.setenv("WERKZEUG_RUN_MAIN", environ_value)  # what `corolla run --reload` sets in the child
    app = build({"templates/c.html": "one"}, config)
    assert render_template(app, "c.html") == "one"
    _rewrite(app.root / "templates" / "c.html", "two")
    assert render_template(app, "c.html") == "two"


def test_auto_reload_setting_wins_over_debug(build: Build) -> None:
    app = build({}, {"core": {"debug": True}, "templates": {"auto_reload": False}})
    assert app.plugins["templates"].auto_reload is False  # type: ignore[attr-defined]


def _rewrite(path: Path, text: str) -> None:
    # Jinja2 compares modification times; move it forward instead of sleeping.
    path.write_text(text)
    later = time.time() + 5
    os.utime(path, (later, later))


def test_context_may_use_the_parameter_names(build: Build, views: Views) -> None:
    views["/"] = lambda request: request.render("n.html", name="Ann", app="mine")
    app = build({"templates/n.html": "{{ name }} {{ app }}"})
    assert Client(app).get("/").text == "Ann mine"
    assert render_template(app, "n.html", name="Bo", app="x") == "Bo x"


def test_first_use_from_many_threads_builds_one_environment(build: Build) -> None:
    import threading

    app = build({"templates/t.html": "{{ n }}"})
    placeholder = app.templates
    barrier = threading.Barrier(8)
    results: list[object] = []

    def first_use() -> None:
        barrier.wait()
        results.append((app.templates.loader, render_template(app, "t.html", n=1)))

    threads = [threading.Thread(target=first_use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(loader) for loader, _ in results}) == 1  # type: ignore[misc]
    assert {text for _, text in results} == {"1"}  # type: ignore[misc]
    assert type(placeholder) is jinja2.Environment and "_corolla_lock" not in vars(placeholder)


def test_a_failing_build_is_retried_and_raises_again(build: Build) -> None:
    app = build({"templates/t.html": "x"}, {"templates": {"autoescape": ["html"]}})
    plugin = app.plugins["templates"]
    plugin.config = {**plugin.config, "autoescape": None}  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        app.templates.globals  # noqa: B018
    with pytest.raises(TypeError):
        app.templates.globals  # noqa: B018
    plugin.config = {**plugin.config, "autoescape": ["html"]}  # type: ignore[attr-defined]
    assert render_template(app, "t.html") == "x"


def test_render_template_for_a_request_returns_a_string_with_the_request(build: Build, views: Views) -> None:
    views["/fast"] = lambda request: render_template(request, "page.html", title="t", items=[])
    response = Client(build({"templates/page.html": PAGE})).get("/fast")
    assert response.content_type == "text/html; charset=utf-8"
    assert response.text == "<h1>t</h1>\n<ul></ul>\n<p>/fast</p>"
