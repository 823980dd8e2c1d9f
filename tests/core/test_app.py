"""``App``: view return values, attributes plugins add, the lazy Request, the
request pipeline, hook order and the start-up/shutdown lifecycle.

Everything goes through a real app built over synthetic plugin distributions
and a real werkzeug test client.
"""

from __future__ import annotations

import logging
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client, EnvironBuilder

import corolla
from corolla import App, PluginError, Request
from corolla.testing import SyntheticPlugins

MakeApp = Callable[..., App]

VIEWS = """
@hookimpl
def corolla_dispatch(self, request):
    from corolla import Response

    path = request.path
    if path == "/str":
        return "<p>hi</p>"
    if path == "/bytes":
        return b"raw"
    if path == "/dict":
        return {"name": "caf\\u00e9"}
    if path == "/list":
        return ["a", 1, None]
    if path == "/created":
        return {"id": 7}, 201, {"Location": "/things/7"}
    if path == "/headers":
        return "with headers", {"X-One": "1"}
    if path == "/response":
        return Response("teapot", status=418, mimetype="text/plain")
    if path == "/werkzeug-headers":
        from werkzeug.datastructures import Headers
        return "h", Headers([("X-Multi", "1"), ("X-Multi", "2")])
    if path == "/status-werkzeug-headers":
        from werkzeug.datastructures import Headers
        return "h", 202, Headers([("X-Multi", "1")])
    if path == "/none-in-tuple":
        return None, 200
    if path == "/object":
        return object()
    if path == "/set":
        return {1, 2}
    if path == "/four":
        return "a", 200, {}, "extra"
    if path == "/bad-json":
        return {"when": object()}
    return None
"""


@pytest.fixture
def views(corolla_plugins: SyntheticPlugins, make_app: MakeApp) -> Client:
    corolla_plugins.add("views", body=VIEWS)
    return Client(make_app())


# -- view return values --------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status", "content_type", "data"),
    [
        ("/str", 200, "text/html; charset=utf-8", b"<p>hi</p>"),
        ("/bytes", 200, "text/html; charset=utf-8", b"raw"),
        ("/dict", 200, "application/json", '{"name":"café"}'.encode()),
        ("/list", 200, "application/json", b'["a",1,null]'),
        ("/created", 201, "application/json", b'{"id":7}'),
        ("/headers", 200, "text/html; charset=utf-8", b"with headers"),
        ("/response", 418, "text/plain; charset=utf-8", b"teapot"),
    ],
)
def test_return_values_become_responses(views: Client, path: str, status: int, content_type: str, data: bytes) -> None:
    r = views.get(path)
    assert r.status_code == status
    assert r.headers["Content-Type"] == content_type
    assert r.data == data


def test_tuple_status_and_headers_are_applied(views: Client) -> None:
    r = views.get("/created")
    assert r.status == "201 CREATED"
    assert r.headers["Location"] == "/things/7"
    assert views.get("/headers").headers["X-One"] == "1"


def test_werkzeug_headers_in_a_tuple(views: Client) -> None:
    r = views.get("/werkzeug-headers")
    assert (r.status_code, r.text) == (200, "h")
    assert r.headers.getlist("X-Multi") == ["1", "2"]
    r = views.get("/status-werkzeug-headers")
    assert r.status_code == 202
    assert r.headers["X-Multi"] == "1"


@pytest.mark.parametrize(
    ("path", "said"),
    [
        ("/none-in-tuple", "returned None"),
        ("/object", "returned a object"),
        ("/set", "returned a set"),
        ("/four", "returned a tuple of 4 items"),
        ("/bad-json", "returned a dict that cannot be encoded as JSON"),
    ],
)
def test_unsupported_return_values_are_a_logged_500(
    views: Client, caplog: pytest.LogCaptureFixture, path: str, said: str
) -> None:
    caplog.set_level(logging.ERROR, logger="corolla")
    r = views.get(path)
    assert r.status_code == 500
    assert b"Internal Server Error" in r.data
    assert said not in r.text  # not in debug mode: nothing leaks to the client
    (record,) = [rec for rec in caplog.records if rec.name == "corolla"]
    assert record.levelno == logging.ERROR
    assert f"'GET {path}'" in record.getMessage()
    assert record.exc_info is not None
    assert said in str(record.exc_info[1])
    if "JSON" not in said:  # the JSON message comes from the encoder, without the request
        assert f"the view for GET {path} returned" in str(record.exc_info[1])


