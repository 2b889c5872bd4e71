"""BM25 sparse retrieval on bm25s, with nlpkit's tokenizers and safe save/open."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
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
        import bm25s

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
        retriever = bm25s.BM25(k1=k1, b=b, method=method)
        terms = tokens if tokens is not None else tokenizer(d.text for d in docs)
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
        check_k(k)
        for i, query in enumerate(queries):
            check_query(query, f" (query {i})")
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
        ids, scores = self.retriever.retrieve(
            tokens, k=k, show_progress=False, n_threads=0
        )
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
