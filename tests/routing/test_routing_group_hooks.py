"""A route group's before_request / after_request / teardown_request: for its routes only."""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.test import Client

from corolla import App, Request
from corolla_routing import Router, RoutingError


def test_group_hooks_run_for_the_groups_routes_only(app: App, client: Client) -> None:
    admin = Router("/admin", name="admin")
    calls: list[str] = []

    @admin.before_request
    def only_admins(request: Request) -> Any:
        calls.append("before")
        return ("admins only", 403) if request.args.get("who") != "root" else None

    @admin.after_request
    def no_cache(request: Request, response: Any) -> None:
        response.headers["Cache-Control"] = "no-store"

    @admin.teardown_request
    def done(request: Request, exception: Exception | None) -> None:
        calls.append(f"teardown {exception!r}")

    @admin.get("/")
    def dashboard(request: Request) -> str:
        return "dashboard"

    @admin.get("/boom")
    def boom(request: Request) -> str:
        raise RuntimeError("boom")

    app.include(admin)
    app.get("/")(lambda request: "public")

    refused = client.get("/admin/")
    assert (refused.status_code, refused.text) == (403, "admins only")
    assert refused.headers["Cache-Control"] == "no-store"  # after_request sees the early answer too
    allowed = client.get("/admin/?who=root")
    assert (allowed.text, allowed.headers["Cache-Control"]) == ("dashboard", "no-store")
    assert client.get("/admin/boom?who=root").status_code == 500
    assert calls == ["before", "teardown None", "before", "teardown None", "before", "teardown RuntimeError('boom')"]

    public = client.get("/")
    assert public.text == "public" and "Cache-Control" not in public.headers
    assert len(calls) == 6  # the app's own route ran none of them


def test_a_grouped_view_keeps_its_name_and_endpoint(app: App) -> None:
    group = Router(name="g")
    group.before_request(lambda request: None)

    @group.get("/x")
    @group.get("/y")
    def same_view(request: Request) -> str:
        return "x"

    app.include(group)  # one view on two rules: not a duplicate endpoint
    rules = {rule.rule: rule for rule in app.url_map.iter_rules()}
    assert rules["/x"].endpoint == rules["/y"].endpoint == "g.same_view"
    assert rules["/x"].view.__name__ == "same_view"


def test_hooks_are_registered_before_the_group_is_included(app: App) -> None:
    group = Router(name="late")
    app.include(group)
    with pytest.raises(RoutingError, match=r"already included in an app; register its before_request functions before"):
        group.before_request(lambda request: None)
