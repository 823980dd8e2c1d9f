"""Bad templates: missing, broken syntax, undefined variables, exceptions inside.

Each is a ``TemplateError`` naming the template file and line; the core logs
it and answers 500, with the message and traceback in debug and a page
without internals in production.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import jinja2
import pytest
from werkzeug.exceptions import Forbidden
from werkzeug.test import Client

from corolla import App
from corolla.testing import SyntheticPlugins
from corolla_templates import TemplateError, render_template

Build = Callable[..., App]
Views = dict[str, Callable[..., object]]

FILES = {
    "templates/ok.html": "fine",
    "templates/syntax.html": "<p>one</p>\n<p>{{ oops }</p>\n",
    "templates/undefined.html": "<p>one</p>\n<p>{{ user.name }}</p>\n",
    "templates/bare.html": "[{{ missing }}]",
    "templates/includes.html": "<p>one</p>\n{% include 'partial.html' %}\n",
    "templates/partial.html": "<p>partial</p>\n\n{{ boom.name }}\n",
    "templates/includes_missing.html": "a\nb\n{% include 'nowhere.html' %}",
    "templates/divide.html": "<p>\n{{ 1 // zero }}\n</p>",
    "templates/bad_include.html": "{% include 'syntax.html' %}",
    "templates/forbid.html": "{{ forbid() }}",
}


def render_error(app: App, name: str, **context: object) -> TemplateError:
    with pytest.raises(TemplateError) as info:
        render_template(app, name, **context)
    return info.value


def test_missing_template_names_every_folder_searched(build: Build, package_plugin: Callable[..., Path]) -> None:
    package_plugin("blog", {"templates/blog/post.html": "x"})
    app = build(FILES, plugins=["templates", "blog"])
    error = render_error(app, "nope.html")
    app_folder = app.root / "templates"
    plugin_folder = app.plugins["templates"].template_folders[1].path  # type: ignore[attr-defined]
    assert error.kind == "not-found"
    assert error.template == "nope.html"
    assert str(error) == (
        "template 'nope.html' not found; searched, in order:\n"
        f"  {app_folder} (the app's folder)\n"
        f"  {plugin_folder} (plugin 'blog')\n"
        f"Create it in {app_folder} or check its name (paths are relative to these folders)."
    )
    assert isinstance(error.__cause__, jinja2.TemplateNotFound)


def test_missing_app_folder_is_said_to_be_missing(build: Build) -> None:
    app = build()
    assert "templates (the app's folder, which does not exist)" in str(render_error(app, "x.html"))


def test_a_name_escaping_the_folders_is_not_found(build: Build) -> None:
    app = build(FILES)
    assert render_error(app, "../corolla.toml").kind == "not-found"


def test_a_missing_include_names_the_including_file_and_line(build: Build) -> None:
    app = build(FILES)
    error = render_error(app, "includes_missing.html")
    assert error.kind == "not-found"
    assert str(error).startswith("template 'nowhere.html' not found; searched")
    assert str(error).endswith(f"included from a template ({app.root / 'templates' / 'includes_missing.html'}, line 3)")


def test_syntax_error_names_file_and_line(build: Build) -> None:
    app = build(FILES)
    error = render_error(app, "syntax.html")
    filename = str(app.root / "templates" / "syntax.html")
    assert (error.kind, error.filename, error.lineno) == ("syntax", filename, 2)
    assert str(error).startswith(f"syntax error in template 'syntax.html' ({filename}, line 2): unexpected '}}'")


def test_syntax_error_in_an_included_template_names_that_one(build: Build) -> None:
    app = build(FILES)
    error = render_error(app, "bad_include.html")
    assert error.filename == str(app.root / "templates" / "syntax.html")
    assert "syntax error in template 'syntax.html'" in str(error)
    assert "(while rendering 'bad_include.html')" in str(error)


def test_undefined_attribute_names_file_and_line(build: Build) -> None:
    app = build(FILES)
    error = render_error(app, "undefined.html")
    filename = str(app.root / "templates" / "undefined.html")
    assert (error.kind, error.filename, error.lineno) == ("undefined", filename, 2)
    assert str(error).startswith(
        f"undefined variable in template 'undefined.html' ({filename}, line 2): 'user' is undefined; "
        "pass it to the render call"
    )


def test_undefined_in_an_included_template_names_the_included_file(build: Build) -> None:
    app = build(FILES)
    error = render_error(app, "includes.html")
    assert (error.filename, error.lineno) == (str(app.root / "templates" / "partial.html"), 3)
    assert "in template 'includes.html'" in str(error)


def test_lenient_by_default_strict_when_configured(build: Build) -> None:
    assert render_template(build(FILES), "bare.html") == "[]"


def test_strict_undefined_raises_on_any_use(build: Build) -> None:
    app = build(FILES, {"templates": {"strict_undefined": True}})
    error = render_error(app, "bare.html")
    assert (error.kind, error.lineno) == ("undefined", 1)
    assert "'missing' is undefined" in str(error)
    assert render_template(app, "bare.html", missing="here") == "[here]"


def test_an_exception_inside_a_template_names_file_and_line(build: Build) -> None:
    app = build(FILES)
    error = render_error(app, "divide.html", zero=0)
    assert (error.kind, error.lineno) == ("runtime", 2)
    assert str(error).startswith("ZeroDivisionError raised in template 'divide.html' (")
    assert isinstance(error.__cause__, ZeroDivisionError)


def test_http_exceptions_from_a_template_pass_through(build: Build, views: Views) -> None:
    def forbid() -> None:
        raise Forbidden()

    views["/"] = lambda request: request.render("forbid.html", forbid=forbid)
    assert Client(build(FILES)).get("/").status_code == 403


UNDEFINED_HINT = (
    "pass it to the render call, or test it in the template ({% if name is defined %}, {{ name | default('') }})"
)


@pytest.mark.parametrize(
    ("name", "where", "reason"),
    [
        ("nope.html", "", "template 'nope.html' not found"),
        ("syntax.html", " in templates/syntax.html, line 2", "unexpected '}'"),
        ("undefined.html", " in templates/undefined.html, line 2", f"'user' is undefined; {UNDEFINED_HINT}"),
        ("includes.html", " in templates/partial.html, line 3", f"'boom' is undefined; {UNDEFINED_HINT}"),
        ("includes_missing.html", " in templates/includes_missing.html, line 3", "template 'nowhere.html' not found"),
        ("divide.html", " in templates/divide.html, line 2", "ZeroDivisionError: integer division or modulo by zero"),
    ],
)
@pytest.mark.parametrize("debug", [False, True])
def test_the_log_names_the_template_file_and_line_once(
    build: Build, views: Views, caplog: pytest.LogCaptureFixture, name: str, where: str, reason: str, debug: bool
) -> None:
    views["/x"] = lambda request: request.render(name, zero=0)
    app = build(FILES, {"core": {"debug": debug}})
    with caplog.at_level(logging.DEBUG, logger="corolla"):
        assert Client(app).get("/x?token=secret").status_code == 500
    (record,) = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert record.getMessage() == f"TemplateError{where}: {reason} (rendering {name!r} for GET /x)"
    assert record.name.startswith("corolla")
    # The traceback is kept, ending with the whole message (the folders searched, the absolute path).
    assert record.exc_info is not None and isinstance(record.exc_info[1], TemplateError)
    assert "_plugin.py" not in record.getMessage() and "secret" not in record.getMessage()


def test_a_plugin_template_is_named_by_its_absolute_path(
    build: Build, views: Views, package_plugin: Callable[..., Path], caplog: pytest.LogCaptureFixture
) -> None:
    folder = package_plugin("blog", {"templates/blog/post.html": "{{ 1 // 0 }}"})
    views["/post"] = lambda request: request.render("blog/post.html")
    app = build(FILES, plugins=["templates", "pages", "blog"])
    with caplog.at_level(logging.ERROR, logger="corolla"):
        assert Client(app).get("/post").status_code == 500
    (record,) = caplog.records
    assert record.getMessage().startswith(f"TemplateError in {folder / 'templates' / 'blog' / 'post.html'}, line 1: ")


@pytest.mark.parametrize(
    ("name", "headline", "source"),
    [
        (
            "syntax.html",
            "TemplateError in templates/syntax.html, line 2: unexpected '}' (rendering 'syntax.html' for GET /)",
            ["    1 | <p>one</p>", "--> 2 | <p>{{ oops }</p>"],
        ),
        (
            "undefined.html",
            f"TemplateError in templates/undefined.html, line 2: 'user' is undefined; {UNDEFINED_HINT}",
            ["    1 | <p>one</p>", "--> 2 | <p>{{ user.name }}</p>"],
        ),
        (
            "includes_missing.html",
            "TemplateError in templates/includes_missing.html, line 3: template 'nowhere.html' not found",
            ["    2 | b", "--> 3 | {% include 'nowhere.html' %}"],
        ),
        ("nope.html", "TemplateError: template 'nope.html' not found (rendering 'nope.html' for GET /)", []),
    ],
)
def test_the_debug_page_starts_with_the_error_and_the_template_source(
    build: Build, views: Views, name: str, headline: str, source: list[str]
) -> None:
    views["/"] = lambda request: request.render(name)
    app = build(FILES, {"core": {"debug": True}})
    response = Client(app).get("/")
    assert response.status_code == 500
    assert response.mimetype == "text/plain"  # the template's source is shown as text, never as markup
    lines = response.text.splitlines()
    assert lines[0] == "Internal Server Error (debug)"
    assert lines[2].startswith(headline)
    top = response.text.split("Traceback (most recent call last):")[0]
    for line in source:
        assert line in top.splitlines()
    # The whole message too, before the traceback: the absolute path, the folders searched.
    assert str(render_error(app, name)).splitlines()[0] in top
    assert "jinja2" not in top and "_plugin.py" not in top
    assert "Traceback (most recent call last):" in response.text  # the traceback is still there, below


def test_an_exception_handler_of_another_plugin_goes_first(
    build: Build, views: Views, corolla_plugins: SyntheticPlugins, caplog: pytest.LogCaptureFixture
) -> None:
    corolla_plugins.add(
        "friendly",
        body="""
        @hookimpl
        def corolla_handle_exception(self, request, exception):
            return ("sorry: " + exception.kind, 500)
        """,
    )
    views["/"] = lambda request: request.render("syntax.html")
    app = build(FILES, plugins=["templates", "pages", "friendly"])
    with caplog.at_level(logging.ERROR, logger="corolla"):
        response = Client(app).get("/")
    assert (response.status_code, response.text) == (500, "sorry: syntax")
    assert not caplog.records


@pytest.mark.parametrize("name", ["nope.html", "syntax.html", "undefined.html", "divide.html"])
def test_production_answers_500_without_internals(
    build: Build, views: Views, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    views["/"] = lambda request: request.render(name, zero=0)
    app = build(FILES)
    with caplog.at_level(logging.ERROR, logger="corolla"):
        response = Client(app).get("/")
    assert response.status_code == 500
    body = response.text
    assert "Internal Server Error" in body
    for internal in (name, "Traceback", "templates", str(app.root), "jinja", "line 2", "undefined", "Error:"):
        assert internal not in body, internal
    # ... while the log has everything.
    assert any(name in str(r.exc_info[1]) for r in caplog.records if r.exc_info)


def test_the_app_keeps_serving_after_a_template_error(build: Build, views: Views) -> None:
    views["/bad"] = lambda request: request.render("syntax.html")
    views["/good"] = lambda request: request.render("ok.html")
    client = Client(build(FILES))
    assert client.get("/bad").status_code == 500
    assert client.get("/good").text == "fine"