def test_wrapper_returning_none_is_a_500_saying_so(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp, caplog: pytest.LogCaptureFixture
) -> None:
    corolla_plugins.add("views", body=VIEWS)
    corolla_plugins.add(
        "swallow",
        body="""
        @hookimpl
        def corolla_wrap_request(self, app, handler):
            def wrapped(request):
                handler(request)  # forgets to return the result
            return wrapped
        """,
    )
    caplog.set_level(logging.ERROR, logger="corolla")
    r = Client(make_app()).get("/str")
    assert r.status_code == 500
    assert any("returned None" in str(rec.exc_info[1]) for rec in caplog.records if rec.exc_info)


def test_dispatch_returning_none_is_a_plain_404(views: Client) -> None:
    r = views.get("/unknown")
    assert r.status_code == 404
    assert "The requested URL was not found on the server" in r.text
    assert "dispatch" not in r.text  # the hint is only for apps without a dispatch plugin


def test_first_dispatch_result_wins_in_load_order(corolla_plugins: SyntheticPlugins, make_app: MakeApp) -> None:
    corolla_plugins.add(
        "first",
        body="""
        @hookimpl
        def corolla_dispatch(self, request):
            return "first" if request.path == "/both" else None
        """,
    )
    corolla_plugins.add(
        "second",
        requires=["first"],
        body="""
        @hookimpl
        def corolla_dispatch(self, request):
            return "second"
        """,
    )
    client = Client(make_app())
    assert client.get("/both").text == "first"
    assert client.get("/other").text == "second"


# -- attributes plugins add ----------------------------------------------------

COUNTER = """
calls = 0

@hookimpl
def corolla_request_attributes(self, app):
    return {"thing": self.make_thing}

def make_thing(self, request):
    self.calls += 1
    return "thing for " + request.path

@hookimpl
def corolla_dispatch(self, request):
    if request.path == "/touch":
        return request.thing + " / " + request.thing
    return "untouched: " + str(request.touched("thing"))
"""


def test_request_attribute_is_lazy_and_cached_per_request(corolla_plugins: SyntheticPlugins, make_app: MakeApp) -> None:
    corolla_plugins.add("counter", request_attributes=["thing"], body=COUNTER)
    app = make_app()
    plugin: Any = app.plugins["counter"]
    client = Client(app)

    assert client.get("/quiet").text == "untouched: False"
    assert plugin.calls == 0  # never touched, never computed

    assert client.get("/touch").text == "thing for /touch / thing for /touch"
    assert plugin.calls == 1  # touched twice, computed once

    client.get("/touch")
    assert plugin.calls == 2  # cached per request, not across requests


def test_request_attribute_lives_on_the_apps_request_class_only(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp
) -> None:
    corolla_plugins.add("counter", request_attributes=["thing"], body=COUNTER)
    app = make_app()
    assert issubclass(app.request_class, Request)
    assert "thing" in vars(app.request_class)
    assert not hasattr(Request, "thing")  # no global state: other apps do not see it


def test_app_attributes_are_applied(corolla_plugins: SyntheticPlugins, make_app: MakeApp) -> None:
    corolla_plugins.add(
        "greeter",
        app_attributes=["greet", "greeting"],
        settings={"greeting": "Setting(str, 'hello')"},
        body="""
        @hookimpl
        def corolla_app_attributes(self, app):
            return {"greet": self.greet, "greeting": self.config["greeting"]}

        def greet(self, who):
            return self.config["greeting"] + ", " + who
        """,
    )
    app: Any = make_app(config={"greeter": {"greeting": "ahoy"}})
    assert app.greeting == "ahoy"
    assert app.greet("ada") == "ahoy, ada"


