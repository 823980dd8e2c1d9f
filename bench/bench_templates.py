"""Rendering a small page: Corolla's ``request.render`` beside Flask's ``render_template``, in one run.

Every app answers ``GET /`` with the same HTML: a template with a title, a
user's name, a loop over ten items (each escaped) and a conditional. The
cases:

- ``Jinja2 + bare WSGI``: the floor, the template rendered by a WSGI function
  with precomputed headers (what rendering itself costs);
- ``Corolla request.render``: the templates plugin and a one-line dispatch
  plugin whose view returns ``request.render("page.html", **context)``;
- ``Corolla + 3 context plugins``: the same with three plugins implementing
  ``corolla_template_context`` (what the hook costs per render);
- ``Corolla render_template -> str``: the view returns
  ``render_template(request, "page.html", **context)``, a string, so the
  core's fast path skips werkzeug's Response;
- ``Flask render_template``: the same template in ``templates/``, the view
  returning ``render_template("page.html", **context)``.

Each body is checked once before timing. Run::

    .venv/bin/python -m pip install --group bench   # Flask
    .venv/bin/python bench/bench_templates.py [--quick]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import harness

from corolla import App

# corolla.testing imports pytest, which the bench group does not install.
from corolla._synthetic import SyntheticPlugins

WSGIApp = Callable[..., Iterable[bytes]]

PAGE = """\
<!doctype html>
<title>{{ title }}</title>
<h1>Hello, {{ user.name }}!</h1>
{% if user.admin %}<p class="admin">admin</p>{% endif %}
<ul>
{% for item in items %}  <li class="{{ loop.cycle('odd', 'even') }}">{{ item.name }}: {{ item.price }}</li>
{% endfor %}</ul>
"""

CONTEXT: dict[str, Any] = {
    "title": "Shop & <more>",
    "user": {"name": "Ann", "admin": True},
    "items": [{"name": f"item <{i}>", "price": i * 3} for i in range(10)],
}

RENDER = """
@hookimpl
def corolla_dispatch(self, request):
    from bench_templates import CONTEXT
    return request.render("page.html", **CONTEXT)
"""

RENDER_STR = """
@hookimpl
def corolla_dispatch(self, request):
    from bench_templates import CONTEXT
    from corolla_templates import render_template
    return render_template(request, "page.html", **CONTEXT)
"""

CONTEXT_PLUGIN = """
optional = ["templates"]

@hookimpl(optionalhook=True)
def corolla_template_context(self, request):
    return {"%s": request.path}
"""


def jinja_floor(root: Path) -> WSGIApp:
    import jinja2

    # Cached templates, as Corolla and Flask have them outside debug.
    loader = jinja2.FileSystemLoader(root / "templates")
    env = jinja2.Environment(loader=loader, autoescape=jinja2.select_autoescape(), auto_reload=False)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        body = env.get_template("page.html").render(CONTEXT).encode()
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))])
        return [body]

    return app


def corolla_apps(root: Path, plugins: SyntheticPlugins) -> dict[str, WSGIApp]:
    plugins.add("bench-render", body=RENDER)
    plugins.add("bench-render-str", body=RENDER_STR)
    contributors = [f"ctx-{i}" for i in range(3)]
    for name in contributors:
        plugins.add(name, body=CONTEXT_PLUGIN % name.replace("-", "_"))
    plugins.activate()
    path = [*plugins.path, *sys.path]  # the synthetic plugins and the installed corolla-templates

    def build(*names: str) -> App:
        app = App(plugins=["templates", *names], plugin_path=path, root=root, environ={})
        if set(app.resolution.order) != {"templates", *names}:
            raise RuntimeError(f"expected {names}, loaded {app.resolution.order}")
        return app

    return {
        "Corolla request.render": build("bench-render"),
        "Corolla + 3 context plugins": build("bench-render", *contributors),
        "Corolla render_template -> str": build("bench-render-str"),
    }


def flask_app(root: Path) -> WSGIApp:
    from flask import Flask, render_template

    app = Flask("bench_flask_templates", root_path=str(root))

    @app.route("/")
    def page() -> str:
        return render_template("page.html", **CONTEXT)

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds; rough figures")
    args = parser.parse_args(argv)
    repeats, seconds = (5, 0.005) if args.quick else (41, 0.03)
    sys.modules.setdefault("bench_templates", sys.modules[__name__])  # the dispatch plugins import CONTEXT

    with tempfile.TemporaryDirectory(prefix="corolla-bench-templates-") as tmp:
        root = Path(tmp) / "app"
        (root / "templates").mkdir(parents=True)
        (root / "templates" / "page.html").write_text(PAGE)
        plugins = SyntheticPlugins(Path(tmp) / "plugins")
        apps: dict[str, WSGIApp] = {"Jinja2 + bare WSGI": jinja_floor(root)}
        apps.update(corolla_apps(root, plugins))
        apps["Flask render_template"] = flask_app(root)

        environ = harness.make_environ()
        expected = jinja_floor(root)  # the same rendering the others must produce
        body = b"".join(expected(environ.copy(), harness.start_response))
        by_name = harness.time_apps(
            apps, environ, dict.fromkeys(apps, body), repeats=repeats, seconds_per_repeat=seconds
        )
        plugins.deactivate()

    flask, floor = by_name["Flask render_template"], by_name["Jinja2 + bare WSGI"]
    print(f"Rendering a small page (loop of 10, a few variables): µs per request, median of {repeats} repeats")
    print(f"   {'app':<30}{'µs':>8}{'x Flask':>9}{'x Jinja2 floor':>16}")
    for name, us in by_name.items():
        print(f"   {name:<30}{us:>8.2f}{us / flask:>8.2f}x{us / floor:>15.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
