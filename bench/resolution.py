"""500 plugins: the pure ``resolve()``, and discovery + load + resolution + ``App()`` on disk.

Both scenarios use one dependency shape (``shape``), deterministic for a
seed. Plugins ``p000``..``p499`` form chains (most plugins require the one
before), fan in on a few popular roots (as every plugin needing sessions
does), require capabilities that a handful of plugins provide (half pinned
with ``name==x``, half at the provider's version), integrate optionally with
earlier plugins and with absent ones, declare conflicts with absent plugins,
and give ``before``/``after`` hints. Every edge points from a lower index to a
higher one, so the set resolves (no cycle); the benchmark checks it did and
that all of them loaded.

(a) builds the ``PluginRecord``s in memory, parsing each declaration with the
same ``parse_declaration`` discovery uses, and times ``resolve()`` alone.

(b) writes the plugins as real distributions (``SyntheticPlugins``: module,
``.dist-info`` with METADATA and entry points) and times, in a fresh
interpreter per run, ``App(plugin_path=[folder])``: discovery of 500
distributions, 500 imports, resolution, config, registration with pluggy and
compiling the pipeline. A second subprocess splits that into phases.
"""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from corolla import App, Plugin, PluginRecord, Request, Setting, resolve
from corolla import __version__ as core_version
from corolla._planning import parse_declaration
from corolla._synthetic import SyntheticPlugins

SEED = 2026
ROOTS = 20
POPULAR = 5  # roots most plugins fan in on
CAPABILITIES = 10


def _name(i: int) -> str:
    return f"p{i:03d}"


def _version(i: int) -> str:
    return f"1.{i % 10}.{i % 3}"