@pytest.mark.parametrize(
    ("kind", "declared", "returned", "said"),
    [
        ("app", ["one"], {"two": 2}, ["returned two without declaring it in app_attributes", "declares one"]),
        ("app", ["one", "two"], {"one": 1}, ["declares two in app_attributes but did not return it"]),
        (
            "request",
            ["one"],
            {"one": None, "extra": None},
            ["returned extra without declaring it in request_attributes"],
        ),
    ],
)
def test_declared_and_returned_attributes_must_match(
    corolla_plugins: SyntheticPlugins,
    make_app: MakeApp,
    journal: list[Any],
    kind: str,
    declared: list[str],
    returned: dict[str, Any],
    said: list[str],
) -> None:
    corolla_plugins.add(
        "attrs",
        version="2.5",
        **{f"{kind}_attributes": declared},  # type: ignore[arg-type]
        body=f"""
        @hookimpl
        def corolla_{kind}_attributes(self, app):
            return {returned!r}

        @hookimpl
        def corolla_startup(self, app):
            from corolla_test_journal import calls
            calls.append("started")
        """,
    )
    with pytest.raises(PluginError) as info:
        make_app()
    assert info.value.plugin == "attrs"
    message = str(info.value)
    assert "'attrs' (corolla-attrs 2.5)" in message
    for part in said:
        assert part in message
    assert f"make Plugin.{kind}_attributes match" in message
    assert journal == []  # it never started


@pytest.mark.parametrize("kind", ["app", "request"])
def test_declared_attributes_without_the_hook_are_a_plugin_error(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp, kind: str
) -> None:
    corolla_plugins.add("attrs", **{f"{kind}_attributes": ["thing"]})  # type: ignore[arg-type]
    with pytest.raises(PluginError) as info:
        make_app()
    assert info.value.plugin == "attrs"
    assert (
        f"plugin 'attrs' (corolla-attrs 1.0) declares thing in {kind}_attributes "
        f"but does not implement corolla_{kind}_attributes"
    ) in str(info.value)


# -- the lazy Request ----------------------------------------------------------

PROBE = """
seen = None

@hookimpl
def corolla_dispatch(self, request):
    self.seen = sorted(request.__dict__)
    if request.method == "GET":
        return "only the method was read"
    what = request.headers.get("X-What")
    if what == "form":
        return dict(request.form)
    if what == "json":
        return request.json
    return {"path": request.path, "args": request.args.to_dict(flat=False), "root": request.root_path}
"""


def test_request_computes_nothing_until_touched(corolla_plugins: SyntheticPlugins, make_app: MakeApp) -> None:
    corolla_plugins.add("probe", body=PROBE)
    app = make_app()
    plugin: Any = app.plugins["probe"]
    r = Client(app).get("/some/where?x=1")
    assert r.text == "only the method was read"
    assert plugin.seen == ["app", "environ"]


def test_request_attributes_work(corolla_plugins: SyntheticPlugins, make_app: MakeApp) -> None:
    corolla_plugins.add("probe", body=PROBE)
    client = Client(make_app())
    r = client.post("/caf%C3%A9/x?a=1&a=2&b=%20", headers={"X-What": "query"})
    assert r.json == {"path": "/café/x", "args": {"a": ["1", "2"], "b": [" "]}, "root": ""}
    r = client.post("/f", data={"name": "ada", "lang": "py"}, headers={"X-What": "form"})
    assert r.json == {"name": "ada", "lang": "py"}
    r = client.post("/j", json={"n": [1, 2]}, headers={"X-What": "json"})
    assert r.json == {"n": [1, 2]}


def test_request_object_directly() -> None:
    environ = EnvironBuilder(
        path="/p/q", query_string="k=v", method="post", headers={"X-Test": "yes"}, json={"a": 1}
    ).get_environ()
    request = Request(environ)
    assert request.__dict__.keys() == {"environ", "app"}
    assert request.app is None
    assert "path" not in request.__dict__
    assert request.path == "/p/q"
    assert request.__dict__["path"] == "/p/q"  # cached after the first access
    assert "method" not in request.__dict__
    assert request.method == "POST"
    assert request.args["k"] == "v"
    assert request.headers["X-Test"] == "yes"
    assert request.json == {"a": 1}
    assert request.url == "http://localhost/p/q?k=v"
    assert request.touched("path")
    assert not request.touched("cookies")
    assert repr(request) == "<Request POST '/p/q'>"


def test_request_without_path_info() -> None:
    request = Request({"REQUEST_METHOD": "get"})
    assert request.path == "/"
    assert request.method == "GET"
    assert request.query_string == b""


FORM_VIEW = """
@hookimpl
def corolla_dispatch(self, request):
    if request.path == "/read":
        return {"fields": len(request.form)}
    return "body not read"
"""


