"""Timing WSGI apps in-process: timeit loops, interleaved rounds, medians.

Every app is called exactly the same way: ``app(environ.copy(), start_response)``
with a prebuilt environ and a no-op ``start_response``, then the body is
iterated and ``close()`` called when the app returned something closable, as a
WSGI server would. The statement is compiled by ``timeit`` into its own loop
(no Python call per iteration besides the app itself), and ``timeit`` switches
the garbage collector off while it times, as it always does.

The cases are timed in rounds: one repeat of every case per round, the order
rotating from round to round, so drift on the machine (frequency scaling, a
neighbour waking up) spreads over all cases instead of landing on one of them.
That is what makes the ratios of one run comparable.
"""

from __future__ import annotations

import statistics
import timeit
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from werkzeug.test import EnvironBuilder

WSGIApp = Callable[..., Iterable[bytes]]

HELLO = b"Hello, World!"

STATEMENT = """\
result = app(environ.copy(), start_response)
for chunk in result:
    pass
close = getattr(result, "close", None)
if close is not None:
    close()
"""


def make_environ() -> dict[str, Any]:
    """A GET / as a browser-less client sends it; copied before every call."""
    return EnvironBuilder(path="/", headers=[("User-Agent", "corolla-bench/1.0"), ("Accept", "*/*")]).get_environ()


def start_response(status: str, headers: list[tuple[str, str]], exc_info: object = None) -> Callable[[bytes], None]:
    """A no-op, as cheap as a start_response can be."""
    return _write


def _write(data: bytes) -> None:
    pass


def check(name: str, app: WSGIApp, environ: dict[str, Any], body: bytes = HELLO, status: int = 200) -> None:
    """Call ``app`` once and insist on ``status`` (and ``body`` for a 200): timing a 404 would flatter it."""
    seen: list[str] = []

    def recording_start_response(status: str, headers: list[tuple[str, str]], exc_info: object = None) -> Any:
        seen.append(status)
        return _write

    result = app(environ.copy(), recording_start_response)
    try:
        got = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    if not seen or not seen[0].startswith(str(status)) or (status == 200 and got != body):
        raise RuntimeError(f"{name}: expected {status} {body!r}, got {seen[:1]} {got!r}; the benchmark would be wrong")


@dataclass
class Case:
    """One app under the timer; ``samples`` are per-call seconds, one per repeat."""

    name: str
    app: WSGIApp
    number: int = 0
    samples: list[float] = field(default_factory=list)

    @property
    def median_us(self) -> float:
        return statistics.median(self.samples) * 1e6

    def summary(self) -> dict[str, Any]:
        us = sorted(s * 1e6 for s in self.samples)
        q = statistics.quantiles(us, n=4) if len(us) >= 2 else [us[0]] * 3
        return {
            "median_us": round(self.median_us, 4),
            "min_us": round(us[0], 4),
            "q1_us": round(q[0], 4),
            "q3_us": round(q[2], 4),
            "repeats": len(us),
            "calls_per_repeat": self.number,
        }


def _timer(app: WSGIApp, environ: dict[str, Any]) -> timeit.Timer:
    return timeit.Timer(STATEMENT, globals={"app": app, "environ": environ, "start_response": start_response})


def measure(
    cases: list[Case],
    environ: dict[str, Any],
    *,
    repeats: int,
    seconds_per_repeat: float,
    progress: Callable[[str], None] = lambda _: None,
) -> None:
    """Fill every case's ``samples``: ``repeats`` rounds, each repeat about ``seconds_per_repeat`` long."""
    timers = {case.name: _timer(case.app, environ) for case in cases}
    for case in cases:
        timer = timers[case.name]
        timer.timeit(200)  # warm-up: first-call caches, lazy imports
        per_call = timer.timeit(1000) / 1000
        case.number = max(100, int(seconds_per_repeat / per_call))
    for round_no in range(repeats):
        shift = round_no % len(cases)
        for case in cases[shift:] + cases[:shift]:
            case.samples.append(timers[case.name].timeit(case.number) / case.number)
        progress(f"round {round_no + 1}/{repeats}")


def time_apps(
    apps: Mapping[str, WSGIApp],
    environ: dict[str, Any],
    bodies: Mapping[str, bytes],
    *,
    repeats: int,
    seconds_per_repeat: float,
) -> dict[str, float]:
    """Check each app answers 200 with ``bodies[name]``, time them interleaved: median µs per app."""
    for name, app in apps.items():
        check(name, app, environ, bodies[name])
    cases = [Case(name, app) for name, app in apps.items()]
    measure(cases, environ, repeats=repeats, seconds_per_repeat=seconds_per_repeat)
    return {case.name: case.median_us for case in cases}


def close_apps(apps: Iterable[WSGIApp]) -> None:
    """Close the apps that can be closed (Corolla's ``App.close``)."""
    for app in apps:
        close = getattr(app, "close", None)
        if close is not None:
            close()
