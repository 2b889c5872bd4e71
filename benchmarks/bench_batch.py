"""Batch processing and the LLM client.

- spacy_pipe: `nlpkit.batch.process` (reads JSONL, writes sharded JSONL and a
  manifest) against spaCy's `nlp.pipe` over the same texts (in memory, output
  dropped), at n_process 1 and 2; the same loaded pipeline.
- dask_local: the same process call with the Dask backend on a 2-worker
  LocalCluster (started inside the call, as a user gets it) against the local
  backend with 2 processes.
- llm_client: nlpkit's OpenAI-compatible backend (generate_batch, 8 in flight)
  against a plain thread pool of urllib requests (8 threads), both talking to
  nlpkit's test server on 127.0.0.1 with a fixed delay per request; the latency
  floor (requests x delay / 8) is kept beside them.

- batch_driver_cost: CPU time of the driver's serial work per shard (plan: read,
  number, cut, resume check, pickle; submit: client + scheduler per task; commit:
  commit log), at 10k and 100k shards, and the efficiency it allows at 64 and 512
  workers: min(1, work per shard / (workers x driver CPU per shard)). CPU times,
  so a loaded machine does not bias them as it does wall-clock ratios.

Run: python -m benchmarks.bench_batch --name spacy_pipe --size quick
"""

from __future__ import annotations

import json
import pickle
import shutil
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.data import texts
from benchmarks.harness import alternate, cli, row

CONCURRENCY = 8


def write_jsonl(items: list[str], path: Path) -> Path:
    with path.open("w", encoding="utf-8") as f:
        for i, text in enumerate(items):
            f.write(json.dumps({"id": str(i), "text": text}) + "\n")
    return path


def nlpkit_call(nlp, path: Path, out: Path, **options):
    from nlpkit.batch import process

    def go():
        shutil.rmtree(out, ignore_errors=True)
        process(nlp, [path], out, input_format="jsonl", **options)

    return go


def run_pipe(exp, size: str) -> dict:
    import spacy

    params = exp.sizes[size]
    items = texts(params["texts"])
    nlp = spacy.load(exp.settings["model"])
    batch = exp.settings["batch_size"]
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        path = write_jsonl(items, Path(tmp) / "texts.jsonl")
        runs = {}
        for n in (1, 2):
            runs[f"nlpkit_{n}"] = nlpkit_call(
                nlp, path, Path(tmp) / f"out{n}", n_process=n, batch_size=batch
            )
            runs[f"pipe_{n}"] = (
                lambda n=n: [None for _ in nlp.pipe(items, batch_size=batch,
                                                    n_process=n)]
            )  # fmt: skip
        times = alternate(runs, params["rounds"], warmup=size != "smoke")
    rows = [
        row(f"{len(items):,} texts, n_process={n}", times[f"nlpkit_{n}"],
            f"nlp.pipe n_process={n}", times[f"pipe_{n}"])
        for n in (1, 2)
    ]  # fmt: skip
    return {"rows": rows, "ratio": rows[-1]["ratio"]}


