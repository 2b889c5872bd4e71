"""Retrieval quality on Cranfield and Vaswani held-out queries.

BM25, dense (MiniLM), hybrid (RRF, k=60, equal weights: nothing tuned) and hybrid +
the cross-encoder trained by retrieval_train.py (on train-split queries and
document pairs only), plus its int8 CPU variant. Metrics on the even-id test
queries: nDCG@10, MRR@10, Recall@100.

    .venv/bin/python benchmarks/retrieval_quality.py [cranfield vaswani] [--quick]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import save_results  # noqa: E402
from benchmarks.retrieval_common import CACHE, cached_dense, load, setup_env  # noqa: E402

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


def run(name: str, args) -> dict:
    from nlpkit.retrieval.bm25 import BM25Index
    from nlpkit.retrieval.fusion import HybridIndex
    from nlpkit.retrieval.rerank import RerankedRetriever, Reranker

    coll, train_q, test_q = load(name)
    if args.quick:
        test_q = test_q[:20]
    doc_ids = [d.id for d in coll.docs]
    bm25 = BM25Index.build(coll.docs)
    systems = {"bm25": bm25}
    if not args.bm25_only:
        dense = cached_dense(name, coll.docs)
        systems["dense"] = dense
        systems["hybrid"] = HybridIndex(
            {"bm25": bm25, "dense": dense}, method="rrf", rrf_k=60, depth=100
        )
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
            searcher = RerankedRetriever(systems["hybrid"], reranker, depth=args.depth)
            label = "hybrid + cross-encoder" + (
                "" if backend == "torch" else f" ({backend})"
            )
            rows[label] = evaluate(searcher, test_q, coll.qrels, doc_ids)
            print(name, label, rows[label], flush=True)
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
    parser.add_argument("--backends", nargs="+", default=["torch", "int8"])
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
    name = "retrieval_quality-" + "-".join(args.collections) + suffix
    print(save_results(name, {"args": vars(args), **results}))


if __name__ == "__main__":
    main()
