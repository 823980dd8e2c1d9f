"""A compiled matcher in front of werkzeug's: one regex per route shape, found by the path's first segment.

werkzeug's ``StateMachineMatcher`` walks a tree of path segments in Python,
compiling (through ``re``'s cache) and trying each dynamic transition, and
``MapAdapter.match`` wraps it in redirect and method bookkeeping: about
4 µs for one int parameter. Here each route's path is compiled once, at
freeze, into one anchored regex of its static text and its converters' own
``regex``; routes whose first segment is static text are indexed by it (a
dict), the others (``/<slug>``) are tried for every path. A path costs a dict
lookup, a regex match per candidate shape and the converters' ``to_python``
(so custom converters and converter arguments such as ``min``/``max`` keep
their meaning): about 1 µs.

The compiled matcher only answers when its answer is werkzeug's:

- exactly one shape matches the path, and one of its routes (in werkzeug's
  order) accepts the method, and every converter accepts its value: that
  route; when werkzeug would have had a choice to make (two shapes match), a
  405, a converter refusing its value, a path converter ending in ``/``:
  ``None``, and werkzeug decides (same answers, its usual speed);
- no shape matches the path, nor the path with a slash added (werkzeug's
  strict-slashes redirect), and the path has no ``//`` (its merge-slashes
  redirect): ``NO_ROUTE``, the 404 werkzeug would give.

It is not built at all when werkzeug's answer depends on more than the path
and the method: host or subdomain matching, routes with ``redirect_to``,
``defaults`` (werkzeug may redirect to the defaults' URL), ``alias``, a host,
a subdomain or websockets.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from werkzeug.routing import ValidationError

if TYPE_CHECKING:
    from werkzeug.routing import Map, Rule

#: match() found that no route matches: werkzeug would raise NotFound.
NO_ROUTE: Any = object()


class Shape:
    """The routes sharing one path pattern (``/items/<int:id>`` for GET and for PUT), in werkzeug's order."""

    __slots__ = ("converters", "fullmatch", "raw_values", "rules")

    def __init__(self, pattern: str, converters: list[tuple[str, Callable[[str], Any], bool]]) -> None:
        self.fullmatch = re.compile(pattern).fullmatch
        #: (argument name, converter.to_python, part_isolating), in the rule's order.
        self.converters = converters
        names = tuple(f"_c{i}" for i in range(len(converters)))
        self.raw_values: Callable[[re.Match[str]], tuple[str, ...]]
        if not names:
            self.raw_values = lambda m: ()
        elif len(names) == 1:
            self.raw_values = lambda m: (m.group(names[0]),)
        else:
            self.raw_values = lambda m: m.group(*names)
        self.rules: list[Rule] = []


def _pattern(rule: Rule) -> tuple[str, str | None, list[tuple[str, Callable[[str], Any], bool]]]:
    """(regex of the path, the static first segment or None, converters) from werkzeug's parse of the rule."""
    trace = rule._trace[rule._trace.index((False, "|")) + 1 :]
    if not rule.strict_slashes and trace and trace[-1] == (False, "/") and len(trace) > 1:
        trace = trace[:-1]  # "/a/" without strict slashes also matches "/a": the slash is optional below
    pieces: list[str] = []
    converters: list[tuple[str, Callable[[str], Any], bool]] = []
    first: list[str] | None = []
    segment = 0
    for dynamic, data in trace:
        if dynamic:
            converter = rule._converters[data]
            # Named, so groups inside a converter's own regex do not shift the values.
            pieces.append(f"(?P<_c{len(converters)}>{converter.regex})")
            converters.append((data, converter.to_python, bool(converter.part_isolating)))
            if segment == 1:
                first = None
        elif data == "/":
            pieces.append("/")
            segment += 1
        else:
            pieces.append(re.escape(data))
            if segment == 1 and first is not None:
                first.append(data)
    pattern = "".join(pieces)
    if not rule.strict_slashes:
        pattern += "/?"
    return pattern, "".join(first) if first is not None else None, converters


