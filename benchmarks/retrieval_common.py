"""Shared set-up for the retrieval benchmarks: collections, the fixed query split, caches."""

from __future__ import annotations

import os
from pathlib import Path

from benchmarks.data import require_data

CACHE = Path(__file__).resolve().parent / ".cache" / "retrieval"
COLLECTIONS = ("cranfield", "vaswani")


def lee_collection(n_docs: int = 40):
    """A tiny known-item collection for smoke runs (ships inside gensim): the first
    n_docs lee paragraphs are the documents; the first eight words of each are its
    query, and the paragraph is the one relevant document."""
    from benchmarks.data import paragraphs
    from nlpkit.io.ir import IRCollection
    from nlpkit.io.records import Record

    texts = [p for _, p in zip(range(n_docs), paragraphs("lee"))]
    docs = [Record(text=t, id=f"d{i}") for i, t in enumerate(texts, 1)]
    queries = [
        Record(text=" ".join(t.split()[:8]), id=str(i)) for i, t in enumerate(texts, 1)
    ]
    qrels = {q.id: {f"d{q.id}": 1} for q in queries}
    return IRCollection(docs=docs, queries=queries, qrels=qrels, name="lee")


def load(name: str):
    """The collection and its fixed split: odd query ids train, even ids test."""
    from nlpkit.io.ir import load_collection

    if name == "lee":
        coll = lee_collection()
    else:
        require_data("ir", name)
        coll = load_collection(name)
    judged = [
        q for q in coll.queries if any(g > 0 for g in coll.qrels.get(q.id, {}).values())
    ]
    train = [q for q in judged if int(q.id) % 2 == 1]
    test = [q for q in judged if int(q.id) % 2 == 0]
    return coll, train, test


def cached_dense(name: str, docs, encoder: str = "minilm"):
    """The dense index of a collection, built once and cached (git-ignored)."""
    from nlpkit.retrieval.dense import DenseIndex
    from nlpkit.retrieval.store import load_index

    path = CACHE / (f"{name}-dense" + ("" if encoder == "minilm" else f"-{encoder}"))
    if path.exists():
        return load_index(path)
    index = DenseIndex.build(docs, encoder=encoder)
    index.save(path)
    return index


def make_hybrid(bm25, dense):
    """The benchmarks' hybrid first stage: RRF k=60, equal weights, nothing tuned."""
    from nlpkit.retrieval.fusion import HybridIndex

    return HybridIndex(
        {"bm25": bm25, "dense": dense}, method="rrf", rrf_k=60, depth=100
    )


def setup_env() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