@pytest.mark.parametrize(
    ("setting", "value", "data", "status"),
    [
        ("max_content_length", 400, {"x": "y" * 50}, 200),
        ("max_content_length", 400, {"x": "y" * 500}, 413),
        ("max_form_memory_size", 100, {"x": "y" * 200}, 413),
        ("max_form_parts", 3, {"a": "1", "b": "2"}, 200),
        ("max_form_parts", 3, {c: "1" for c in "abcdef"}, 413),
    ],
)
@pytest.mark.parametrize("content_type", ["multipart/form-data", "application/x-www-form-urlencoded"])
def test_core_request_limits(
    corolla_plugins: SyntheticPlugins,
    make_app: MakeApp,
    setting: str,
    value: int,
    data: dict[str, str],
    status: int,
    content_type: str,
) -> None:
    corolla_plugins.add("forms", body=FORM_VIEW)
    app = make_app(config={"core": {setting: value}})
    assert getattr(app.request_class, setting) == value
    client = Client(app)
    # werkzeug applies max_form_parts and max_form_memory_size to multipart
    # bodies only; the core applies them to urlencoded bodies as well.
    r = client.post("/read", data=data, content_type=content_type)
    assert r.status_code == status
    if status == 413:
        assert "Request Entity Too Large" in r.text
    else:
        assert r.json == {"fields": len(data)}


def test_body_over_the_limit_is_fine_while_nobody_reads_it(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp
) -> None:
    corolla_plugins.add("forms", body=FORM_VIEW)
    client = Client(make_app(config={"core": {"max_content_length": 10}}))
    assert client.post("/ignore", data={"x": "y" * 100}).text == "body not read"
    assert client.post("/read", data={"x": "y" * 100}).status_code == 413


def test_a_huge_urlencoded_form_is_refused_before_it_is_parsed(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp
) -> None:
    corolla_plugins.add("forms", body=FORM_VIEW)
    client = Client(make_app())
    many = "&".join(["a="] * 5000)  # 10 kB: under every byte limit, over max_form_parts (1000)
    r = client.post("/read", data=many, content_type="application/x-www-form-urlencoded")
    assert r.status_code == 413
    assert "more than 1000 fields" in r.text
    big = "a=" + "y" * 600_000  # over max_form_memory_size (500 kB), under max_content_length
    r = client.post("/read", data=big, content_type="application/x-www-form-urlencoded")
    assert r.status_code == 413
    assert "larger than 500000 bytes" in r.text
    ok = "&".join(f"f{i}=v" for i in range(1000))
    assert client.post("/read", data=ok, content_type="application/x-www-form-urlencoded").json == {"fields": 1000}


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ("&".join(f"f{i}=v" for i in range(1000)) + "&", 1000),  # a trailing separator is no field
        ("&&&".join(f"f{i}=v" for i in range(400)), 400),  # runs of separators: 1,197 "&", 400 fields
        ("&" * 2000 + "a=1", 1),
        ("a=1;b=2", 1),  # ";" is no separator (werkzeug and the standard library agree)
    ],
)
def test_the_urlencoded_field_limit_counts_fields_not_separators(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp, body: str, fields: int
) -> None:
    corolla_plugins.add("forms", body=FORM_VIEW)
    client = Client(make_app())
    r = client.post("/read", data=body, content_type="application/x-www-form-urlencoded")
    assert r.status_code == 200, r.text
    assert r.json == {"fields": fields}
    over = "&&".join(f"f{i}=v" for i in range(1001)) + "&"
    r = client.post("/read", data=over, content_type="application/x-www-form-urlencoded")
    assert r.status_code == 413
    assert "more than 1000 fields" in r.text


@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-8"]
)
def test_urlencoded_forms_decode_as_werkzeug_does(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp, content_type: str
) -> None:
    corolla_plugins.add(
        "forms",
        body="""
@hookimpl
def corolla_dispatch(self, request):
    return {"form": [[k, v] for k, v in request.form.items(multi=True)]}
""",
    )
    client = Client(make_app())

    def form(body: bytes) -> Any:
        return client.post("/", data=body, content_type=content_type).json["form"]

    assert form(b"a=1+2&b=%C3%A9%26&a=&c&=d&e=x=y") == [
        ["a", "1 2"], ["a", ""], ["b", "\u00e9&"], ["c", ""], ["", "d"], ["e", "x=y"]
    ]  # fmt: skip
    assert form(b"bad=%FF%C3&nul=%00x") == [["bad", "%FF%C3"], ["nul", "\x00x"]]
    assert form(b"raw=\xff") == []  # not UTF-8: an empty form, as werkzeug's parser gives


