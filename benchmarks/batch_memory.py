"""Constant memory: peak RSS of `nlpkit.process` on 100k and on 1M short docs.

Each size runs in a fresh subprocess that reports its own peak RSS (ru_maxrss). The
docs carry unique tokens (ids, codes), so a StringStore that kept every string would
grow with the corpus; spaCy's memory_zone, used per shard, frees them.

    flock /tmp/nlpkit-bench.lock .venv/bin/python -m benchmarks.batch_memory [--quick]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks._common import save_results

CACHE = Path(__file__).resolve().parent / ".cache"

CHILD = """
import json, resource, sys, time, spacy, nlpkit
nlp = spacy.load({model!r}) if {model!r} != "blank" else spacy.blank("en")
if {model!r} == "blank":
    nlp.add_pipe("sentencizer")
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
start = time.perf_counter()
s = nlpkit.process(nlp, {corpus!r}, {out!r}, shard_size={shard}, n_process={n},
                   attrs=["text", "tokens", "sents"],
                   backend_options={{"recycle_after": {recycle}}} if {recycle} else None)
m = json.load(open({out!r} + "/manifest.json"))
workers = max(e["peak_rss_mb"] for e in m["shards"].values())
secs = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({{"docs": s.written, "seconds": secs, "rss_after_load_mb": base,
                  "peak_rss_mb": peak, "peak_child_rss_mb": kids,
                  "peak_worker_rss_mb": workers,
                  "strings": len(nlp.vocab.strings)}}))
"""


def make_corpus(n: int, vocab: str) -> Path:
    """Short docs (16 tokens). vocab="unique": each doc brings about 3 words never
    seen before (ids, codes), the worst case for a vocabulary; "closed": the same
    shape of text drawn from 5,000 words, as natural text mostly is."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"batch_short_{vocab}_{n}.jsonl"
    if path.exists():
        return path
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for i in range(n):
            if vocab == "unique":
                a, b, c = f"item{i}", f"code-{(i * 7919) % 1000003}", str(i)
            else:
                a, b, c = (f"w{(i * k) % 4999}" for k in (7, 13, 31))
            text = (
                f"Doc {c} mentions {a} and {b} "
                f"near Place{i % 5000}. It was filed on day {i % 365}."
            )
            f.write(json.dumps({"id": f"d{i}", "text": text}) + "\n")
    tmp.rename(path)
    return path


def run(
    n: int, model: str, shard: int, n_process: int, vocab: str, recycle: int
) -> dict:
    corpus = make_corpus(n, vocab)
    with tempfile.TemporaryDirectory(prefix="nlpkit-mem-") as tmp:
        code = CHILD.format(
            model=model,
            corpus=str(corpus),
            out=f"{tmp}/out",
            shard=shard,
            n=n_process,
            recycle=recycle,
        )
        proc = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="10k vs 100k")
    parser.add_argument("--model", default="blank", help="'blank' or a pipeline")
    parser.add_argument("--shard-size", type=int, default=1000)
    parser.add_argument("--n-process", type=int, default=1)
    parser.add_argument("--vocab", choices=("unique", "closed"), default="unique")
    parser.add_argument(
        "--recycle-after", type=int, default=0, help="shards per worker process"
    )
    args = parser.parse_args()
    sizes = (10_000, 100_000) if args.quick else (100_000, 1_000_000)
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    results = {
        "model": args.model,
        "vocab": args.vocab,
        "shard_size": args.shard_size,
        "recycle_after": args.recycle_after,
        "load": load,
    }
    start = time.time()
    for n in sizes:
        results[str(n)] = run(
            n,
            args.model,
            args.shard_size,
            args.n_process,
            args.vocab,
            args.recycle_after,
        )
        print(n, results[str(n)], flush=True)
    small, big = (results[str(n)] for n in sizes)
    key = "peak_worker_rss_mb" if args.recycle_after else "peak_rss_mb"
    results["peak_ratio"] = big[key] / small[key]
    results["wall_s"] = time.time() - start
    suffix = f"_recycle{args.recycle_after}" if args.recycle_after else ""
    path = save_results(f"batch_memory_{args.model}_{args.vocab}{suffix}", results)
    print(
        f"\npeak RSS ({key}) {sizes[0]:,} docs: {small[key]:.0f} MB, "
        f"{sizes[1]:,} docs: {big[key]:.0f} MB "
        f"(ratio {results['peak_ratio']:.3f}); written {path}"
    )


if __name__ == "__main__":
    main()
