"""Retrieval quality on Cranfield and Vaswani held-out queries.

BM25, dense (MiniLM, or --encoder mpnet), hybrid (RRF, k=60, equal weights: nothing tuned) and hybrid +
the cross-encoder trained by retrieval_train.py (on train-split queries and
document pairs only), plus its int8 CPU variant. Metrics on the even-id test
queries: nDCG@10, MRR@10, Recall@100.

    .venv/bin/python -m benchmarks.retrieval_quality [cranfield vaswani] [--quick]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from benchmarks._common import save_results
from benchmarks.retrieval_common import (
    CACHE,
    cached_dense,
    load,
    make_hybrid,
    setup_env,
)

METRICS = ("ndcg@10", "mrr@10", "recall@100")


def evaluate(searcher, queries, qrels, doc_ids):
    from nlpkit.retrieval.api import evaluate_searcher

    start = time.perf_counter()
    ev = evaluate_searcher(
        searcher, queries, qrels, k=100, doc_ids=doc_ids, metrics=METRICS
    )
    return {
        **{m: round(v, 4) for m, v in ev.metrics.items()},
        "queries": ev.n_queries,
        "seconds": round(time.perf_counter() - start, 1),
    }


def scored(hybrid, reranker, queries, depth):
    """First-stage hits (top 100) and the cross-encoder's rerank of the top depth."""
    texts = [q.get_text() for q in queries]
    start = time.perf_counter()
    first = hybrid.search_batch(texts, 100)
    reranked = reranker.rerank_batch(texts, [hits[:depth] for hits in first])
    return first, reranked, time.perf_counter() - start


def rerank_rows(hybrid, reranker, tag, coll, train_q, test_q, args) -> dict:
    """Cross-encoder alone, and fused with the hybrid score at a weight chosen on
    the train queries (grid args.weights); test queries are scored once per row."""
    from nlpkit.evaluate.ir import evaluate_run
    from nlpkit.retrieval.rerank import RerankedRetriever

    def metrics(queries, first, reranked, weight):
        rr = RerankedRetriever(hybrid, reranker, depth=args.depth, weight=weight)
        run = {q.id: rr.combine(f, r, 100) for q, f, r in zip(queries, first, reranked)}
        ev = evaluate_run(run, coll.qrels, metrics=METRICS, queries=run.keys())
        return {m: round(v, 4) for m, v in ev.metrics.items()}, ev.n_queries

    f_tr, r_tr, _ = scored(hybrid, reranker, train_q, args.depth)
    tuning = {w: metrics(train_q, f_tr, r_tr, w)[0]["ndcg@10"] for w in args.weights}
    best = max(tuning, key=lambda w: (tuning[w], -abs(w - 0.5)))
    print("weight tuned on train queries (nDCG@10):", tuning, "->", best, flush=True)
    f_te, r_te, seconds = scored(hybrid, reranker, test_q, args.depth)
    rows = {}
    for label, weight in (("", 1.0), (f", weight {best} (tuned on train)", best)):
        values, n = metrics(test_q, f_te, r_te, weight)
        key = f"hybrid + cross-encoder{tag}{label}"
        rows[key] = {**values, "queries": n, "seconds": round(seconds, 1)}
        rows[key]["train_tuning"] = tuning if weight != 1.0 else None
        print(key, rows[key], flush=True)
    return rows


def run(name: str, args) -> dict:
    from nlpkit.retrieval.bm25 import BM25Index
    from nlpkit.retrieval.rerank import Reranker

    coll, train_q, test_q = load(name)
    if args.quick:
        test_q = test_q[:20]
    doc_ids = [d.id for d in coll.docs]
    bm25 = BM25Index.build(coll.docs)
    systems = {"bm25": bm25}
    if not args.bm25_only:
        dense = cached_dense(name, coll.docs, args.encoder)
        systems["dense"] = dense
        systems["hybrid"] = make_hybrid(bm25, dense)
    rows = {}
    for label, searcher in systems.items():
        rows[label] = evaluate(searcher, test_q, coll.qrels, doc_ids)
        print(name, label, rows[label], flush=True)
    model = Path(args.reranker or CACHE / f"{name}-reranker")
    if args.bm25_only:
        print("BM25 only: no dense, hybrid or reranked rows")
    elif model.exists():
        for backend in args.backends:
            reranker = Reranker(
                model, batch_size=32, max_length=args.max_length, backend=backend
            )
            tag = "" if backend == "torch" else f" ({backend})"
            rows.update(
                rerank_rows(
                    systems["hybrid"], reranker, tag, coll, train_q, test_q, args
                )
            )
    else:
        print(
            f"no trained reranker at {model}: run benchmarks/retrieval_train.py {name}"
        )
    first = max(rows[k]["ndcg@10"] for k in systems)
    return {
        "rows": rows,
        "reranker": str(model),
        "depth": args.depth,
        "train_queries": len(train_q),
        "best_first_stage_ndcg@10": first,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("collections", nargs="*", default=["cranfield", "vaswani"])
    parser.add_argument("--quick", action="store_true", help="20 test queries")
    parser.add_argument(
        "--reranker", default=None, help="model folder (one collection)"
    )
    parser.add_argument("--depth", type=int, default=30, help="hits reranked per query")
    parser.add_argument("--max-length", type=int, default=192)
    parser.add_argument("--bm25-only", action="store_true", help="skip dense encoding")
    parser.add_argument(
        "--encoder",
        default="minilm",
        help="bi-encoder of the dense rows (minilm, mpnet)",
    )
    parser.add_argument("--backends", nargs="+", default=["torch", "int8"])
    parser.add_argument(
        "--weights",
        nargs="+",
        type=float,
        default=[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
        help="cross-encoder weights tried on the train queries",
    )
    args = parser.parse_args()
    setup_env()
    results = {name: run(name, args) for name in args.collections}
    print()
    print("| collection | system | nDCG@10 | MRR@10 | Recall@100 | queries | seconds |")
    print("|---|---|---|---|---|---|---|")
    for name, res in results.items():
        for label, row in res["rows"].items():
            print(
                f"| {name} | {label} | {row['ndcg@10']:.4f} | {row['mrr@10']:.4f} | "
                f"{row['recall@100']:.4f} | {row['queries']} | {row['seconds']} |"
            )
    suffix = "-quick" if args.quick else ""
    if args.encoder != "minilm":
        suffix = f"-{Path(args.encoder).name}{suffix}"
    name = "retrieval_quality-" + "-".join(args.collections) + suffix
    print(save_results(name, {"args": vars(args), **results}))


if __name__ == "__main__":
    main()
