"""The parts every benchmark shares: the load guard, alternating timed rounds, peak
memory in a child process, and the result JSON.

A benchmark module defines `run(experiment, size) -> dict` (its rows, headline ratio
and checks) and hands it to `cli()`; the runner calls each one as
`python -m benchmarks.<module> --name NAME --size SIZE --out DIR`.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
CACHE = Path(__file__).resolve().parent / ".cache"
MAX_LOAD_ENV = "NLPKIT_BENCH_MAX_LOAD"
SETTLE_ENV = "NLPKIT_BENCH_SETTLE_S"
DEFAULT_MAX_LOAD = 1.5
PACKAGES = (
    "nlpkit", "numpy", "scipy", "numba", "gensim", "scikit-learn", "bm25s",
    "rank-bm25", "sentence-transformers", "torch", "spacy", "dask",
)  # fmt: skip


class NotAvailable(Exception):
    """A peer (or its data) is missing here: recorded as "not available", not faked."""


def max_load() -> float:
    return float(os.environ.get(MAX_LOAD_ENV, DEFAULT_MAX_LOAD))


def load_now() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def settle(limit: float | None = None, timeout: float | None = None) -> list[float]:
    """Wait (up to timeout s) for the 1-minute load to fall to the limit.

    The previous experiment's own threads raise the load; waiting for it to decay
    keeps one experiment from marking the next one noisy.
    """
    limit = max_load() if limit is None else limit
    timeout = float(os.environ.get(SETTLE_ENV, 90)) if timeout is None else timeout
    deadline = time.monotonic() + timeout
    while os.getloadavg()[0] > limit and time.monotonic() < deadline:
        time.sleep(3)
    return load_now()


def versions() -> dict[str, str | None]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def git_commit() -> dict:
    def git(*args):
        res = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        )
        return res.stdout.strip() if res.returncode == 0 else None

    status = git("status", "--porcelain", "--untracked-files=no", "--", "nlpkit")
    return {"commit": git("rev-parse", "HEAD"), "nlpkit_dirty": bool(status)}


def alternate(
    runs: dict[str, Callable[[], object]], rounds: int, warmup: bool = True
) -> dict[str, dict]:
    """Time each callable `rounds` times, alternating their order every round.

    RETURNS: name -> {"median", "min", "max", "runs"} in seconds.
    """
    names = list(runs)
    if warmup:
        for name in names:
            runs[name]()
    times: dict[str, list[float]] = {name: [] for name in names}
    for i in range(rounds):
        order = names if i % 2 == 0 else names[::-1]
        for name in order:
            start = time.perf_counter()
            runs[name]()
            times[name].append(time.perf_counter() - start)
    return {name: summary(ts) for name, ts in times.items()}


def summary(ts: list[float]) -> dict:
    return {
        "median": statistics.median(ts),
        "min": min(ts),
        "max": max(ts),
        "runs": [round(t, 4) for t in ts],
    }


def timed_child(args: list[str], env: dict | None = None) -> float:
    """Wall time of a whole subprocess (start-up included)."""
    start = time.perf_counter()
    subprocess.run(
        args,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
    )
    return time.perf_counter() - start


# VmHWM, not ru_maxrss: on Linux a child's ru_maxrss starts from its parent's peak at
# fork, so a large parent would hide the child's own growth.
CHILD = """
import importlib, json, resource, sys, time
def peak_kb():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
mod, fn = sys.argv[1].split(":")
kwargs = json.loads(sys.argv[2])
f = getattr(importlib.import_module(mod), fn)
state = f(prepare=True, **kwargs)
before = peak_kb()
start = time.perf_counter()
extra = f(state=state, **kwargs)
seconds = time.perf_counter() - start
after = peak_kb()
print(json.dumps({"seconds": seconds, "peak_rss_mb": after / 1024,
  "net_peak_mb": max(0, after - before) / 1024, "extra": extra}))
