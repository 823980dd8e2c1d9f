"""The core's request safety: trusted hosts, the https redirect, and the security headers every response carries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from werkzeug.test import Client

import corolla
from corolla.testing import SyntheticPlugins

VIEWS_BODY = """
@hookimpl
def corolla_dispatch(self, request):
    if request.path == "/page":
        return "<p>page</p>"
    if request.path == "/data":
        return {"ok": True}
    if request.path == "/framed":
        return "framed", 200, {"X-Frame-Options": "SAMEORIGIN"}
    return None
"""


@pytest.fixture
def app_with(make_app: Callable[..., corolla.App], corolla_plugins: SyntheticPlugins) -> Callable[..., corolla.App]:
    corolla_plugins.add("views", body=VIEWS_BODY)

    def build(**core: Any) -> corolla.App:
        return make_app(["views"], {"core": {"secret_key": "k" * 50, **core}})

    return build


DEFAULTS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


@pytest.mark.parametrize("path", ["/page", "/data", "/missing"])  # the str fast path, a JSON response, a 404 page
def test_every_response_carries_the_security_headers(app_with: Callable[..., corolla.App], path: str) -> None:
    response = Client(app_with()).get(path)
    for name, value in DEFAULTS.items():
        assert response.headers.get(name) == value, name
    assert "Strict-Transport-Security" not in response.headers  # plain http: HSTS means nothing there


def test_hsts_over_https_only(app_with: Callable[..., corolla.App]) -> None:
    client = Client(app_with(hsts_seconds=600))
    assert client.get("/page", base_url="https://localhost/").headers["Strict-Transport-Security"] == "max-age=600"
    assert client.get("/data", base_url="https://localhost/").headers["Strict-Transport-Security"] == "max-age=600"
    assert "Strict-Transport-Security" not in client.get("/page").headers
    off = Client(app_with(hsts_seconds=0)).get("/page", base_url="https://localhost/")
    assert "Strict-Transport-Security" not in off.headers


def test_each_header_can_be_turned_off_and_a_views_own_header_wins(app_with: Callable[..., corolla.App]) -> None:
    app = app_with(content_type_nosniff=False, frame_options="", referrer_policy="", cross_origin_opener_policy="")
    headers = Client(app).get("/page").headers
    assert not set(DEFAULTS) & set(headers)
    framed = Client(app_with()).get("/framed").headers
    assert framed.getlist("X-Frame-Options") == ["SAMEORIGIN"]


def test_untrusted_hosts_get_a_400(app_with: Callable[..., corolla.App]) -> None:
    client = Client(app_with(trusted_hosts=["notes.example.com", ".cdn.example.com"]))
    assert client.get("/page", headers={"Host": "notes.example.com"}).status_code == 200
    assert client.get("/page", headers={"Host": "a.cdn.example.com:443"}).status_code == 200
    refused = client.get("/page", headers={"Host": "evil.example"})
    assert refused.status_code == 400 and "evil.example" in refused.text and "trusted_hosts" in refused.text


def test_the_https_redirect(app_with: Callable[..., corolla.App]) -> None:
    client = Client(app_with(ssl_redirect=True, trusted_hosts=["notes.example.com"]))
    response = client.get("/page?x=1", headers={"Host": "notes.example.com"})
    assert response.status_code == 301
    assert response.headers["Location"] == "https://notes.example.com/page?x=1"
    assert client.get("/page", base_url="https://notes.example.com/").status_code == 200
    # An untrusted Host never makes it into a Location.
    assert client.get("/page", headers={"Host": "evil.example"}).status_code == 400


@pytest.mark.parametrize(
    ("setting", "value"),
    [("frame_options", "ALLOW"), ("hsts_seconds", -1), ("trusted_hosts", ["bad host"])],
)
def test_bad_security_settings_stop_the_app(app_with: Callable[..., corolla.App], setting: str, value: Any) -> None:
    with pytest.raises(corolla.ConfigError, match=rf"\[core\] {setting}"):
        app_with(**{setting: value})


def test_the_instance_folder_is_private(make_app: Callable[..., corolla.App]) -> None:
    import stat

    app = make_app()
    assert app.secret_key  # the development key is generated in the instance folder
    assert stat.S_IMODE(app.instance_path.stat().st_mode) == 0o700


def test_app_run_keeps_the_debugger_off_on_a_network_address(corolla_plugins: SyntheticPlugins, tmp_path: Any) -> None:
    # The interactive debugger runs any code a visitor types: only on loopback, as `corolla run --debug`.
    import sys
    import urllib.error
    import urllib.request

    import servers

    corolla_plugins.add(
        "boom", body="@hookimpl\ndef corolla_dispatch(self, request):\n    raise RuntimeError('boom')\n"
    )
    script = (
        "import sys; from corolla import App; "
        f"app = App({{'core': {{'secret_key': 'k' * 50}}}}, ['boom'], root={str(tmp_path)!r}, "
        f"plugin_path={corolla_plugins.path!r}, environ={{}}); "
        "app.run(host='0.0.0.0', port=0, debug=True)"
    )
    import os

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(corolla_plugins.path)}
    with servers.announced([sys.executable, "-c", script], cwd=tmp_path, env=env) as server:
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(f"http://127.0.0.1:{server.port}/", timeout=10)
        page = info.value.read().decode()
        assert info.value.code == 500
        assert "__debugger__" not in page  # no interactive console
    output = server.output
    assert "not a loopback address: the interactive debugger" in output
