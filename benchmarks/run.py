"""Run the declared benchmarks, each in its own process, then render the report.

    python -m benchmarks.run --size quick            # make bench-quick
    python -m benchmarks.run --size full             # make bench
    python -m benchmarks.run --size smoke --out /tmp/x --area bm25 --no-report

Before each experiment the runner waits (up to NLPKIT_BENCH_SETTLE_S, default 90 s)
for the 1-minute load average to fall to NLPKIT_BENCH_MAX_LOAD (default 1.5); a run
that still starts above it is marked noisy and does not replace a clean result.
Quality-only experiments (registry `extras={"timed": False}`) skip the wait: their
figures do not depend on the load, which is still recorded.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.harness import RESULTS, ROOT, load_now, max_load, settle
from benchmarks.registry import AREAS, EXPERIMENTS, SIZES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="quick", choices=SIZES)
    parser.add_argument("--area", action="append", choices=AREAS)
    parser.add_argument("--name", action="append", help="only these experiments")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--no-report", action="store_true")
    args = parser.parse_args(argv)
    chosen = [
        e
        for e in EXPERIMENTS
        if (not args.area or e.area in args.area)
        and (not args.name or e.name in args.name)
    ]
    failed = []
    start = time.perf_counter()
    for exp in chosen:
        load = settle() if exp.timed else load_now()
        print(f"== {exp.name} ({exp.area}, {args.size}), load {load[0]}", flush=True)
        if exp.timed and load[0] > max_load():
            print(f"   load above {max_load()}: the figure will be marked noisy")
        cmd = [sys.executable, *exp.command(args.size, str(args.out))]
        t0 = time.perf_counter()
        res = subprocess.run(cmd, cwd=ROOT, check=False)
        print(f"   {time.perf_counter() - t0:.0f} s", flush=True)
        if res.returncode != 0:
            failed.append(exp.name)
    took = time.perf_counter() - start
    print(f"{len(chosen)} experiments in {took / 60:.1f} min; failed: {failed or 0}")
    if not args.no_report and args.out.resolve() == RESULTS.resolve():
        from benchmarks.report import main as report

        report([])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
