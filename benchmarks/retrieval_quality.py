"""Retrieval quality on held-out queries: every first stage, its strongest peer, and
the trained cross-encoder on top, in one table.

BM25 (peer: bm25s with its own tokenizer, stop words and PyStemmer), dense (peer:
sentence-transformers encoding with the same model, then util.semantic_search),
hybrid (RRF k=60, equal weights, nothing tuned; peer: the same RRF over the two
peers' rankings) and the hybrid reranked by a cross-encoder trained here by
retrieval_train.train() on train-split queries and document pairs only (the model is
cached per size in benchmarks/.cache/retrieval). Its fusion weight is chosen on the
train queries. The reranked figure is set against every first stage, so that "the
reranker beats the hybrid" can only be read next to the best first stage.

    .venv/bin/python -m benchmarks.retrieval_quality --name retrieval_quality --size quick
"""

from __future__ import annotations

import json

import numpy as np

from benchmarks.harness import NotAvailable, cli, row
from benchmarks.retrieval_common import CACHE, cached_dense, load, make_hybrid

METRICS = ("ndcg@10", "mrr@10", "recall@100")
K = 100


def scores(run: dict, coll, queries) -> dict:
    from nlpkit.evaluate.ir import evaluate_run

    ev = evaluate_run(run, coll.qrels, metrics=METRICS, queries=[q.id for q in queries])
    return {**{m: round(v, 4) for m, v in ev.metrics.items()}, "queries": ev.n_queries}


def search(searcher, queries) -> dict:
    hits = searcher.search_batch([q.get_text() for q in queries], K)
    return {q.id: [h.id for h in hs] for q, hs in zip(queries, hits)}


def bm25s_run(docs, queries, s: dict) -> dict:
    import bm25s
    import Stemmer

    stemmer = Stemmer.Stemmer("english")
    retriever = bm25s.BM25(k1=s["k1"], b=s["b"], method=s["method"])
    tokens = bm25s.tokenize(
        [d.text for d in docs], stopwords="en", stemmer=stemmer, show_progress=False
    )
    retriever.index(tokens, show_progress=False)
    q_tokens = bm25s.tokenize(
        [q.get_text() for q in queries], stopwords="en", stemmer=stemmer,
        return_ids=False, show_progress=False,
    )  # fmt: skip
    vocab = retriever.vocab_dict
    run = {q.id: [] for q in queries}  # a query with no known word finds nothing
    asked = [(q, [t for t in toks if t in vocab]) for q, toks in zip(queries, q_tokens)]
    asked = [(q, toks) for q, toks in asked if toks]
    if asked:
        ids, _ = retriever.retrieve(
            [toks for _, toks in asked], k=min(K, len(docs)), show_progress=False
        )
        for (q, _), row_ids in zip(asked, ids):
            run[q.id] = [docs[i].id for i in row_ids]
    return run


def semantic_search_run(name: str, docs, queries, encoder: str) -> dict:
    """sentence-transformers on its own: encode, util.semantic_search (top 100)."""
    from sentence_transformers import SentenceTransformer, util

    from nlpkit.models import resolve_model

    model = SentenceTransformer(resolve_model(encoder), device="cpu")
    path = CACHE / f"{name}-st-{encoder}.npy"
    if path.exists():
        emb = np.load(path)
    else:
        emb = model.encode([d.text for d in docs], normalize_embeddings=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, emb)
    q = model.encode([q.get_text() for q in queries], normalize_embeddings=True)
    found = util.semantic_search(q, emb, top_k=min(K, len(docs)))
    return {
        qr.id: [docs[h["corpus_id"]].id for h in hits]
        for qr, hits in zip(queries, found)
    }


def score_row(case: str, ours: float, peer_name: str, peer: float) -> dict:
    """A row of scores: unit "" and, in the ratio column, nlpkit minus the peer."""
    return row(case, ours, peer_name, peer, unit="", ratio=round(ours - peer, 4))


def rrf(runs: list[dict], k: int = 60) -> dict:
    out = {}
    for qid in runs[0]:
        score: dict[str, float] = {}
        for run in runs:
            for rank, doc_id in enumerate(run[qid], 1):
                score[doc_id] = score.get(doc_id, 0.0) + 1.0 / (k + rank)
        out[qid] = sorted(score, key=lambda d: -score[d])[:K]
    return out


def encoders_here(wanted: list[str]) -> tuple[list[str], list[str]]:
    from nlpkit.models import resolve_model

    have, missing = [], []
    for enc in wanted:
        try:
            resolve_model(enc)
            have.append(enc)
        except Exception:  # not installed: `nlpkit models fetch <name>`
            missing.append(enc)
    return have, missing


def reranker_for(exp, size: str, coll_name: str):
    """The size's cross-encoder, trained once on coll_name's train split and cached."""
    from benchmarks.retrieval_train import train

    recipe = exp.sizes[size]["reranker"]
    out = CACHE / f"{coll_name}-reranker-{size}"
    info_path = out / "benchmark_train.json"
    if info_path.exists():
        info = json.loads(info_path.read_text())
        if {k: info["recipe"].get(k) for k in recipe} == recipe:
            return out, info
    coll, train_q, test_q = load(coll_name)
    return out, train(coll, train_q, test_q, out, **recipe)