def test_default_request_limits(corolla_plugins: SyntheticPlugins, make_app: MakeApp) -> None:
    app = make_app()
    assert app.request_class.max_content_length == 16 * 1024 * 1024
    assert app.request_class.max_form_memory_size == 500_000
    assert app.request_class.max_form_parts == 1000


# -- the request pipeline: corolla_wrap_request --------------------------------


def wrapper(name: str) -> str:
    return f"""
    @hookimpl
    def corolla_wrap_request(self, app, handler):
        from corolla_test_journal import calls

        def wrapped(request):
            calls.append("enter {name}")
            try:
                return handler(request)
            finally:
                calls.append("exit {name}")

        return wrapped
    """


DISPATCH_JOURNAL = """
@hookimpl
def corolla_dispatch(self, request):
    from corolla_test_journal import calls
    calls.append("dispatch")
    return "ok"
"""


NO_WRAPPER = """
@hookimpl
def corolla_wrap_request(self, app, handler):
    return None
"""


def test_wrappers_nest_first_in_load_order_outermost(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp, journal: list[Any]
) -> None:
    # Names sort against the dependency order: 'zeta' must load (and wrap) before 'alpha'.
    corolla_plugins.add("zeta", body=wrapper("zeta"))
    corolla_plugins.add("alpha", requires=["zeta"], body=wrapper("alpha"))
    corolla_plugins.add("views", body=DISPATCH_JOURNAL)
    corolla_plugins.add("quiet", body=NO_WRAPPER)
    app = make_app()
    order = list(app.resolution.order)
    assert order.index("zeta") < order.index("alpha")
    assert app.pipeline == [name for name in order if name in {"zeta", "alpha"}]
    assert "quiet" not in app.pipeline

    assert Client(app).get("/").text == "ok"
    enters = [c for c in journal if str(c).startswith("enter")]
    assert enters == [f"enter {name}" for name in app.pipeline]
    assert journal == [*enters, "dispatch", *[c.replace("enter", "exit") for c in reversed(enters)]]


def test_wrapper_that_returns_none_leaves_the_handler_alone(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp
) -> None:
    corolla_plugins.add("quiet", body=NO_WRAPPER)
    app = make_app()
    assert app.pipeline == []
    assert Client(app).get("/").status_code == 404


def test_wrapper_can_answer_without_calling_the_handler(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp, journal: list[Any]
) -> None:
    corolla_plugins.add("views", body=DISPATCH_JOURNAL)
    corolla_plugins.add(
        "gate",
        body="""
        @hookimpl
        def corolla_wrap_request(self, app, handler):
            def wrapped(request):
                if request.path == "/private":
                    return "no", 403
                return handler(request)
            return wrapped
        """,
    )
    client = Client(make_app())
    assert client.get("/private").status_code == 403
    assert journal == []
    assert client.get("/public").text == "ok"
    assert journal == ["dispatch"]


def test_wrap_request_returning_a_non_callable_is_a_plugin_error(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp
) -> None:
    corolla_plugins.add(
        "odd",
        body="""
        @hookimpl
        def corolla_wrap_request(self, app, handler):
            return "not a function"
        """,
    )
    with pytest.raises(PluginError, match=r"'odd' \(corolla-odd 1.0\): corolla_wrap_request returned 'not a function'"):
        make_app()


# -- hook order and the lifecycle ----------------------------------------------


def lifecycle(name: str, fail_in: str = "") -> str:
    hooks = []
    for hook in ("corolla_configure", "corolla_startup", "corolla_shutdown"):
        fail = f"raise RuntimeError('{name} cannot {hook}')" if hook == fail_in else "pass"
        hooks.append(
            f"""
            @hookimpl
            def {hook}(self, app):
                from corolla_test_journal import calls
                calls.append(("{hook.removeprefix("corolla_")}", "{name}", app))
                {fail}
            """
        )
    return "".join(hooks)


def events(journal: list[Any]) -> list[tuple[str, str]]:
    return [(what, who) for what, who, _ in journal]


