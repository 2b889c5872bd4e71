"""LLM hand-off: HTTP concurrency, in-process speed, cache, and routing on SST-2.

    flock /tmp/nlpkit-bench.lock .venv/bin/python -m benchmarks.llm_handoff [--quick]

1. docs/s through the OpenAI-compatible backend at concurrency 1, 4, 8 against
   nlpkit's local test server, which answers every request after a fixed delay with
   as many requests in parallel as arrive (as a remote API does), and against a real
   `python -m llama_cpp.server` with SmolLM2-135M (one request at a time: one slot).
2. docs/s of the in-process backend (SmolLM2 through llama-cpp-python).
3. a re-run served by the disk cache.
4. SST-2 dev: TF-IDF + logistic regression alone, SmolLM2 for every doc, and the
   classifier with SmolLM2 for the docs it is unsure of (max score < threshold).
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from benchmarks._common import require_data, save_results

LABELS = ["negative", "positive"]
EXAMPLES = [  # few-shot examples written for the benchmark (not from SST-2)
    {"text": "a gorgeous , witty , seductive movie .", "answer": "positive"},
    {"text": "the story is dull and the acting is worse .", "answer": "negative"},
    {"text": "one of the year 's best films .", "answer": "positive"},
    {"text": "a tedious , lifeless mess .", "answer": "negative"},
]


def read_sst(path: Path) -> list[tuple[str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        label, _, text = line.partition(" ")
        rows.append((text, LABELS[int(label)]))
    return rows


def llm_pipeline(backend: dict, task: dict | None = None, **component) -> Language:
    nlp = spacy.blank("en")
    task = task or {"@misc": "nlpkit.Prompt.v1", "template": "{{ text }}"}
    nlp.add_pipe(
        "nlpkit_llm", name="llm", config={"task": task, "backend": backend, **component}
    )
    return nlp


def run_docs(
    nlp: Language, texts: list[str], batch_size: int = 64
) -> tuple[float, list[Doc]]:
    start = time.perf_counter()
    docs = list(nlp.pipe(texts, batch_size=batch_size))
    return time.perf_counter() - start, docs


def bench_http_concurrency(
    url: str, model: str, texts, levels, max_new_tokens, timeout=120.0
):
    rows = []
    for c in levels:
        backend = {
            "@misc": "nlpkit.OpenAICompatible.v1", "base_url": url, "model": model,
            "max_new_tokens": max_new_tokens, "max_concurrency": c, "timeout": timeout,
        }  # fmt: skip
        nlp = llm_pipeline(backend, use_cache=False)
        nlp("warm up")  # connection, server-side model load and prompt cache
        seconds, docs = run_docs(nlp, texts)
        failures = sum(d._.llm_error is not None for d in docs)
        rows.append({"concurrency": c, "docs": len(texts), "seconds": seconds,
                     "docs_per_s": len(texts) / seconds, "failures": failures})  # fmt: skip
    base = rows[0]["docs_per_s"]
    for r in rows:
        r["speedup"] = r["docs_per_s"] / base
    return rows


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_llama_server(gguf: Path, log_path: Path):
    import httpx

    port = free_port()
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1",
           "--port", str(port), "--model_alias", "smollm2", "--interrupt_requests", "False",
           "--n_threads", "1", "--n_threads_batch", "1"]  # fmt: skip
    log = log_path.open("w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"{url}/models", timeout=1).status_code == 200:
                return proc, url, log
        except httpx.TransportError:
            time.sleep(0.25)
    stop_server(proc, log)
    raise SystemExit("llama_cpp.server did not start")


def stop_server(proc, log) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
    log.close()


@Language.factory("bench_tfidf_textcat", default_config={})
def make_tfidf_textcat(nlp, name):
    return TfidfTextcat()


class TfidfTextcat:
    """TF-IDF + logistic regression wrapped as a pipeline step setting doc.cats."""

    def __init__(self):
        self.model = None

    def fit(self, texts, labels):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        self.model = make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
            LogisticRegression(C=4.0, max_iter=2000),
        ).fit(texts, labels)
        return self

    def __call__(self, doc):
        return next(iter(self.pipe([doc])))

    def pipe(self, docs, batch_size=256):
        classes = list(self.model.classes_)
        for batch in spacy.util.minibatch(docs, batch_size):
            probs = self.model.predict_proba([d.text for d in batch])
            for doc, p in zip(batch, probs):
                doc.cats = {lab: float(p[classes.index(lab)]) for lab in LABELS}
                yield doc


def accuracy(docs, gold) -> float:
    ok = sum(
        bool(d.cats) and max(d.cats, key=d.cats.get) == g for d, g in zip(docs, gold)
    )
    return ok / len(gold)


def bench_routing(train, dev, thresholds, max_new_tokens, examples_path):
    gold = [g for _, g in dev]
    texts = [t for t, _ in dev]
    task = {
        "@misc": "nlpkit.TextCat.v1",
        "labels": LABELS,
        "examples": str(examples_path),
    }
    backend = {
        "@misc": "nlpkit.LlamaCpp.v1",
        "max_new_tokens": max_new_tokens,
        "n_threads": 1,
    }
    rows = []

    start = time.perf_counter()
    clf_nlp = spacy.blank("en")
    clf = clf_nlp.add_pipe("bench_tfidf_textcat")
    clf.fit([t for t, _ in train], [g for _, g in train])
    train_s = time.perf_counter() - start
    seconds, docs = run_docs(clf_nlp, texts)
    rows.append({"setup": "TF-IDF + LR textcat alone", "accuracy": accuracy(docs, gold),
                 "llm_calls": 0, "seconds": seconds, "train_seconds": train_s})  # fmt: skip

    nlp = llm_pipeline(backend, task, use_cache=False)
    seconds, docs = run_docs(nlp, texts, batch_size=16)
    stats = nlp.get_pipe("llm").stats
    rows.append({"setup": "SmolLM2 for every doc (few-shot)", "accuracy": accuracy(docs, gold),
                 "llm_calls": stats.requests_sent, "llm_failures": stats.failures,
                 "seconds": seconds, "tokens_in": stats.tokens_in,
                 "tokens_out": stats.tokens_out})  # fmt: skip

    for threshold in thresholds:
        routed = spacy.blank("en")
        routed.add_pipe("bench_tfidf_textcat").model = clf.model
        route = {"@misc": "nlpkit.route.low_confidence.v1", "threshold": threshold}
        routed.add_pipe("nlpkit_llm", name="llm", config={"task": task, "backend": backend,
                        "route": route, "use_cache": False})  # fmt: skip
        seconds, docs = run_docs(routed, texts, batch_size=16)
        stats = routed.get_pipe("llm").stats
        rows.append({"setup": f"textcat + SmolLM2 when max score < {threshold}",
                     "accuracy": accuracy(docs, gold), "llm_calls": stats.requests_sent,
                     "llm_failures": stats.failures, "seconds": seconds,
                     "tokens_in": stats.tokens_in, "tokens_out": stats.tokens_out})  # fmt: skip
    return rows


def print_table(title: str, rows: list[dict]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    keys = list(dict.fromkeys(k for r in rows for k in r))
    for k in keys:
        table.add_column(k)
    for r in rows:
        table.add_row(
            *[
                f"{r[k]:.3f}" if isinstance(r.get(k), float) else str(r.get(k, ""))
                for k in keys
            ]
        )
    Console(width=200).print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer docs everywhere")
    parser.add_argument(
        "--delay", type=float, default=0.25, help="test server delay (s)"
    )
    parser.add_argument(
        "--dev-docs", type=int, default=0, help="SST-2 dev docs (0: all)"
    )
    parser.add_argument("--thresholds", default="0.7,0.85")
    parser.add_argument(
        "--name", default="", help="results file name (default llm_handoff)"
    )
    parser.add_argument(
        "--llm-docs", type=int, default=0, help="docs for SmolLM2 speed runs"
    )
    parser.add_argument(
        "--skip",
        default="",
        help="comma list of parts to skip: http,llama,inproc,cache,routing",
    )
    args = parser.parse_args()
    skip = set(args.skip.split(","))
    from nlpkit.llm import default_gguf_path
    from nlpkit.llm.testserver import TestLLMServer

    n_http = 16 if args.quick else 48
    n_llm = args.llm_docs or (8 if args.quick else 24)
    texts = [t for t, _ in read_sst(require_data("textcat", "sst2", "dev.txt"))]
    results: dict = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "args": vars(args),
    }

    if "http" not in skip:
        with TestLLMServer(delay=args.delay) as srv:
            rows = bench_http_concurrency(
                srv.url("ok"), "test", texts[:n_http], [1, 4, 8], 16
            )
            for r in rows:
                r["server"] = (
                    f"test server, {args.delay}s fixed delay, unlimited parallel"
                )
            results["http_test_server"] = rows
            results["http_test_server_max_in_flight"] = srv.max_in_flight
        print_table("HTTP backend vs local test server", rows)

    tmp = Path(tempfile.mkdtemp(prefix="nlpkit-llm-bench-"))
    if "llama" not in skip:
        proc, url, log = start_llama_server(default_gguf_path(), tmp / "server.log")
        try:
            rows = bench_http_concurrency(url, "smollm2", texts[:n_llm], [1, 4, 8], 24)
            for r in rows:
                r["server"] = "llama_cpp.server 0.3.36, SmolLM2-135M Q4_1, 1 slot"
            results["http_llama_cpp_server"] = rows
        finally:
            stop_server(proc, log)
        print_table("HTTP backend vs llama_cpp.server (one request at a time)", rows)

    if "inproc" not in skip or "cache" not in skip:
        backend = {"@misc": "nlpkit.LlamaCpp.v1", "max_new_tokens": 24, "n_threads": 1}
        nlp = llm_pipeline(backend, {"@misc": "nlpkit.Summarize.v1", "max_words": 10},
                           cache_path=str(tmp / "cache.sqlite"))  # fmt: skip
        nlp("warm up: load the model")
        nlp.get_pipe("llm").reset_stats()
        first, _ = run_docs(nlp, texts[:n_llm], batch_size=8)
        stats = nlp.get_pipe("llm").reset_stats()
        second, _ = run_docs(nlp, texts[:n_llm], batch_size=8)
        cached = nlp.get_pipe("llm").stats
        rows = [
            {"run": "in-process SmolLM2 (llama-cpp-python)", "docs": n_llm, "seconds": first,
             "docs_per_s": n_llm / first, "requests": stats.requests_sent,
             "tokens_out": stats.tokens_out},
            {"run": "same docs again, from the cache", "docs": n_llm, "seconds": second,
             "docs_per_s": n_llm / second, "requests": cached.requests_sent,
             "tokens_out": cached.tokens_out, "cache_hits": cached.cache_hits},
        ]  # fmt: skip
        results["in_process_and_cache"] = rows
        print_table("In-process backend and cached re-run", rows)

    if "routing" not in skip:
        train = read_sst(require_data("textcat", "sst2", "train.txt"))
        dev = read_sst(require_data("textcat", "sst2", "dev.txt"))
        n_dev = args.dev_docs or (120 if args.quick else len(dev))
        examples = tmp / "examples.jsonl"
        import srsly

        srsly.write_jsonl(examples, EXAMPLES)
        thresholds = [float(x) for x in args.thresholds.split(",") if x]
        rows = bench_routing(train, dev[:n_dev], thresholds, 3, examples)
        results["routing_sst2_dev"] = {"dev_docs": n_dev, "rows": rows}
        print_table(f"Routing on SST-2 dev ({n_dev} docs)", rows)

    name = args.name or "llm_handoff" + ("_quick" if args.quick else "")
    path = save_results(name, results)
    print(f"results: {path}")


if __name__ == "__main__":
    main()
