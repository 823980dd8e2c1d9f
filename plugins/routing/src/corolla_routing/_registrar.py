"""The route-registering methods shared by the app and by ``Router`` groups."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

View = Callable[..., Any]
V = TypeVar("V", bound=View)


class Registrar:
    """``route``, ``get``, ``post``, ``put``, ``patch``, ``delete`` on top of ``add_url_rule``."""

    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view: View | None = None,
        *,
        methods: Iterable[str] | None = None,
        **rule_options: Any,
    ) -> None:
        raise NotImplementedError

    def route(
        self, rule: str, *, endpoint: str | None = None, methods: Iterable[str] | None = None, **rule_options: Any
    ) -> Callable[[V], V]:
        """Decorator: ``@app.route("/users/<int:user_id>", methods=["GET", "POST"])``.

        The view is called as ``view(request, **url_values)``. ``rule_options``
        go to werkzeug's ``Rule`` (``defaults``, ``strict_slashes``,
        ``subdomain``, ``host``, ``redirect_to``, ``merge_slashes``...).
        """
        if isinstance(methods, str):
            raise TypeError(f"methods takes a list of method names, e.g. [{methods!r}], not a string")

        def decorator(view: V) -> V:
            self.add_url_rule(rule, endpoint, view, methods=methods, **rule_options)
            return view

        return decorator

    def get(self, rule: str, **options: Any) -> Callable[[V], V]:
        """``@app.get(rule)``: ``route(rule, methods=["GET"])`` (HEAD and OPTIONS come with it)."""
        return self.route(rule, methods=["GET"], **options)

    def post(self, rule: str, **options: Any) -> Callable[[V], V]:
        """``@app.post(rule)``: ``route(rule, methods=["POST"])``."""
        return self.route(rule, methods=["POST"], **options)

    def put(self, rule: str, **options: Any) -> Callable[[V], V]:
        """``@app.put(rule)``: ``route(rule, methods=["PUT"])``."""
        return self.route(rule, methods=["PUT"], **options)

    def patch(self, rule: str, **options: Any) -> Callable[[V], V]:
        """``@app.patch(rule)``: ``route(rule, methods=["PATCH"])``."""
        return self.route(rule, methods=["PATCH"], **options)

    def delete(self, rule: str, **options: Any) -> Callable[[V], V]:
        """``@app.delete(rule)``: ``route(rule, methods=["DELETE"])``."""
        return self.route(rule, methods=["DELETE"], **options)