def test_hooks_run_in_load_order_and_shutdown_in_reverse(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp, journal: list[Any]
) -> None:
    corolla_plugins.add("c", requires=["b"], body=lifecycle("c"))
    corolla_plugins.add("b", requires=["a"], body=lifecycle("b"))
    corolla_plugins.add("a", body=lifecycle("a"))
    app = make_app()
    assert list(app.resolution.order) == ["a", "b", "c"]
    assert events(journal) == [
        ("configure", "a"),
        ("configure", "b"),
        ("configure", "c"),
        ("startup", "a"),
        ("startup", "b"),
        ("startup", "c"),
    ]
    assert all(entry[2] is app for entry in journal)
    journal.clear()
    app.close()
    assert events(journal) == [("shutdown", "c"), ("shutdown", "b"), ("shutdown", "a")]
    journal.clear()
    app.close()  # idempotent
    assert journal == []


def test_with_app_shuts_down(corolla_plugins: SyntheticPlugins, make_app: MakeApp, journal: list[Any]) -> None:
    corolla_plugins.add("b", requires=["a"], body=lifecycle("b"))
    corolla_plugins.add("a", body=lifecycle("a"))
    with make_app() as app:
        assert isinstance(app, App)
        journal.clear()
    assert events(journal) == [("shutdown", "b"), ("shutdown", "a")]


def test_request_hooks_run_in_load_order(corolla_plugins: SyntheticPlugins, make_app: MakeApp) -> None:
    for name, requires in (("mid", ["low"]), ("low", []), ("high", ["mid"])):
        corolla_plugins.add(
            name,
            requires=requires,
            body=f"""
            @hookimpl
            def corolla_response(self, request, response):
                response.headers.add("X-Order", "{name}")
            """,
        )
    app = make_app()
    assert list(app.resolution.order) == ["low", "mid", "high"]
    assert Client(app).get("/").headers.getlist("X-Order") == ["low", "mid", "high"]


def test_teardown_runs_in_reverse_load_order(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp, journal: list[Any]
) -> None:
    for name, requires in (("b", ["a"]), ("a", [])):
        corolla_plugins.add(
            name,
            requires=requires,
            body=f"""
            @hookimpl
            def corolla_teardown(self, request, exception):
                from corolla_test_journal import calls
                calls.append(("{name}", request.path, exception))
            """,
        )
    Client(make_app()).get("/x")
    assert journal[0][:2] == ("b", "/x")
    assert journal[1][:2] == ("a", "/x")
    assert journal[0][2].code == 404  # the NotFound no dispatch plugin raised


def test_teardown_runs_on_the_fast_path_before_the_response_starts(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp, journal: list[Any]
) -> None:
    corolla_plugins.add(
        "site",
        body="""
        @hookimpl
        def corolla_dispatch(self, request):
            return "page"

        @hookimpl
        def corolla_teardown(self, request, exception):
            from corolla_test_journal import calls
            calls.append(("teardown", request.path, exception))
        """,
    )
    app = make_app()
    assert app._pipeline.fast  # a teardown hook needs no werkzeug Response

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        journal.append(("start_response", status))

    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/p", "SERVER_NAME": "x", "SERVER_PORT": "80"}
    assert list(app(environ, start_response)) == [b"page"]
    assert journal == [("teardown", "/p", None), ("start_response", "200 OK")]


def test_shutdown_only_plugin_is_shut_down(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp, journal: list[Any]
) -> None:
    corolla_plugins.add(
        "pool",
        body="""
        @hookimpl
        def corolla_shutdown(self):
            from corolla_test_journal import calls
            calls.append("pool closed")
        """,
    )
    make_app().close()
    assert journal == ["pool closed"]


def test_shutdown_failure_is_logged_and_others_still_shut_down(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp, journal: list[Any], caplog: pytest.LogCaptureFixture
) -> None:
    corolla_plugins.add("b", requires=["a"], body=lifecycle("b", fail_in="corolla_shutdown"))
    corolla_plugins.add("a", body=lifecycle("a"))
    app = make_app()
    journal.clear()
    with caplog.at_level(logging.ERROR, logger="corolla"):
        app.close()
    assert events(journal) == [("shutdown", "b"), ("shutdown", "a")]
    (record,) = caplog.records
    assert "'b' (corolla-b 1.0) failed in corolla_shutdown" in record.getMessage()
    assert record.exc_info is not None
    assert str(record.exc_info[1]) == "b cannot corolla_shutdown"


