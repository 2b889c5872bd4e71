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

Run: python -m benchmarks.bench_batch --name spacy_pipe --size quick
"""

from __future__ import annotations

import json
import shutil
import tempfile
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


def run(exp, size: str) -> dict:
    return {"spacy_pipe": run_pipe, "dask_local": run_dask, "llm_client": run_llm}[
        exp.name
    ](exp, size)


if __name__ == "__main__":
    cli(run)
