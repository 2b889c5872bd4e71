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

- batch_memory: peak RSS of `nlpkit.process` (one process, shards of 1,000) on a
  small and a 4-10x larger corpus of short docs with ~3 new words each (flat is the
  goal: spaCy's memory_zone per shard frees them), beside spaCy's nlp.pipe on the
  larger one, each run in a fresh process (harness.memory_child).

- batch_driver_cost: CPU time of the driver's serial work per shard (plan: cut
  the input into line ranges, make the task, resume check, pickle; submit: client + scheduler per task; commit:
  commit log), at 10k and 100k shards, and the efficiency it allows at 64 and 512
  workers: min(1, work per shard / (workers x driver CPU per shard)). CPU times,
  so a loaded machine does not bias them as it does wall-clock ratios.

Run: python -m benchmarks.bench_batch --name spacy_pipe --size quick
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from benchmarks.data import texts
from benchmarks.harness import alternate, cli, memory_child, row, summary

CONCURRENCY = 8
CACHE = Path(__file__).resolve().parent / ".cache"


def write_jsonl(items: list[str], path: Path) -> Path:
    with path.open("w", encoding="utf-8") as f:
        for i, text in enumerate(items):
            f.write(json.dumps({"id": str(i), "text": text}) + "\n")
    return path


def nlpkit_call(nlp, path: Path, out: Path, summaries: list | None = None, **options):
    from nlpkit.batch import process

    def go():
        shutil.rmtree(out, ignore_errors=True)
        summary = process(nlp, [path], out, input_format="jsonl", **options)
        if summaries is not None:
            summaries.append(summary)

    return go


@contextmanager
def corpus_of(exp, size: str, prefix: str):
    """(params, texts, loaded pipeline, JSONL file of the texts, temp folder)."""
    import spacy

    params = exp.sizes[size]
    items = texts(params["texts"])
    nlp = spacy.load(exp.settings["model"])
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        yield params, items, nlp, write_jsonl(items, Path(tmp) / "texts.jsonl"), tmp


def run_pipe(exp, size: str) -> dict:
    batch = exp.settings["batch_size"]
    with corpus_of(exp, size, "bench-batch-") as (params, items, nlp, path, tmp):
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
    """Whole runs (the headline: what a user waits for), then the same runs split
    into set-up (Dask: LocalCluster start and the pipeline loaded on its workers;
    local: the forked pool) and processing (the steady state after set-up)."""
    workers = exp.settings["workers"]
    shard = exp.settings["shard_size"]
    summaries: dict[str, list] = {"dask": [], "local": []}
    with corpus_of(exp, size, "bench-dask-") as (params, items, nlp, path, tmp):
        common = {"n_process": workers, "shard_size": shard,
                  "batch_size": exp.settings["batch_size"]}  # fmt: skip
        times = alternate(
            {
                name: nlpkit_call(nlp, path, Path(tmp) / name, summaries[name],
                                  backend=name, **common)
                for name in ("dask", "local")
            },
            params["rounds"],
            warmup=False,
        )  # fmt: skip
    parts = {}
    for name, done in summaries.items():
        done = done[-params["rounds"] :]
        parts[name] = {
            "setup": summary([s.setup_seconds for s in done]),
            "processing": summary([s.processing_seconds for s in done]),
        }
    case = f"{len(items):,} texts, {workers} workers, shards of {shard}"
    peer = f"local backend n_process={workers}"
    rows = [
        row(f"{case}: whole run", times["dask"], peer, times["local"]),
        row(f"{case}: start-up (cluster start + pipeline on workers)",
            parts["dask"]["setup"], peer + " (pool start)", parts["local"]["setup"]),
        row(f"{case}: processing after start-up", parts["dask"]["processing"],
            peer, parts["local"]["processing"]),
    ]  # fmt: skip
    return {"rows": rows, "ratio": rows[0]["ratio"], "extra": parts}


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


def driver_plan(path: Path, per_shard: int) -> tuple[float, int, float]:
    """The driver's planning: cut the file into line ranges (newlines counted in
    1 MiB blocks), make each shard's task, check resume, pickle it (what a submit
    sends: the range, not the records). RETURNS CPU seconds per shard, the number
    of shards, and CPU seconds per line of cutting alone (measured with ranges of
    1,000 lines, so the model can price bigger shards)."""
    from nlpkit.batch.commit import is_committed
    from nlpkit.batch.manifest import Manifest
    from nlpkit.batch.plan import line_ranges, make_plan, planned_tasks
    from nlpkit.batch.storage import Storage

    storage = Storage(f"memory://bench-plan-{time.monotonic_ns()}")
    manifest = Manifest.new(storage, inputs=[], pipeline={}, options={})
    tasks = []

    def plan():
        made = make_plan([path], shard_size=per_shard, input_format="jsonl",
                         reader_options={}, read_options={"named": set()},
                         strict=False)  # fmt: skip
        for task in planned_tasks(
            made,
            shard_size=per_shard,
            options={},
            strict=False,
            skip=lambda i: is_committed(storage, manifest, i),
        ):
            tasks.append(pickle.dumps(task))  # fmt: skip

    start = time.thread_time()
    plan()
    per_shard_cpu = (time.thread_time() - start) / len(tasks)
    with path.open("rb") as f:
        start = time.thread_time()
        lines = sum(n for *_, n in line_ranges(f, 1000))
        per_line = (time.thread_time() - start) / lines
    return per_shard_cpu, len(tasks), per_line


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
            plan, got, per_line = driver_plan(path, per_shard)
            commit_cpu = driver_commit(n)
            extra[f"{n}_shards"] = {"plan_s": plan, "commit_s": commit_cpu,
                                    "shards": got, "cut_s_per_line": per_line}  # fmt: skip
    submit = driver_submit(params["submit"])
    doc = doc_cpu(exp.settings["model"])
    n_max = max(params["shards"])
    # Workers read their own records: a shard costs the driver its task (measured
    # at `per_shard` lines) plus counting the newlines of the lines beyond those.
    at_max = extra[f"{n_max}_shards"]
    plan_cost = at_max["plan_s"] + at_max["cut_s_per_line"] * (shard_docs - per_shard)
    cost = plan_cost + submit + at_max["commit_s"]
    work = doc * shard_docs
    model = {w: min(1.0, work / (w * cost)) for w in (64, 512)}
    extra.update(submit_s=submit, doc_cpu_s=doc, driver_s_per_shard=cost,
                 shard_work_s=work, efficiency=model)  # fmt: skip
    # The step costs stay in `extra` (and the case text): rows are comparisons.
    steps = (f"plan {plan_cost * 1e3:.2f}, submit {submit * 1e3:.2f}, "
             f"commit {extra[f'{n_max}_shards']['commit_s'] * 1e3:.3f} ms")  # fmt: skip
    for w, eff in model.items():
        rows.append(row(f"model: {w} workers, shards of {shard_docs} docs "
                        f"({work:.2f} s work, {cost * 1e3:.2f} ms driver: {steps})",
                        eff, "ideal", 1.0, unit="efficiency", ratio=eff))  # fmt: skip
    return {"rows": rows, "ratio": model[64], "extra": extra}