@pytest.mark.parametrize("fail_in", ["corolla_configure", "corolla_startup"])
def test_plugin_failing_at_start_up_unloads_everything(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp, journal: list[Any], fail_in: str
) -> None:
    corolla_plugins.add("a", body=lifecycle("a"))
    corolla_plugins.add("b", requires=["a"], version="0.3.1", body=lifecycle("b", fail_in=fail_in))
    corolla_plugins.add("c", requires=["b"], body=lifecycle("c"))
    with pytest.raises(PluginError) as info:
        make_app()
    assert info.value.plugin == "b"
    message = str(info.value)
    assert f"plugin 'b' (corolla-b 0.3.1) failed in {fail_in}" in message
    assert f"b cannot {fail_in}" in message
    assert isinstance(info.value.__cause__, RuntimeError)

    if fail_in == "corolla_configure":
        assert events(journal) == [("configure", "a"), ("configure", "b")]
    else:
        assert events(journal) == [
            ("configure", "a"),
            ("configure", "b"),
            ("configure", "c"),
            ("startup", "a"),
            ("startup", "b"),
            ("shutdown", "a"),  # it had started; 'b' and 'c' had not
        ]
    app: App = journal[0][2]
    assert app.plugins == {}
    assert not [p for p in app.plugin_manager.get_plugins() if isinstance(p, corolla.Plugin)]


@pytest.mark.parametrize(
    "hook",
    [
        "corolla_app_attributes(self, app)",
        "corolla_request_attributes(self, app)",
        "corolla_wrap_request(self, app, handler)",
    ],
)
def test_plugin_failing_while_the_pipeline_is_compiled(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp, journal: list[Any], hook: str
) -> None:
    corolla_plugins.add("a", body=lifecycle("a"))
    corolla_plugins.add(
        "b",
        requires=["a"],
        body=f"""
        @hookimpl
        def {hook}:
            raise LookupError("not today")
        """,
    )
    with pytest.raises(PluginError) as info:
        make_app()
    name = hook.split("(")[0]
    assert info.value.plugin == "b"
    assert f"plugin 'b' (corolla-b 1.0) failed in {name}: LookupError('not today')" in str(info.value)
    assert events(journal) == [("configure", "a")]  # never started, so never shut down
    assert journal[0][2].plugins == {}


def test_plugin_constructor_failing_unloads_everything(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp, journal: list[Any]
) -> None:
    corolla_plugins.add(
        "a",
        body="""
        def __init__(self, app, record, config):
            super().__init__(app, record, config)
            from corolla_test_journal import calls
            calls.append(app)
        """
        + lifecycle("a"),
    )
    corolla_plugins.add(
        "broken",
        requires=["a"],
        version="4.0",
        body="""
        def __init__(self, app, record, config):
            raise ValueError("no database URL")
        """,
    )
    with pytest.raises(PluginError) as info:
        make_app()
    assert info.value.plugin == "broken"
    assert "plugin 'broken' (corolla-broken 4.0) failed in Plugin(): ValueError('no database URL')" in str(info.value)
    app: App = journal[0]
    assert journal == [app]  # constructed only: never configured, started or shut down
    assert app.plugins == {}
    assert not [p for p in app.plugin_manager.get_plugins() if isinstance(p, corolla.Plugin)]


def test_unresolvable_set_instantiates_no_plugin(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp, journal: list[Any]
) -> None:
    corolla_plugins.add(
        "fine",
        body="""
        def __init__(self, app, record, config):
            from corolla_test_journal import calls
            calls.append("constructed")
            super().__init__(app, record, config)
        """,
    )
    corolla_plugins.add("forms", requires=["sessions>=0.2"])
    with pytest.raises(corolla.PluginResolutionError) as info:
        make_app()
    assert "install the distribution that provides plugin 'sessions'" in str(info.value)
    assert journal == []


# -- the app itself ------------------------------------------------------------


def test_secret_key_from_config(corolla_plugins: SyntheticPlugins, make_app: MakeApp, tmp_path: Path) -> None:
    app = make_app(config={"core": {"secret_key": "s3cret"}}, root=tmp_path)
    assert app.secret_key == "s3cret"
    assert not (tmp_path / "instance").exists()


def test_secret_key_from_environment(corolla_plugins: SyntheticPlugins, make_app: MakeApp) -> None:
    app = make_app(environ={"COROLLA_CORE__SECRET_KEY": "from-env"})
    assert app.secret_key == "from-env"


