"""BM25 sparse retrieval on bm25s, with nlpkit's tokenizers and safe save/open."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import Errors, IndexLoadError
from .base import DEFAULT_K, BaseIndex, index_kinds
from .hit import Hit
from .store import (
    DOCS_FILE,
    Document,
    check_k,
    check_queries,
    check_query,
    index_documents,
)
from .tokenize import TermEncoder, Tokenizer

logger = logging.getLogger("nlpkit")
BM25_DIR = "bm25s"


METHODS = ("robertson", "lucene", "atire", "bm25l", "bm25+")
NONOCCURRENCE = ("bm25l", "bm25+")


def check_method(method: str) -> str:
    if method not in METHODS:
        raise ValueError(
            Errors.E307.format(what="BM25 method", value=method, known=METHODS)
        )
    return method


def build_retriever(
    ids: np.ndarray,
    offsets: np.ndarray,
    vocab: dict[str, int],
    *,
    k1: float,
    b: float,
    method: str,
):
    """A bm25s.BM25 holding the score matrix of documents given as term ids.

    ids, offsets: document i is ids[offsets[i]:offsets[i + 1]] (a TermEncoder's
    output); vocab: term -> id. For Robertson, Lucene and ATIRE the matrix comes
    from two linear numba passes over the ids (no per-token Python objects, no
    sort); BM25L and BM25+ go through bm25s' own builder.
    """
    import bm25s
    from bm25s.scoring import _select_idf_scorer

    retriever = bm25s.BM25(k1=k1, b=b, method=method)
    n_docs, n_terms = len(offsets) - 1, len(vocab)
    if method in NONOCCURRENCE:
        token_ids = [ids[s:e].tolist() for s, e in zip(offsets[:-1], offsets[1:])]
        scores = retriever.build_index_from_ids(
            list(range(n_terms)), token_ids, show_progress=False
        )
    else:
        from . import bm25_kernels

        lengths = np.diff(offsets)
        indptr, docs, data, df = bm25_kernels.term_columns(ids, offsets, n_terms)
        idf_fn = _select_idf_scorer(retriever.idf_method)
        by_df = {d: idf_fn(d, N=n_docs) for d in set(df.tolist())}
        idf = np.array([by_df[d] for d in df.tolist()], dtype=retriever.dtype)
        l_avg = float(lengths.mean())
        bm25_kernels.weigh(
            indptr, docs, data, idf, lengths, l_avg, k1, b, method == "atire"
        )
        if indptr[-1] < np.iinfo(np.int32).max:
            indptr = indptr.astype(np.int32)
        scores = {"data": data, "indices": docs, "indptr": indptr, "num_docs": n_docs}
        retriever.nonoccurrence_array = None
    vocab = dict(vocab)
    vocab.setdefault("", n_terms)  # as bm25s.BM25.index makes it
    retriever.scores, retriever.vocab_dict = scores, vocab
    retriever.unique_token_ids_set = set(vocab.values())
    return retriever


def top_k(retriever: Any, ids: np.ndarray, offsets: np.ndarray, k: int):
    """The k best documents (score > 0) of queries given as term ids.

    Same scores as bm25s' retrieve (the sum of each query term's column, repeats
    counted, in query order). RETURNS (doc ids, scores, counts): row i holds
    counts[i] results, best first, ties to the lower document number.
    """
    from . import bm25_kernels

    matrix = retriever.scores
    extra = getattr(retriever, "nonoccurrence_array", None)
    if extra is None:
        base = np.zeros(0, dtype=np.float32)
    else:
        queries = np.split(ids, offsets[1:-1])
        base = np.array([extra[q[q < len(extra)]].sum() for q in queries], np.float32)
    return bm25_kernels.search(
        ids.astype(np.int32, copy=False),
        offsets.astype(np.int64, copy=False),
        matrix["data"].astype(np.float32, copy=False),
        matrix["indices"].astype(np.int32, copy=False),
        matrix["indptr"].astype(np.int64, copy=False),
        int(matrix["num_docs"]),
        k,
        base,
    )


@index_kinds.register("bm25")
class BM25Index(BaseIndex):
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
        self.k1, self.b, self.method = k1, b, check_method(method)
        self.retriever = retriever
        self._encoder: TermEncoder | None = None

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

        check_method(method)
        docs = index_documents(documents, with_title=with_title)
        if not isinstance(tokenizer, Tokenizer):
            tokenizer = Tokenizer(tokenizer or "stem")
        if tokens is not None and len(tokens) != len(docs):
            raise ValueError(
                Errors.E025.format(
                    name="tokens",
                    rule=f"one list per document ({len(docs)} documents)",
                    value=f"{len(tokens)} lists",
                )
            )
        encoder = TermEncoder(tokenizer)
        if tokens is not None:
            ids, offsets = encoder.encode_terms(tokens)
        else:
            ids, offsets = encoder.encode_texts(d.text for d in docs)
        if not ids.size:
            raise ValueError(Errors.E314.format(n=len(docs), tokenizer=tokenizer.kind))
        retriever = build_retriever(
            ids, offsets, encoder.vocab, k1=k1, b=b, method=method
        )
        encoder.grow = False
        logger.debug("BM25 index: %d documents", len(docs))
        index = cls(
            docs, tokenizer=tokenizer, k1=k1, b=b, method=method, retriever=retriever
        )
        index._encoder = encoder
        return index

    @property
    def encoder(self) -> TermEncoder:
        """Maps query texts and terms to this index's term ids."""
        if self._encoder is None:
            n_terms = len(self.retriever.scores["indptr"]) - 1
            vocab = self.retriever.vocab_dict
            vocab = {t: i for t, i in vocab.items() if i < n_terms}
            self._encoder = TermEncoder(self.tokenizer, vocab, grow=False)
        return self._encoder

    def search_texts(self, queries: list[str], k: int) -> list[list[Hit]]:
        return self._hits(*self._top_k(*self.encoder.encode_texts(queries), k))

    def search_tokens(
        self, tokens: Sequence[list[str]], k: int = DEFAULT_K
    ) -> list[list[Hit]]:
        """Search queries given as terms (as the tokenizer makes them)."""
        check_k(k)
        if not tokens:
            return []
        return self._hits(*self._top_k(*self.encoder.encode_terms(tokens), k))

    def retrieve(
        self, queries: Sequence[str] | Sequence[list[str]], k: int = DEFAULT_K
    ) -> tuple[np.ndarray, np.ndarray]:
        """The k best documents of each query as arrays, like bm25s' retrieve.

        No Hit objects are made, so this is the fast path for many queries.
        queries (list[str] | list[list[str]]): query texts, or their terms as the
            tokenizer makes them (one list per query).
        k (int): results per query (at most the number of documents).
        RETURNS (tuple[np.ndarray, np.ndarray]): document numbers (int32, shape
            (n_queries, k); positions in self.docs, -1 where a query matches
            fewer documents) and their scores (float32, 0 there), best first.
        """
        check_k(k)
        if len(queries) and not isinstance(queries[0], str):
            ids, offsets = self.encoder.encode_terms(queries)
        else:
            ids, offsets = self.encoder.encode_texts(check_queries(queries))
        found, scores, _ = self._top_k(ids, offsets, k)
        return found, scores

    def _top_k(self, ids: np.ndarray, offsets: np.ndarray, k: int):
        return top_k(self.retriever, ids, offsets, min(k, len(self.docs)))

    def _hits(self, found: np.ndarray, scores: np.ndarray, counts: np.ndarray):
        docs, results = self.docs, []
        for row, row_scores, n in zip(found.tolist(), scores.tolist(), counts.tolist()):
            results.append(
                [
                    Hit(doc.id, score, doc.text, doc.meta)
                    for doc, score in zip(
                        map(docs.__getitem__, row[:n]), row_scores[:n]
                    )
                ]
            )
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
        return self.save_folder(
            path, lambda p: self.retriever.save(str(p / BM25_DIR), show_progress=False)
        )

    @classmethod
    def load(cls, path: str | Path, **_: Any) -> BM25Index:
        """Open a saved BM25 index; a damaged one raises a clear error."""
        import bm25s

        path, meta, docs = cls.open_folder(path)
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