"""


def memory_child(target: str, **kwargs) -> dict:
    """Run `module:function` in a fresh process: first with prepare=True (load the
    input), then with state=...; RETURNS seconds and net peak RSS of the second call
    (growth of the peak over what loading the input needed).
    """
    res = subprocess.run(
        [sys.executable, "-c", CHILD, target, json.dumps(kwargs)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if res.returncode != 0:
        raise RuntimeError(f"{target} failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def verdict(goal: dict | None, ratio: float | None, noisy: bool) -> str:
    if ratio is None:
        return "not available"
    if noisy:
        return "noisy"
    if not goal:
        return "no goal"
    ok = ratio >= goal["value"] if goal["op"] == ">=" else ratio <= goal["value"]
    return "meets goal" if ok else "BELOW GOAL"


def result_path(out: Path, area: str, name: str) -> Path:
    return out / area / f"{name}.json"


def write_result(exp, size: str, body: dict, out: Path, load_before, load_after):
    """Write out/<area>/<name>.json; a noisy run does not replace a clean result."""
    limit = max_load()
    noisy = exp.timed and load_before[0] > limit
    ratio = body.get("ratio")
    record = {
        "name": exp.name,
        "area": exp.area,
        "title": exp.title,
        "size": size,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "status": body.get("status", "measured"),
        "message": body.get("message"),
        "goal": exp.goal,
        "peer": exp.peer,
        "ratio": ratio,
        "verdict": verdict(exp.goal, ratio, noisy)
        if size != "smoke"
        else "not judged (smoke size)",
        "noisy": noisy,
        "max_load": limit,
        "loadavg_before": load_before,
        "loadavg_after": load_after,
        "cpu_count": os.cpu_count(),
        "machine": platform.platform(),
        "git": git_commit(),
        "versions": versions(),
        "settings": exp.settings,
        "sizes": exp.sizes[size],
        "seeds": list(exp.seeds),
        "rounds": exp.rounds(size),
        "wall_s": body.get("wall_s"),
        "rows": body.get("rows", []),
        "checks": body.get("checks", {}),
        "extra": body.get("extra", {}),
    }
    path = result_path(out, exp.area, exp.name)
    if noisy and path.exists():
        old = json.loads(path.read_text(encoding="utf-8"))
        if not old.get("noisy") and old.get("status") == "measured":
            print(
                f"{exp.name}: load {load_before[0]} > {limit}: not recorded, keeping "
                f"the clean result of {old['date']}",
                file=sys.stderr,
            )
            return None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return path


def row(case: str, ours: dict | float, peer_name: str, peer: dict | float, **kw):
    """One table row: times (summaries or seconds) of ours and the peer; ratio is
    peer / ours for times (>1: nlpkit faster) unless given."""
    o = ours["median"] if isinstance(ours, dict) else ours
    p = peer["median"] if isinstance(peer, dict) else peer
    out = {
        "case": case,
        "peer_name": peer_name,
        "ours": o,
        "peer": p,
        "unit": kw.pop("unit", "s"),
        "ratio": kw.pop("ratio", p / o if o else None),
    }
    for key, val in (("ours", ours), ("peer", peer)):
        if isinstance(val, dict):
            out[f"{key}_spread"] = [val["min"], val["max"]]
    out.update(kw)
    return out


def execute(exp, size: str, out: Path, module_run: Callable) -> Path | None:
    """Run one experiment in this process and record it; RETURNS the result path
    (None where a noisy run kept a clean result)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    before = load_now()
    start = time.perf_counter()
    try:
        body = module_run(exp, size)
    except NotAvailable as err:
        body = {"status": "not available", "message": str(err), "ratio": None}
    body.setdefault("wall_s", round(time.perf_counter() - start, 1))
    after = load_now()
    path = write_result(exp, size, body, out, before, after)
    shown = {k: body.get(k) for k in ("ratio", "status", "message") if body.get(k)}
    print(f"{exp.name} [{size}] load {before[0]}->{after[0]} {shown} -> {path}")
    return path


def cli(module_run: Callable) -> None:
    """Entry point of a benchmark module: run one named experiment and record it."""
    from benchmarks.registry import get

    parser = argparse.ArgumentParser()
    parser.add_argument("--name", required=True)
    parser.add_argument("--size", default="quick", choices=("smoke", "quick", "full"))
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--rounds", type=int, help="override the size's rounds")
    args = parser.parse_args()
    exp = get(args.name)
    if args.rounds:
        sized = {**exp.sizes[args.size], "rounds": args.rounds}
        exp = dataclasses.replace(exp, sizes={**exp.sizes, args.size: sized})
    execute(exp, args.size, args.out, module_run)