def _slashed(shapes: list[Shape]) -> list[Shape]:
    """The shapes of strict-slash routes ending in "/": only those make werkzeug redirect to add a slash."""
    return [shape for shape in shapes if any(r.strict_slashes and r.rule.endswith("/") for r in shape.rules)]


def _compilable(rule: Rule) -> bool:
    return (
        rule.redirect_to is None
        and not rule.defaults
        and not rule.alias
        and not rule.websocket
        and not rule.host
        and not rule.subdomain
        and not rule.build_only
    )


class CompiledMatcher:
    """Built once the table is frozen, read by every request (it is never changed afterwards)."""

    def __init__(self, buckets: dict[str, list[Shape]], loose: list[Shape], merge_slashes: bool) -> None:
        #: first segment -> (the shapes to try, those of them ending in a strict "/").
        self.buckets = {first: (shapes, _slashed(shapes)) for first, shapes in buckets.items()}
        self.loose = (loose, _slashed(loose))
        self.merge_slashes = merge_slashes

    @classmethod
    def build(cls, url_map: Map, rules: Sequence[Rule]) -> CompiledMatcher | None:
        """The matcher for ``rules``, or None when werkzeug must answer every request (see the module docstring)."""
        if url_map.host_matching:
            return None
        matchable = [rule for rule in rules if not rule.build_only]
        if not all(_compilable(rule) for rule in matchable):
            return None
        shapes: dict[tuple[str, bool], Shape] = {}
        by_first: dict[str, list[Shape]] = {}
        loose: list[Shape] = []
        for rule in matchable:
            pattern, first, converters = _pattern(rule)
            key = (pattern, bool(rule.strict_slashes))
            shape = shapes.get(key)
            if shape is None:
                shape = shapes[key] = Shape(pattern, converters)
                (loose if first is None else by_first.setdefault(first, [])).append(shape)
            # werkzeug keeps a state's rules in the order they were added, and tries them in that order.
            shape.rules.append(rule)
        buckets = {first: found + loose for first, found in by_first.items()}
        return cls(buckets, loose, url_map.merge_slashes)

    def match(self, path: str, method: str) -> Any:
        """(route, values), ``NO_ROUTE``, or None: ask werkzeug. ``path`` starts with ``/``."""
        candidates, slashed = self.buckets.get(path[1:].partition("/")[0], self.loose)
        found = groups = None
        for shape in candidates:
            m = shape.fullmatch(path)
            if m is not None:
                if found is not None:
                    return None  # two shapes match: werkzeug's order decides
                found, groups = shape, shape.raw_values(m)
        if slashed:
            # werkzeug redirects "/a" to "/a/" as soon as its walk reaches a route "/a/" (static
            # segments before dynamic ones), even when a later route matches "/a" itself.
            with_slash = path + "/"
            for shape in slashed:
                if shape.fullmatch(with_slash) is not None:
                    return None
        if found is None or groups is None:
            if "//" in path and self.merge_slashes:
                return None  # werkzeug may redirect to the merged path
            return NO_ROUTE
        for rule in found.rules:
            if rule.methods is None or method in rule.methods:
                break
        else:
            return None  # 405 (or a redirect): werkzeug says which methods
        values: dict[str, Any] = {}
        for (name, to_python, isolating), raw in zip(found.converters, groups, strict=True):
            if "/" in raw and (isolating or raw[-1] == "/"):
                return None  # werkzeug matches segment by segment; let it
            try:
                values[name] = to_python(raw)
            except ValidationError:
                # werkzeug: no match, a 405 if a route before this one had the path but not the method.
                return NO_ROUTE if rule is found.rules[0] else None
            except (ValueError, OverflowError):
                return NO_ROUTE  # what the routing plugin makes of werkzeug raising these (int() of 5,000 digits)
        return rule, values