def short_docs(n: int) -> Path:
    """n short JSONL docs (16 tokens), each bringing about 3 words never seen before
    (ids, codes): the worst case for a vocabulary that keeps every string. Cached
    in benchmarks/.cache (ignored by git)."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"batch_short_unique_{n}.jsonl"
    if path.exists():
        return path
    tmp = path.with_suffix(f".tmp-{os.getpid()}")  # experiments may run in parallel
    with tmp.open("w", encoding="utf-8") as f:
        for i in range(n):
            text = (f"Doc {i} mentions item{i} and code-{(i * 7919) % 1000003} "
                    f"near Place{i % 5000}. It was filed on day {i % 365}.")  # fmt: skip
            f.write(json.dumps({"id": f"d{i}", "text": text}) + "\n")
    tmp.replace(path)
    return path


def memory_target(*, prepare=False, state=None, n: int, which: str, model: str,
                  shard: int):  # fmt: skip
    """Run by harness.memory_child in a fresh process: `prepare` loads the pipeline
    and writes the corpus, then one run is measured: nlpkit.process over the file,
    or nlp.pipe over its texts streamed from the file, output dropped."""
    import spacy

    if prepare:
        nlp = spacy.blank("en") if model == "blank" else spacy.load(model)
        if model == "blank":
            nlp.add_pipe("sentencizer")
        return nlp, short_docs(n)
    nlp, path = state
    if which == "pipe":
        with path.open(encoding="utf-8") as f:
            stream = (json.loads(line)["text"] for line in f)
            done = sum(1 for _ in nlp.pipe(stream, batch_size=256))
    else:
        from nlpkit.batch import process

        with tempfile.TemporaryDirectory(prefix="bench-mem-") as tmp:
            done = process(nlp, path, Path(tmp) / "out", shard_size=shard,
                           attrs=["text", "tokens", "sents"]).written  # fmt: skip
    return {"docs": done, "strings": len(nlp.vocab.strings)}


def run_memory(exp, size: str) -> dict:
    small, big = exp.sizes[size]["docs"]
    options = {"model": exp.settings["model"], "shard": exp.settings["shard_size"]}
    target = "benchmarks.bench_batch:memory_target"
    got = {
        (which, n): memory_child(target, n=n, which=which, **options)
        for which, n in (("nlpkit", small), ("nlpkit", big), ("pipe", big))
    }
    ours_small, ours_big = got["nlpkit", small], got["nlpkit", big]
    peer = got["pipe", big]
    flat = ours_small["peak_rss_mb"] / ours_big["peak_rss_mb"]
    rows = [
        row(f"nlpkit process: peak RSS at {big:,} docs vs at {small:,}",
            ours_big["peak_rss_mb"], f"nlpkit process, {small:,} docs",
            ours_small["peak_rss_mb"], unit="MB", ratio=flat),
        row(f"peak RSS at {big:,} docs (~3 new words a doc)", ours_big["peak_rss_mb"],
            "spaCy nlp.pipe, same texts", peer["peak_rss_mb"], unit="MB"),
        row(f"growth of the peak during the run, {big:,} docs", ours_big["net_peak_mb"],
            f"nlpkit process, {small:,} docs", ours_small["net_peak_mb"], unit="MB"),
        row(f"growth of the peak during the run, {big:,} docs", ours_big["net_peak_mb"],
            "spaCy nlp.pipe, same texts", peer["net_peak_mb"], unit="MB"),
    ]  # fmt: skip
    extra = {f"{which}_{n}": value for (which, n), value in got.items()}
    return {"rows": rows, "ratio": flat, "extra": extra}


def run(exp, size: str) -> dict:
    return {
        "spacy_pipe": run_pipe,
        "dask_local": run_dask,
        "llm_client": run_llm,
        "batch_driver_cost": run_driver,
        "batch_memory": run_memory,
    }[exp.name](exp, size)


if __name__ == "__main__":
    cli(run)