def run_dask(exp, size: str) -> dict:
    import spacy

    params = exp.sizes[size]
    items = texts(params["texts"])
    nlp = spacy.load(exp.settings["model"])
    workers = exp.settings["workers"]
    with tempfile.TemporaryDirectory(prefix="bench-dask-") as tmp:
        path = write_jsonl(items, Path(tmp) / "texts.jsonl")
        shard = max(50, len(items) // 8)
        times = alternate(
            {
                "dask": nlpkit_call(nlp, path, Path(tmp) / "dask", backend="dask",
                                    n_process=workers, shard_size=shard),
                "local": nlpkit_call(nlp, path, Path(tmp) / "local", backend="local",
                                     n_process=workers, shard_size=shard),
            },
            params["rounds"],
            warmup=size != "smoke",
        )  # fmt: skip
    rows = [
        row(f"{len(items):,} texts, {workers} workers, shards of {shard}",
            times["dask"], f"local backend n_process={workers}", times["local"])
    ]  # fmt: skip
    return {"rows": rows, "ratio": rows[0]["ratio"]}


def plain_client(url: str, prompts: list[str]) -> list[str]:
    def one(prompt):
        body = json.dumps(
            {"model": "test", "messages": [{"role": "user", "content": prompt}],
             "max_tokens": 16, "temperature": 0}
        ).encode()  # fmt: skip
        req = urllib.request.Request(
            url + "/chat/completions",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read())["choices"][0]["message"]["content"]

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        return list(pool.map(one, prompts))


def run_llm(exp, size: str) -> dict:
    from nlpkit.llm.http import OpenAICompatibleBackend
    from nlpkit.llm.testserver import TestLLMServer

    params = exp.sizes[size]
    delay = exp.settings["delay_s"]
    prompts = [f"Say the word number {i}" for i in range(params["requests"])]
    with TestLLMServer(delay=delay) as server:
        url = server.url("ok")
        backend = OpenAICompatibleBackend(
            url, "test", max_concurrency=CONCURRENCY, max_retries=0
        )

        def ours():
            results = backend.generate_batch(prompts)
            failed = [r.error for r in results if r.error]
            if failed:
                raise RuntimeError(f"LLM client errors: {failed[:3]}")

        times = alternate(
            {"nlpkit": ours, "plain": lambda: plain_client(url, prompts)},
            params["rounds"],
            warmup=size != "smoke",
        )
    floor = len(prompts) * delay / CONCURRENCY
    rows = [
        row(f"{len(prompts)} requests, {CONCURRENCY} in flight, {delay * 1000:.0f} ms "
            "each", times["nlpkit"], "urllib thread pool", times["plain"]),
        row("same, against the latency floor", times["nlpkit"],
            "requests x delay / concurrency", floor),
    ]  # fmt: skip
    return {"rows": rows, "ratio": rows[0]["ratio"], "extra": {"floor_s": floor}}


def cpu_per(fn, n: int) -> float:
    """CPU seconds of this thread per unit for fn() doing n units."""
    start = time.thread_time()
    fn()
    return (time.thread_time() - start) / n


def driver_plan(path: Path, per_shard: int) -> tuple[float, int]:
    """Read + number + cut + resume check, as the driver does today (it reads the
    records itself); RETURNS CPU seconds per shard and the number of shards."""
    from nlpkit.batch.commit import is_committed
    from nlpkit.batch.manifest import Manifest
    from nlpkit.batch.process import read_inputs
    from nlpkit.batch.shards import CollectingRejects, cut_shards
    from nlpkit.batch.storage import Storage

    storage = Storage(f"memory://bench-plan-{time.monotonic_ns()}")
    manifest = Manifest.new(storage, inputs=[], pipeline={}, options={})
    rejects = CollectingRejects()
    options = {"format": "jsonl", "named": set(), "max_length": 10**6}
    tasks = []

    def plan():
        for task in cut_shards(read_inputs([path], rejects, options), rejects,
                               per_shard):  # fmt: skip
            is_committed(storage, manifest, task.index)
            tasks.append(pickle.dumps(task))  # what a submit sends

    start = time.thread_time()
    plan()
    return (time.thread_time() - start) / len(tasks), len(tasks)


def driver_commit(n: int) -> float:
    """commit() of n results into the commit log (object-storage naming), plus the
    final compaction, CPU seconds per shard of the driver thread."""
    from nlpkit.batch.commit import commit
    from nlpkit.batch.manifest import Manifest
    from nlpkit.batch.shards import ShardResult
    from nlpkit.batch.storage import Storage

    storage = Storage(f"memory://bench-commit-{time.monotonic_ns()}")
    manifest = Manifest.new(storage, inputs=[], pipeline={}, options={})
    manifest.open_log(every=0.5)
    results = [
        ShardResult(i, 10, 10, 0, 80, 0.5, f"docs-{i:05d}-0123456789ab.jsonl", None,
                    worker="host:1", attempt="0123456789ab", docs_size=4096,
                    docs_sha256="0" * 64)
        for i in range(n)
    ]  # fmt: skip

    def go():
        for result in results:
            commit(storage, manifest, result)
        manifest.save(status="complete")

    return cpu_per(go, n)


def driver_submit(n: int) -> float:
    """Client + scheduler CPU per no-op shard task on a 1-worker LocalCluster (the
    scheduler runs in this process, so it is counted: it is the other serial part)."""
    from distributed import Client, as_completed

    from nlpkit.batch.dask_backend import local_cluster

    with local_cluster(1) as cluster, Client(cluster) as client:
        payload = b"x" * 800
        start = time.process_time()
        futures = as_completed()
        for i in range(n):
            futures.add(client.submit(len, payload, key=f"noop-{i}", pure=False))
            if futures.count() >= 64:
                next(futures).release()
        for future in futures:
            future.release()
        return (time.process_time() - start) / n


def doc_cpu(model: str, n: int = 300) -> float:
    import spacy

    nlp = spacy.load(model)
    items = texts(n)
    list(nlp.pipe(items[:20]))
    return cpu_per(lambda: list(nlp.pipe(items, batch_size=64)), n)


def run_driver(exp, size: str) -> dict:
    params = exp.sizes[size]
    per_shard = exp.settings["records_per_shard"]
    shard_docs = exp.settings["model_shard_size"]
    rows, extra = [], {}
    with tempfile.TemporaryDirectory(prefix="bench-driver-") as tmp:
        for n in params["shards"]:
            path = Path(tmp) / f"c{n}.jsonl"
            write_jsonl([f"Doc {i} says hello." for i in range(n * per_shard)], path)
            plan, got = driver_plan(path, per_shard)
            commit_cpu = driver_commit(n)
            extra[f"{n}_shards"] = {"plan_s": plan, "commit_s": commit_cpu,
                                    "shards": got}  # fmt: skip
    submit = driver_submit(params["submit"])
    doc = doc_cpu(exp.settings["model"])
    n_max = max(params["shards"])
    per_record = extra[f"{n_max}_shards"]["plan_s"] / per_shard
    # Today the driver reads every record, so planning grows with the shard size.
    cost = per_record * shard_docs + submit + extra[f"{n_max}_shards"]["commit_s"]
    work = doc * shard_docs
    model = {w: min(1.0, work / (w * cost)) for w in (64, 512)}
    extra.update(submit_s=submit, doc_cpu_s=doc, driver_s_per_shard=cost,
                 shard_work_s=work, efficiency=model)  # fmt: skip
    # The step costs stay in `extra` (and the case text): rows are comparisons.
    steps = (f"plan {per_record * shard_docs * 1e3:.2f}, submit {submit * 1e3:.2f}, "
             f"commit {extra[f'{n_max}_shards']['commit_s'] * 1e3:.3f} ms")  # fmt: skip
    for w, eff in model.items():
        rows.append(row(f"model: {w} workers, shards of {shard_docs} docs "
                        f"({work:.2f} s work, {cost * 1e3:.2f} ms driver: {steps})",
                        eff, "ideal", 1.0, unit="efficiency", ratio=eff))  # fmt: skip
    return {"rows": rows, "ratio": model[64], "extra": extra}


def run(exp, size: str) -> dict:
    return {
        "spacy_pipe": run_pipe,
        "dask_local": run_dask,
        "llm_client": run_llm,
        "batch_driver_cost": run_driver,
    }[exp.name](exp, size)


if __name__ == "__main__":
    cli(run)
