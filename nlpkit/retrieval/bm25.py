"""BM25 sparse retrieval on bm25s, with nlpkit's tokenizers and safe save/open."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import Errors
from .hit import Hit
from .store import (
    DOCS_FILE,
    Document,
    IndexLoadError,
    as_documents,
    check_k,
    check_queries,
    check_query,
    prepare_dir,
    read_docs,
    read_meta,
    write_docs,
    write_meta,
)
from .tokenize import Tokenizer

logger = logging.getLogger("nlpkit")
BM25_DIR = "bm25s"


def fast_bm25(**options: Any):
    """A bm25s.BM25 whose index is built with numpy array operations.

    bm25s builds the score matrix with a Python loop and a Counter per document;
    for the variants without a non-occurrence term (robertson, lucene, atire) the
    same matrix comes from one np.unique over (term, document) keys, several times
    faster. The retrieval side is bm25s' own.
    """
    import bm25s
    from bm25s.scoring import _select_idf_scorer, _select_tfc_scorer

    class FastBM25(bm25s.BM25):
        def build_index_from_tokens(self, corpus_tokens, show_progress=True, **kw):
            if self.method in self.methods_requiring_nonoccurrence:
                return super().build_index_from_tokens(
                    corpus_tokens, show_progress=show_progress, **kw
                )
            self.nonoccurrence_array = None
            corpus_tokens = list(corpus_tokens)
            n_docs = len(corpus_tokens)
            lengths = np.fromiter(map(len, corpus_tokens), np.int64, n_docs)
            flat = list(chain.from_iterable(corpus_tokens))
            vocab = {t: i for i, t in enumerate(dict.fromkeys(flat))}
            ids = np.fromiter(map(vocab.__getitem__, flat), np.int64, len(flat))
            docs = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
            keys, tf = np.unique(ids * n_docs + docs, return_counts=True)
            terms, doc_idx = np.divmod(keys, n_docs)
            df = np.bincount(terms, minlength=len(vocab))
            idf_fn = _select_idf_scorer(self.idf_method)
            idf = np.array([idf_fn(int(d), N=n_docs) for d in df], dtype=self.dtype)
            tfc = _select_tfc_scorer(self.method)(
                tf_array=tf.astype(self.dtype),
                l_d=lengths[doc_idx],
                l_avg=lengths.mean() if n_docs else 1.0,
                k1=self.k1,
                b=self.b,
                delta=self.delta,
            )
            indptr = np.zeros(len(vocab) + 1, dtype=self.int_dtype)
            np.cumsum(df, out=indptr[1:])
            scores = {
                "data": (idf[terms] * tfc).astype(self.dtype),
                "indices": doc_idx.astype(self.int_dtype),
                "indptr": indptr,
                "num_docs": n_docs,
            }
            return scores, vocab

    return FastBM25(**options)


def top_k(retriever: Any, tokens: Sequence[list[str]], k: int, cells: int = 1 << 24):
    """The k best documents of many queries: one sparse product per block of queries.

    Same scores as bm25s' retrieve (the sum of each query term's column, repeats
    counted), without its per-query Python loop. RETURNS (ids, scores), best first.
    """
    import scipy.sparse as sp

    matrix = retriever.scores
    n_terms, n_docs = len(matrix["indptr"]) - 1, matrix["num_docs"]
    terms = sp.csr_matrix(
        (matrix["data"], matrix["indices"], matrix["indptr"]), shape=(n_terms, n_docs)
    )
    vocab = retriever.vocab_dict
    extra = getattr(retriever, "nonoccurrence_array", None)
    block = max(1, cells // max(1, n_docs))
    all_ids, all_scores = [], []
    for start in range(0, len(tokens), block):
        rows, cols = [], []
        for i, query in enumerate(tokens[start : start + block]):
            for term in query:
                j = vocab.get(term)
                if j is not None and j < n_terms:
                    rows.append(i)
                    cols.append(j)
        n = min(block, len(tokens) - start)
        counts = sp.csr_matrix(
            (np.ones(len(rows), dtype=terms.dtype), (rows, cols)), shape=(n, n_terms)
        )
        scores = (counts @ terms).toarray()
        if extra is not None:
            scores += (counts @ extra)[:, None]
        part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        part_scores = np.take_along_axis(scores, part, axis=1)
        order = np.argsort(-part_scores, axis=1, kind="stable")
        all_ids.append(np.take_along_axis(part, order, axis=1))
        all_scores.append(np.take_along_axis(part_scores, order, axis=1))
    return np.concatenate(all_ids), np.concatenate(all_scores)


class BM25Index:
    """A BM25 index over documents (bm25s scoring, eager sparse score matrix).

    docs (list[Document]): the indexed documents.
    tokenizer (Tokenizer): turns documents and queries into terms.
    k1, b (float): BM25 parameters; method (str): bm25s scoring variant ("lucene").
    """

    kind = "bm25"

    def __init__(
        self,
        docs: list[Document],
        *,
        tokenizer: Tokenizer | None = None,
        k1: float = 1.2,
        b: float = 0.75,
        method: str = "lucene",
        retriever: Any = None,
    ):
        self.docs = docs
        self.tokenizer = tokenizer or Tokenizer()
        self.k1, self.b, self.method = k1, b, method
        self.retriever = retriever

    @classmethod
    def build(
        cls,
        documents: Iterable[Any],
        *,
        tokenizer: Tokenizer | str | None = None,
        k1: float = 1.2,
        b: float = 0.75,
        method: str = "lucene",
        with_title: bool = True,
        tokens: Sequence[list[str]] | None = None,
    ) -> BM25Index:
        """Index documents (Records, dicts, (id, text) pairs or strings).

        tokenizer (Tokenizer | str): a Tokenizer or its kind ("stem", "word",
            "spacy_lemma").
        tokens (list[list[str]] | None): the documents' terms, already made (one
            list per document); the tokenizer is then used for queries only.
        RETURNS (BM25Index): the index, ready to search and save.
        """

        docs = as_documents(documents, with_title=with_title)
        if not docs:
            raise ValueError(Errors.E312.format(where=""))
        if not isinstance(tokenizer, Tokenizer):
            tokenizer = Tokenizer(tokenizer or "stem")
        if tokens is not None and len(tokens) != len(docs):
            raise ValueError(
                Errors.E313.format(
                    name="tokens",
                    rule=f"one list per document ({len(docs)} documents)",
                    value=f"{len(tokens)} lists",
                )
            )
        retriever = fast_bm25(k1=k1, b=b, method=method)
        terms = tokens if tokens is not None else tokenizer(d.text for d in docs)
        terms = list(terms)
        if not any(terms):
            raise ValueError(Errors.E314.format(n=len(docs), tokenizer=tokenizer.kind))
        retriever.index(terms, show_progress=False)
        logger.debug("BM25 index: %d documents", len(docs))
        return cls(
            docs, tokenizer=tokenizer, k1=k1, b=b, method=method, retriever=retriever
        )

    def __len__(self) -> int:
        return len(self.docs)

    def search(self, query: str, k: int = 10) -> list[Hit]:
        """The k best documents for a query; RETURNS hits, best first."""
        return self.search_batch([query], k)[0]

    def search_batch(self, queries: Sequence[str], k: int = 10) -> list[list[Hit]]:
        """Search many queries at once; RETURNS one list of hits per query."""
        check_queries(queries, k)
        if not queries:
            return []
        return self.search_tokens(self.tokenizer(queries), k)

    def search_tokens(
        self, tokens: Sequence[list[str]], k: int = 10
    ) -> list[list[Hit]]:
        """Search queries given as terms (as the tokenizer makes them)."""
        check_k(k)
        if not tokens:
            return []
        k = min(k, len(self.docs))
        ids, scores = top_k(self.retriever, tokens, k)
        results = []
        for row_ids, row_scores in zip(ids, scores):
            hits = []
            for i, score in zip(row_ids.tolist(), row_scores.tolist()):
                if score <= 0.0:
                    break
                doc = self.docs[i]
                hits.append(Hit(doc.id, float(score), doc.text, doc.meta))
            results.append(hits)
        return results

    def scores(self, query: str) -> np.ndarray:
        """The BM25 score of every document for one query (in index order)."""
        check_query(query)
        return self.retriever.get_scores(self.tokenizer([query])[0])

    @property
    def cfg(self) -> dict[str, Any]:
        return {
            "k1": self.k1,
            "b": self.b,
            "method": self.method,
            "tokenizer": self.tokenizer.cfg,
            "n_docs": len(self.docs),
        }

    def save(self, path: str | Path) -> Path:
        """Save the index to a folder (JSON and .npy files, no pickle)."""
        path = prepare_dir(path)
        self.retriever.save(str(path / BM25_DIR), show_progress=False)
        write_docs(path / DOCS_FILE, self.docs)
        write_meta(path, self.kind, **self.cfg)
        return path

    @classmethod
    def load(cls, path: str | Path, **_: Any) -> BM25Index:
        """Open a saved BM25 index; a damaged one raises a clear error."""
        import bm25s

        path = Path(path)
        meta = read_meta(path, cls.kind)
        docs = read_docs(path / DOCS_FILE)
        try:
            retriever = bm25s.BM25.load(
                str(path / BM25_DIR), allow_pickle=False, show_progress=False
            )
            n_indexed = retriever.scores["num_docs"]
        except (OSError, ValueError, KeyError, EOFError, json.JSONDecodeError) as err:
            reason = f"the bm25s files cannot be read ({type(err).__name__}: {err})"
            raise IndexLoadError(Errors.E305.format(path=path, reason=reason)) from None
        if n_indexed != len(docs) or meta.get("n_docs") != len(docs):
            reason = (
                f"{DOCS_FILE} has {len(docs)} documents but the index has {n_indexed}"
            )
            raise IndexLoadError(Errors.E305.format(path=path, reason=reason))
        tokenizer = Tokenizer(**meta.get("tokenizer", {}))
        return cls(
            docs,
            tokenizer=tokenizer,
            k1=meta["k1"],
            b=meta["b"],
            method=meta["method"],
            retriever=retriever,
        )