def test_development_secret_key_is_made_once_in_the_instance_folder(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp, tmp_path: Path
) -> None:
    app = make_app(root=tmp_path)
    assert not (tmp_path / "instance" / "secret_key").exists()  # nothing written until asked
    key = app.secret_key
    assert len(key) >= 32
    path = tmp_path / "instance" / "secret_key"
    assert path.read_text().strip() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert app.secret_key == key
    assert make_app(root=tmp_path).secret_key == key  # the next run reuses it
    assert make_app(root=tmp_path / "other").secret_key != key


def test_instance_path_setting(corolla_plugins: SyntheticPlugins, make_app: MakeApp, tmp_path: Path) -> None:
    app = make_app(root=tmp_path, config={"core": {"instance_path": str(tmp_path / "elsewhere")}})
    assert app.instance_path == tmp_path / "elsewhere"
    app.secret_key  # noqa: B018 - creates the key file
    assert (tmp_path / "elsewhere" / "secret_key").is_file()


def test_app_root_defaults_to_the_callers_folder(corolla_plugins: SyntheticPlugins) -> None:
    app = App(plugins=[], plugin_path=corolla_plugins.path, environ={})
    try:
        assert app.root == Path(__file__).resolve().parent
    finally:
        app.close()


def test_app_repr_and_debug(corolla_plugins: SyntheticPlugins, make_app: MakeApp, tmp_path: Path) -> None:
    corolla_plugins.add("views", body=VIEWS)
    app = make_app(root=tmp_path, config={"core": {"debug": True}})
    assert app.debug is True
    assert repr(app) == f"<App {str(tmp_path)!r} [views]>"
    assert repr(make_app(plugins=[], root=tmp_path)) == f"<App {str(tmp_path)!r} [no plugins]>"


def test_the_request_knows_its_app(corolla_plugins: SyntheticPlugins, make_app: MakeApp) -> None:
    corolla_plugins.add(
        "who",
        body="""
        @hookimpl
        def corolla_dispatch(self, request):
            return "same" if request.app is self.app else "different"
        """,
    )
    assert Client(make_app()).get("/").text == "same"


def test_two_apps_in_one_process_keep_their_own_state(corolla_plugins: SyntheticPlugins, make_app: MakeApp) -> None:
    corolla_plugins.add(
        "greeter",
        settings={"word": "Setting(str, 'hi')"},
        body="""
        @hookimpl
        def corolla_dispatch(self, request):
            return self.config["word"]
        """,
    )
    one = make_app(config={"greeter": {"word": "one"}})
    two = make_app(config={"greeter": {"word": "two"}})
    assert Client(one).get("/").text == "one"
    assert Client(two).get("/").text == "two"
    assert one.plugins["greeter"] is not two.plugins["greeter"]


def test_test_client_drives_the_app(corolla_plugins: SyntheticPlugins, make_app: MakeApp) -> None:
    corolla_plugins.add(
        "echo",
        body="""
        @hookimpl
        def corolla_dispatch(self, request):
            return {"method": request.method, "q": request.args.get("q")}
        """,
    )
    response = make_app().test_client().post("/?q=1")
    assert response.status_code == 200
    assert response.json == {"method": "POST", "q": "1"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"plugins": "hello"}, "App(plugins=...) takes a list of plugin names, e.g. ['hello'], not a string"),
        ({"config": [("core", {})]}, "App(config=...) takes a mapping of sections"),
        ({"plugins": [App]}, "App(plugins=...) takes plugin names (the entry point names, as strings), not <class"),
    ],
)
def test_wrong_argument_types_are_explained(make_app: MakeApp, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(TypeError) as info:
        make_app(**kwargs)
    assert message in str(info.value)


def test_start_up_explains_its_decisions_in_the_log(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp, caplog: pytest.LogCaptureFixture
) -> None:
    corolla_plugins.add("sessions", version="0.2")
    corolla_plugins.add("forms", requires=["sessions"])
    corolla_plugins.add("admin")
    with caplog.at_level(logging.DEBUG, logger="corolla"):
        make_app(environ={"COROLLA_DISABLE_PLUGINS": "admin"})
    assert (
        "corolla 0.1.0 started with plugins in this order: 'sessions' (corolla-sessions 0.2), "
        "'forms' (corolla-forms 1.0)"
    ) in caplog.text
    assert "plugin 'admin' (corolla-admin 1.0) is disabled: disabled by COROLLA_DISABLE_PLUGINS" in caplog.text
