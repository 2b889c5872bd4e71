"""The plain functions behind `nlpkit index`, `nlpkit search` and `nlpkit rerank`."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import Errors
from .base import DEFAULT_DEPTH, DEFAULT_K, BaseIndex, Retriever, load_index
from .hit import Hit

logger = logging.getLogger("nlpkit")
INDEX_MODES = ("bm25", "dense", "hybrid", "chroma")
SEARCH_MODES = ("bm25", "dense", "hybrid")


def load_collection(name_or_dir: str | Path):
    """An IR collection (docs, queries, qrels) by name ("cranfield", "vaswani") or folder."""
    from ..io.ir import load_collection as io_load_collection

    return io_load_collection(name_or_dir)


def read_documents(
    inputs: Sequence[str | Path] | None = None,
    *,
    collection: str | None = None,
    input_format: str | None = None,
    **options: Any,
) -> list[Any]:
    """Records to index, from corpus files (any nlpkit format) or a named collection."""
    if collection:
        return list(load_collection(collection).docs)
    from ..io import read_corpus

    docs = list(read_corpus(list(inputs or []), format=input_format, **options))
    if not docs:
        raise ValueError(
            Errors.E312.format(where=f" in {', '.join(map(str, inputs or []))}")
        )
    return docs


def build_index(
    documents: Sequence[Any],
    output: str | Path,
    *,
    mode: str = "bm25",
    model: str = "minilm",
    tokenizer: str = "stem",
    fusion: str = "rrf",
    weights: Sequence[float] | None = None,
    rrf_k: float = 60.0,
) -> BaseIndex:
    """Build and save an index of the given kind; RETURNS the index.

    fusion, weights, rrf_k (hybrid only): "rrf" or "linear"; one weight per
    retriever (bm25, dense); the RRF constant.
    """
    from .bm25 import BM25Index
    from .fusion import HybridIndex, check_fusion

    if mode not in INDEX_MODES:
        raise ValueError(
            Errors.E307.format(what="index mode", value=mode, known=INDEX_MODES)
        )
    if mode == "hybrid":  # before the (slow) embedding of the corpus
        check_fusion(fusion, weights, ["bm25", "dense"], rrf_k)
    if mode == "chroma":
        from .chroma import ChromaStore

        return ChromaStore.build(documents, output, encoder=model)
    if mode == "bm25":
        index = BM25Index.build(documents, tokenizer=tokenizer)
    else:
        from .dense import DenseIndex

        dense = DenseIndex.build(documents, encoder=model)
        if mode == "dense":
            index = dense
        else:
            bm25 = BM25Index.build(documents, tokenizer=tokenizer)
            index = HybridIndex(
                {"bm25": bm25, "dense": dense},
                method=fusion,
                weights=weights,
                rrf_k=rrf_k,
            )
    index.save(output)
    return index


def select_mode(index: BaseIndex, mode: str | None, path: str | Path = "") -> BaseIndex:
    """The retriever for a search mode within an opened index (e.g. bm25 of a hybrid)."""
    from .fusion import HybridIndex

    if mode is None or mode == index.kind:
        return index
    if mode not in SEARCH_MODES:
        raise ValueError(
            Errors.E307.format(what="search mode", value=mode, known=SEARCH_MODES)
        )
    if isinstance(index, HybridIndex):
        if mode == "hybrid":
            return index
        if mode in index.retrievers:
            return index.retrievers[mode]
        available = list(index.retrievers)
    elif mode == "dense" and index.kind == "chroma":
        return index
    else:
        available = [index.kind]
    raise ValueError(Errors.E306.format(mode=mode, path=path, available=available))


def open_searcher(
    index_path: str | Path,
    *,
    mode: str | None = None,
    rerank: str | None = None,
    depth: int = DEFAULT_DEPTH,
    batch_size: int = 32,
    max_length: int | None = None,
    weight: float = 1.0,
    backend: str = "torch",
) -> Retriever:
    """An opened index (restricted to a mode), optionally followed by a reranker.

    weight (float): the cross-encoder's share of the final score (see
        RerankedRetriever); 1.0 orders by the cross-encoder alone.
    backend (str): the reranker's backend, "torch" or "int8" (CPU, dynamic int8).
    """
    searcher = select_mode(load_index(index_path), mode, index_path)
    if rerank:
        from .rerank import RerankedRetriever, Reranker

        reranker = Reranker(
            rerank, batch_size=batch_size, max_length=max_length, backend=backend
        )
        searcher = RerankedRetriever(searcher, reranker, depth=depth, weight=weight)
    return searcher


def searcher_doc_ids(searcher: Retriever) -> list[str] | None:
    """The ids of every document a searcher (or the index under a reranker) holds."""
    doc_ids = getattr(searcher, "doc_ids", None)
    return None if doc_ids is None else list(doc_ids())


def run_queries(
    searcher: Retriever, queries: Sequence[Any], k: int = DEFAULT_K
) -> dict[str, list[Hit]]:
    """Search every query (Records or (id, text)); RETURNS query id -> hits."""
    ids, texts = [], []
    for i, q in enumerate(queries):
        if isinstance(q, tuple):
            qid, text = q
        else:
            qid, text = (q.id if q.id is not None else str(i)), q.get_text()
        ids.append(str(qid))
        texts.append(text)
    return dict(zip(ids, searcher.search_batch(texts, k)))


def evaluate_searcher(
    searcher: Retriever,
    queries: Sequence[Any],
    qrels: dict[str, dict[str, int]],
    *,
    k: int = 100,
    doc_ids: Sequence[str] | None = None,
    per_query_path: str | Path | None = None,
    metrics: Sequence[str] = ("ndcg@10", "mrr@10", "recall@100", "map"),
):
    """Search the queries, score against qrels, optionally write per-query results.

    doc_ids (Sequence[str] | None): the collection's ids, to count judgements of
        unknown documents (None: taken from the searcher where it can tell).
    per_query_path (Path | None): JSONL with one row per query (id, metrics, top ids).
    RETURNS (IREvaluation): means, per-query values, unknown-doc counts.
    """
    from ..evaluate.ir import evaluate_run

    if doc_ids is None:
        doc_ids = searcher_doc_ids(searcher)
    run = run_queries(searcher, queries, k)
    evaluation = evaluate_run(
        run, qrels, metrics=metrics, doc_ids=doc_ids, queries=run.keys()
    )
    if per_query_path is not None:
        path = Path(per_query_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as f:
            for qid, values in evaluation.per_query.items():
                row = {
                    "query_id": qid,
                    **values,
                    "ranking": [
                        [h.id, round(h.score, 6)] for h in run.get(qid, [])[:k]
                    ],
                }
                f.write(json.dumps(row) + "\n")
    return evaluation