def rerank(hybrid, reranker, coll, train_q, test_q, depth, weights):
    """(alone, fused, weight): the cross-encoder alone and fused with the hybrid at
    the weight that scores best on the train queries."""
    from nlpkit.retrieval.rerank import RerankedRetriever

    def runs(queries):
        texts = [q.get_text() for q in queries]
        first = hybrid.search_batch(texts, K)
        again = reranker.rerank_batch(texts, [hits[:depth] for hits in first])

        def fused(weight):
            rr = RerankedRetriever(hybrid, reranker, depth=depth, weight=weight)
            return {
                q.id: [h.id for h in rr.combine(f, r, K)]
                for q, f, r in zip(queries, first, again)
            }

        return fused

    train_runs = runs(train_q)
    tuning = {w: scores(train_runs(w), coll, train_q)["ndcg@10"] for w in weights}
    best = max(tuning, key=lambda w: (tuning[w], -abs(w - 0.5)))
    test_runs = runs(test_q)
    alone = scores(test_runs(1.0), coll, test_q)
    return alone, scores(test_runs(best), coll, test_q), best, tuning


def collection_rows(exp, size, name, encoders, reranker, checks) -> tuple[list, float]:
    from nlpkit.retrieval.bm25 import BM25Index
    from nlpkit.retrieval.store import as_documents

    s, z = exp.settings, exp.sizes[size]
    coll, train_q, test_q = load(name)
    test_q = test_q[: z.get("max_test_queries")]
    train_q = train_q[: z.get("max_train_queries")]  # only for tuning the weight
    docs = as_documents(coll.docs, with_title=True)
    bm25 = BM25Index.build(coll.docs, k1=s["k1"], b=s["b"], method=s["method"])
    ours = {"BM25": bm25}
    peers = {"BM25": ("bm25s (own tokenizer, PyStemmer)", bm25s_run(docs, test_q, s))}
    hybrids = {}
    for enc in encoders:
        dense = cached_dense(name, coll.docs, enc)
        hybrids[enc] = make_hybrid(bm25, dense)
        peer_dense = semantic_search_run(name, docs, test_q, enc)
        ours[f"dense {enc}"] = dense
        peers[f"dense {enc}"] = ("sentence-transformers semantic_search", peer_dense)
        ours[f"hybrid {enc}"] = hybrids[enc]
        peers[f"hybrid {enc}"] = (
            "RRF k=60 of bm25s + semantic_search",
            rrf([peers["BM25"][1], peer_dense]),
        )
    first = {
        label: scores(search(idx, test_q), coll, test_q) for label, idx in ours.items()
    }
    rows = []
    for label, m in first.items():
        peer_name, peer_run = peers[label]
        pm = scores(peer_run, coll, test_q)
        for metric in ("ndcg@10", "recall@100"):
            rows.append(
                score_row(
                    f"{name}: {label}, {metric}", m[metric], peer_name, pm[metric]
                )
            )
    best_label = max(first, key=lambda k: first[k]["ndcg@10"])
    best_first = first[best_label]["ndcg@10"]
    best_reranked = 0.0
    for enc, hybrid in hybrids.items():
        alone, fused, weight, tuning = rerank(
            hybrid, reranker, coll, train_q, test_q, z["depth"], z["weights"]
        )
        case = f"{name}: hybrid {enc} + cross-encoder"
        own = first[f"hybrid {enc}"]["ndcg@10"]
        rows.append(
            score_row(f"{case} alone, ndcg@10", alone["ndcg@10"],
                      f"nlpkit hybrid {enc} (its first stage)", own)
        )  # fmt: skip
        fused_case = f"{case}, fused w={weight} (train), ndcg@10"
        for label, m in first.items():  # against every first stage, not just its own
            rows.append(
                score_row(fused_case, fused["ndcg@10"], f"nlpkit {label}", m["ndcg@10"])
            )
        best_reranked = max(best_reranked, fused["ndcg@10"])
        checks[f"{name}: weights tuned on train (ndcg@10), hybrid {enc}"] = tuning
    checks[f"{name}: best first stage"] = f"{best_label} {best_first:.4f}"
    checks[f"{name}: queries (train / test)"] = f"{len(train_q)} / {len(test_q)}"
    return rows, (best_reranked / best_first if best_first else None)


def run(exp, size: str) -> dict:
    from nlpkit.retrieval.rerank import Reranker

    z = exp.sizes[size]
    encoders, missing = encoders_here(z["encoders"])
    if not encoders:
        raise NotAvailable(f"no bi-encoder installed of {z['encoders']}")
    model, info = reranker_for(exp, size, z["train_on"])
    reranker = Reranker(model, batch_size=32, max_length=z["max_length"])
    checks = {
        "reranker": f"trained on {z['train_on']}: {info.get('examples')} examples "
        f"(of {info['labelled']} from train queries + {info['document_pairs']} from "
        f"documents), {info['steps']} steps, {info['seconds']} s, final loss "
        f"{info['final_loss']:.3f} ({info['loss']})",
    }
    if missing:
        checks["encoders not installed"] = missing
    rows, ratios = [], []
    for name in z["collections"]:
        more, ratio = collection_rows(exp, size, name, encoders, reranker, checks)
        rows += more
        ratios.append(ratio)
    ratio = round(min(r for r in ratios if r is not None), 4)
    return {"rows": rows, "ratio": ratio, "checks": checks, "extra": {"train": info}}


if __name__ == "__main__":
    cli(run)
