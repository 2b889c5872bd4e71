"""Speed, same inputs, same run: nlpkit Reranker vs CrossEncoder.predict, BM25 vs rank_bm25.

- reranking: the same (query, passage) pairs (BM25 top candidates of Cranfield
  queries), the same model object and batch size; nlpkit's rerank_batch (all
  queries in one flat batch, returning sorted Hits) against sentence-transformers'
  CrossEncoder.predict on the flat list of pairs. Also the int8 (dynamic
  quantization) backend.
- BM25: index + all queries (top 100), nlpkit's BM25Index (bm25s) against
  rank_bm25's BM25Okapi given the same tokens; also nlpkit from raw text
  (Snowball stemming included) against rank_bm25 with tokens for free.

Run under the shared lock:
    flock /tmp/nlpkit-bench.lock .venv/bin/python -m benchmarks.retrieval_speed [--quick]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from benchmarks._common import save_results
from benchmarks.retrieval_common import CACHE, load, setup_env


def best_of(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def rerank_speed(args) -> dict:
    from nlpkit.retrieval.bm25 import BM25Index
    from nlpkit.retrieval.rerank import Reranker, load_cross_encoder

    coll, _, test_q = load("cranfield")
    n_queries, depth = (8, 16) if args.quick else (12, 20)
    queries = [q.get_text() for q in test_q[:n_queries]]
    first = BM25Index.build(coll.docs).search_batch(queries, depth)
    candidates = [[h.text for h in hits] for hits in first]
    pairs = [(q, c) for q, cands in zip(queries, candidates) for c in cands]
    model = CACHE / "cranfield-reranker"
    ref = str(model) if model.exists() else "minilm"
    ce = load_cross_encoder(
        ref, num_labels=1 if ref == "minilm" else None, max_length=args.max_length
    )
    reranker = Reranker(ref, batch_size=args.batch_size)
    reranker._model = ce  # the very same model object for both
    reranker._warned = True
    reranker.rerank_batch(queries[:2], candidates[:2])  # warm up
    ce.predict(pairs[:32], batch_size=args.batch_size)
    repeats = 2 if args.quick else 3
    t_peer, t_ours = [], []
    for _ in range(repeats):  # interleaved, so load changes hit both alike
        t_peer.append(best_of(lambda: ce.predict(pairs, batch_size=args.batch_size), 1))
        t_ours.append(best_of(lambda: reranker.rerank_batch(queries, candidates), 1))
    int8 = Reranker(
        ref, batch_size=args.batch_size, max_length=args.max_length, backend="int8"
    )
    int8._warned = True
    int8.rerank_batch(queries[:2], candidates[:2])
    t_int8 = best_of(lambda: int8.rerank_batch(queries, candidates), repeats)
    n = len(pairs)
    peer, ours = n / min(t_peer), n / min(t_ours)
    return {
        "pairs": n,
        "batch_size": args.batch_size,
        "max_length": args.max_length,
        "model": ref,
        "crossencoder_predict_pairs_per_s": round(peer, 1),
        "nlpkit_rerank_batch_pairs_per_s": round(ours, 1),
        "ratio_nlpkit_over_predict": round(ours / peer, 3),
        "nlpkit_int8_pairs_per_s": round(n / t_int8, 1),
        "int8_speedup_over_torch": round(min(t_ours) / t_int8, 3),
        "all_times_s": {"predict": t_peer, "nlpkit": t_ours, "int8": t_int8},
    }


def bm25_speed(name: str, args) -> dict:
    from rank_bm25 import BM25Okapi

    from nlpkit.retrieval.bm25 import BM25Index
    from nlpkit.retrieval.tokenize import Tokenizer

    coll, _, _ = load(name)
    queries = [q.get_text() for q in coll.queries]
    tok = Tokenizer()
    doc_tokens = tok([d.get_text() for d in coll.docs])
    query_tokens = tok(queries)

    def ours_text():
        index = BM25Index.build(coll.docs)
        index.search_batch(queries, 100)

    def ours_tokens():
        index = BM25Index.build(coll.docs, tokens=doc_tokens)
        index.search_tokens(query_tokens, 100)

    def peer():
        bm = BM25Okapi(doc_tokens)
        for q in query_tokens:
            scores = bm.get_scores(q)
            np.argsort(-scores)[:100]

    def tokenize():
        tok([d.get_text() for d in coll.docs])
        tok(queries)

    t_peer = best_of(peer, 1)
    t_tokens = best_of(ours_tokens, 3)
    t_text = best_of(ours_text, 3)
    t_tok = best_of(tokenize, 3)
    return {
        "docs": len(coll.docs),
        "queries": len(queries),
        "rank_bm25_s": round(t_peer, 3),
        "nlpkit_bm25_tokens_s": round(t_tokens, 3),
        "nlpkit_bm25_text_s": round(t_text, 3),
        "tokenize_s": round(t_tok, 3),
        # same tokens given to both: the goal's comparison
        "speedup": round(t_peer / t_tokens, 1),
        # text in for nlpkit (stemming included) vs tokens for free for rank_bm25
        "speedup_text": round(t_peer / t_text, 1),
        # both tokenize with the same Snowball tokenizer
        "speedup_both_tokenize": round((t_peer + t_tok) / t_text, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-length", type=int, default=192)
    parser.add_argument("--skip-rerank", action="store_true")
    args = parser.parse_args()
    setup_env()
    import torch

    results = {"torch_threads": torch.get_num_threads()}
    for name in ("cranfield",) if args.quick else ("cranfield", "vaswani"):
        results[f"bm25_{name}"] = bm25_speed(name, args)
        print(name, results[f"bm25_{name}"], flush=True)
    if not args.skip_rerank:
        results["rerank"] = rerank_speed(args)
        print(results["rerank"], flush=True)
    print(save_results("retrieval_speed" + ("-quick" if args.quick else ""), results))


if __name__ == "__main__":
    main()
