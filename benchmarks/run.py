"""Run the declared benchmarks, each in its own process, then render the report.

    python -m benchmarks.run --size quick            # make bench-quick
    python -m benchmarks.run --size full             # make bench
    python -m benchmarks.run --size smoke --out /tmp/x --area bm25 --no-report
    python -m benchmarks.run --size smoke --out /tmp/x --jobs 2   # the tests' run

Before each experiment the runner waits (up to NLPKIT_BENCH_SETTLE_S, default 90 s)
for the 1-minute load average to fall to NLPKIT_BENCH_MAX_LOAD (default 1.5); a run
that still starts above it is marked noisy and does not replace a clean result.
Quality-only experiments (registry `extras={"timed": False}`) run after the timed
ones, two at a time (--quality-jobs), without the wait: their figures (scores, peak
memory) do not depend on the load, which is still recorded. At the end it prints
each experiment's time (the budget of `make bench-quick` is 15 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.harness import (
    CACHE,
    RESULTS,
    ROOT,
    git_commit,
    load_now,
    max_load,
    settle,
)
from benchmarks.registry import AREAS, EXPERIMENTS, SIZES


def launch(exp, size: str, out: Path, capture: bool = False):
    cmd = [sys.executable, *exp.command(size, str(out))]
    pipe = subprocess.PIPE if capture else None
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=pipe, stderr=subprocess.STDOUT if capture else None
    )
    return proc, time.perf_counter()


def run_timed(chosen, size: str, out: Path) -> dict[str, tuple]:
    """One at a time, each after the load has settled."""
    took = {}
    for exp in chosen:
        load = settle()
        print(f"== {exp.name} ({exp.area}, {size}), load {load[0]}", flush=True)
        if load[0] > max_load():
            print(f"   load above {max_load()}: the figure will be marked noisy")
        proc, t0 = launch(exp, size, out)
        proc.wait()
        took[exp.name] = (exp, time.perf_counter() - t0, proc.returncode)
        print(f"   {took[exp.name][1]:.0f} s", flush=True)
    return took


def run_quality(chosen, size: str, out: Path, jobs: int) -> dict[str, tuple]:
    """Quality-only experiments (scores, peak memory), `jobs` at a time: their
    figures do not depend on the load, so they share the cores; each one's output
    is printed when it ends."""
    pending, running, took = list(chosen), {}, {}
    while pending or running:
        while pending and len(running) < jobs:
            exp = pending.pop(0)
            print(f"== {exp.name} ({exp.area}, {size}), quality only", flush=True)
            running[exp.name] = (exp, *launch(exp, size, out, capture=jobs > 1))
        time.sleep(0.5)
        for name, (exp, proc, t0) in list(running.items()):
            if proc.poll() is None:
                continue
            if jobs > 1:
                print(proc.stdout.read().decode(errors="replace")[-4000:], end="")
            took[name] = (exp, time.perf_counter() - t0, proc.returncode)
            print(f"   {name}: {took[name][1]:.0f} s", flush=True)
            del running[name]
    return took


def smoke_one(name: str, out: str) -> tuple[float, str | None]:
    """One smoke run inside a pool worker; RETURNS (seconds, error or None)."""
    import importlib
    import traceback

    from benchmarks.harness import execute
    from benchmarks.registry import get

    exp = get(name)
    start = time.perf_counter()
    try:
        module = importlib.import_module(f"benchmarks.{exp.module}")
        execute(exp, "smoke", Path(out), module.run)
    except BaseException:  # noqa: BLE001  (SystemExit too: report it, go on)
        return time.perf_counter() - start, traceback.format_exc()[-3000:]
    return time.perf_counter() - start, None


def run_pooled(chosen, out: Path, jobs: int) -> dict[str, tuple]:
    """Smoke runs in `jobs` long-lived worker processes: torch, spaCy and the
    models load once per worker instead of once per experiment. Each module's own
    `run` is called as its CLI would (harness.execute); smoke figures are not judged,
    so sharing a process and the cores does not matter."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    took = {}
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(jobs, mp_context=context) as pool:
        futures = {
            e.name: (e, pool.submit(smoke_one, e.name, str(out))) for e in chosen
        }
        for name, (exp, future) in futures.items():
            seconds, error = future.result()
            took[name] = (exp, seconds, 0 if error is None else 1)
            if error:
                print(f"== {name} FAILED:\n{error}", flush=True)
    return took


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="quick", choices=SIZES)
    parser.add_argument("--area", action="append", choices=AREAS)
    parser.add_argument("--name", action="append", help="only these experiments")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--no-report", action="store_true")
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="smoke size only: experiments at a time, in that many worker processes",
    )
    parser.add_argument(
        "--quality-jobs",
        type=int,
        default=2,
        help="quality-only experiments at a time, after the timed ones (default 2)",
    )
    args = parser.parse_args(argv)
    if args.jobs > 1 and args.size != "smoke":
        parser.error("--jobs > 1 would time experiments against each other: smoke only")
    chosen = [
        e
        for e in EXPERIMENTS
        if (not args.area or e.area in args.area)
        and (not args.name or e.name in args.name)
    ]
    whole = not args.area and not args.name and args.jobs == 1
    cache_empty = not any(CACHE.glob("*"))
    before = load_now()
    start = time.perf_counter()
    if args.jobs > 1:
        took = run_pooled(chosen, args.out, args.jobs)
    else:
        took = run_timed([e for e in chosen if e.timed], args.size, args.out)
        quality = [e for e in chosen if not e.timed]
        took |= run_quality(quality, args.size, args.out, args.quality_jobs)
    total = time.perf_counter() - start
    print(f"\n| experiment | area | {args.size} s |\n|---|---|---|")
    for exp in chosen:
        _, seconds, rc = took[exp.name]
        print(
            f"| {exp.name} | {exp.area} | {seconds:.0f}{'' if rc == 0 else ' FAILED'} |"
        )
    failed = [name for name, (_, _, rc) in took.items() if rc != 0]
    spent = sum(seconds for _, seconds, _ in took.values())
    print(
        f"{len(chosen)} experiments in {total / 60:.1f} min (the sum of their own "
        f"times: {spent / 60:.1f} min); failed: {failed or 0}"
    )
    if whole:
        record_run(args.size, args.out, took, total, cache_empty, before)
    if not args.no_report and args.out.resolve() == RESULTS.resolve():
        from benchmarks.report import main as report

        report([])
    return 1 if failed else 0


def record_run(size, out: Path, took: dict, total: float, cache_empty: bool, before):
    """runs/<size>.json: what a whole `make bench-quick` / `make bench` took, for the
    report (its budget is a claim like any other figure)."""
    path = out / "runs" / f"{size}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "size": size,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "wall_s": round(total, 1),
        "sum_s": round(sum(seconds for _, seconds, _ in took.values()), 1),
        "experiments": len(took),
        "failed": sorted(name for name, (_, _, rc) in took.items() if rc != 0),
        "cache_empty": cache_empty,
        "seconds": {name: round(seconds, 1) for name, (_, seconds, _) in took.items()},
        "loadavg_before": before,
        "loadavg_after": load_now(),
        "cpu_count": os.cpu_count(),
        "git": git_commit(),
    }
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