def shape(n: int, seed: int = SEED) -> list[dict[str, Any]]:
    """``n`` plugin declarations: keyword arguments of ``SyntheticPlugins.add`` plus ``name``."""
    rng = random.Random(seed)
    providers = {rng.randrange(ROOTS, n // 2): f"cap-{k}" for k in range(CAPABILITIES)}
    cap_versions: dict[str, str] = {}
    specs: list[dict[str, Any]] = []
    for i in range(n):
        requires: list[str] = []
        provides: list[str] = []
        optional: list[str] = []
        conflicts: list[str] = []
        before: list[str] = []
        after: list[str] = []
        if i in providers:
            cap = providers[i]
            if len(cap_versions) % 2:
                provides.append(f"{cap}==2.{i % 5}")
                cap_versions[cap] = f"2.{i % 5}"
            else:
                provides.append(cap)
                cap_versions[cap] = _version(i)
        if i >= ROOTS:
            if rng.random() < 0.7:  # chains
                requires.append(f"{_name(i - 1)}>=1.0")
            for _ in range(rng.choice((0, 1, 1, 2, 3))):  # fan-in
                j = rng.randrange(POPULAR) if rng.random() < 0.6 else rng.randrange(i - 1)
                requires.append(f"{_name(j)}>=1.0,<2")
            offered = [c for p, c in providers.items() if p < i]
            if offered and rng.random() < 0.15:
                cap = rng.choice(offered)
                requires.append(f"{cap}>={cap_versions[cap].split('.')[0]}.0")
            if rng.random() < 0.2:
                optional.append(_name(rng.randrange(i)))
            if rng.random() < 0.1:
                after.append(_name(rng.randrange(i)))
        if rng.random() < 0.05:
            optional.append(f"absent-{i}")
        if rng.random() < 0.02:
            conflicts.append(f"absent-{i}<1")
        if i < n - 1 and rng.random() < 0.1:
            before.append(_name(rng.randrange(i + 1, n)))
        specs.append(
            {
                "name": _name(i),
                "version": _version(i),
                "requires": _dedupe(requires),
                "provides": provides,
                "optional": optional,
                "conflicts": conflicts,
                "before": before,
                "after": after,
                "core": ">=0.1" if i % 3 == 0 else "",
                "settings": {"level": "Setting(int, 1)"} if i % 10 == 0 else None,
                # A quarter implement a start-up hook, so registration has work to do.
                "body": "@hookimpl\ndef corolla_configure(self, app):\n    pass\n" if i % 4 == 0 else "",
            }
        )
    return specs


def _dedupe(requires: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for req in requires:
        seen.setdefault(req.split(">")[0].split("<")[0], req)
    return list(seen.values())


def reserved() -> dict[str, frozenset[str]]:
    """The attribute names ``App`` reserves, so resolution does the same checks as in ``App()``."""

    def public(cls: type) -> frozenset[str]:
        return frozenset(name for name in dir(cls) if not name.startswith("_"))

    return {"reserved_app": public(App), "reserved_request": public(Request)}


def records(specs: list[dict[str, Any]]) -> list[PluginRecord]:
    """In-memory records, as ``discover`` + ``load_declaration`` would produce them."""
    from packaging.specifiers import SpecifierSet

    out = []
    for spec in specs:
        keys = ("requires", "provides", "optional", "conflicts", "before", "after")
        attrs: dict[str, Any] = {key: spec[key] for key in keys}
        attrs["core"] = spec["core"]
        if spec["settings"]:
            attrs["settings"] = {"level": Setting(int, 1)}
        cls = type(f"Plugin_{spec['name']}", (Plugin,), attrs)
        name = spec["name"]
        out.append(
            PluginRecord(
                name=name,
                distribution=f"corolla-{name}",
                version=spec["version"],
                entry_point=f"synth_corolla_{name}:Plugin",
                dist_core=SpecifierSet(""),
                declaration=parse_declaration(cls),
                plugin_class=cls,
            )
        )
    return out


def check_order(order: tuple[str, ...], specs: list[dict[str, Any]]) -> None:
    if len(order) != len(specs):
        raise RuntimeError(f"expected {len(specs)} plugins in the load order, got {len(order)}")
    position = {name: i for i, name in enumerate(order)}
    for spec in specs:
        for req in spec["requires"]:
            dep = req.split(">")[0]
            if dep in position and position[dep] > position[spec["name"]]:
                raise RuntimeError(f"{spec['name']} loads before {dep}, which it requires")


def time_resolve(n: int, repeats: int, progress: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    specs = shape(n)
    recs = records(specs)
    names = reserved()
    result = resolve(recs, None, core_version, **names)
    if not result.ok:
        raise RuntimeError(f"the synthetic set does not resolve: {[p.message for p in result.problems][:3]}")
    check_order(result.order, specs)
    samples = []
    for i in range(repeats):
        # Fresh records each time: packaging caches work on its Specifier and
        # Requirement objects, and App() resolves its records exactly once.
        recs = records(specs)
        start = time.perf_counter()
        resolve(recs, None, core_version, **names)
        samples.append(time.perf_counter() - start)
        progress(f"resolve {i + 1}/{repeats}")
    edges: dict[str, int] = {}
    for edge in result.edges:
        edges[edge.kind] = edges.get(edge.kind, 0) + 1
    return {
        "plugins": n,
        "edges": edges,
        "median_ms": round(statistics.median(samples) * 1e3, 3),
        "min_ms": round(min(samples) * 1e3, 3),
        "repeats": repeats,
    }


# Runs in a fresh interpreter: argv = folder, root, mode ("app" or "phases").
CHILD = """
import json, sys, time
folder, root, mode = sys.argv[1:4]
sys.path.insert(0, folder)
t = time.perf_counter()
import corolla
from corolla import App, Request, discover, load_declaration, resolve
out = {"import_corolla_ms": (time.perf_counter() - t) * 1e3}

def timed(key, fn):
    t = time.perf_counter()
    value = fn()
    out[key] = (time.perf_counter() - t) * 1e3
    return value

public = lambda cls: frozenset(n for n in dir(cls) if not n.startswith("_"))
names = {"reserved_app": public(App), "reserved_request": public(Request)}
build = lambda: App(plugin_path=[folder], root=root, environ={})
if mode == "app":
    app = timed("app_ms", build)
else:
    for when in ("cold", "warm"):
        found = timed(f"discover_{when}_ms", lambda: discover([folder]))
        loaded = timed(f"load_{when}_ms", lambda: [load_declaration(r) for r in found])
        timed(f"resolve_{when}_ms", lambda: resolve(loaded, **names))
    app = timed("app_warm_ms", build)
    out["rest_of_app_ms"] = out["app_warm_ms"] - out["discover_warm_ms"] - out["load_warm_ms"] - out["resolve_warm_ms"]
out["loaded"] = len(app.resolution.order)
print(json.dumps(out))
"""


def _child(folder: Path, root: Path, mode: str) -> tuple[float, dict[str, Any]]:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(folder), str(root), mode], check=True, capture_output=True, text=True
    )
    wall = time.perf_counter() - start
    return wall, json.loads(proc.stdout)


def time_app(n: int, runs: int, progress: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    specs = shape(n)
    with tempfile.TemporaryDirectory(prefix="corolla-bench-500-") as tmp:
        folder, root = Path(tmp) / "plugins", Path(tmp) / "app"
        root.mkdir()
        synthetic = SyntheticPlugins(folder)
        start = time.perf_counter()
        for spec in specs:
            synthetic.add(**spec)
        write_s = time.perf_counter() - start
        _child(folder, root, "app")  # warm-up: writes the .pyc files, warms the page cache
        walls, apps, phases = [], [], []
        for i in range(runs):
            wall, out = _child(folder, root, "app")
            if out["loaded"] != n:
                raise RuntimeError(f"App() loaded {out['loaded']} of {n} synthetic plugins")
            walls.append(wall)
            apps.append(out["app_ms"])
            phases.append(_child(folder, root, "phases")[1])
            progress(f"App() with {n} plugins {i + 1}/{runs}")
    keys = [k for k in phases[0] if k.endswith("_ms")]
    return {
        "plugins": n,
        "write_s": round(write_s, 2),
        "app_cold_median_ms": round(statistics.median(apps), 1),
        "app_cold_min_ms": round(min(apps), 1),
        "process_wall_median_ms": round(statistics.median(walls) * 1e3, 1),
        "phases_median_ms": {k: round(statistics.median(p[k] for p in phases), 1) for k in keys},
        "runs": runs,
    }
