"""The retrieval interface: what every retriever offers, and the index kinds.

A retriever answers `search(query, k)` and `search_batch(queries, k)` with Hits,
best first. Subclasses of BaseRetriever write `search_batch` only. An index is a
retriever over documents it keeps, saved to a folder whose metadata names its
kind; `load_index` opens it with the class registered for that kind in the
`index_kinds` registry (entry point group `nlpkit_index_kinds`), so a plugin
package can add a kind without nlpkit knowing it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import catalogue

from ..errors import Errors, IndexLoadError
from .hit import Hit
from .store import (
    DOCS_FILE,
    Document,
    check_k,
    check_queries,
    prepare_dir,
    read_docs,
    read_meta,
    write_docs,
    write_meta,
)

DEFAULT_K = 10
# First-stage hits a cross-encoder rescores per query, for the CLI, the
# nlpkit_reranker component and the RAG task alike: the depth every reranking
# run in benchmarks/HISTORY.md was measured at.
DEFAULT_DEPTH = 30

index_kinds = catalogue.create("nlpkit", "index_kinds", entry_points=True)


@runtime_checkable
class Retriever(Protocol):
    """Anything that searches: nlpkit's indexes, RerankedRetriever, a plugin's."""

    def search(self, query: str, k: int = DEFAULT_K) -> list[Hit]: ...

    def search_batch(
        self, queries: Sequence[str], k: int = DEFAULT_K
    ) -> list[list[Hit]]: ...


class BaseRetriever:
    """A retriever: subclasses write search_batch; search comes from it."""

    def search(self, query: str, k: int = DEFAULT_K) -> list[Hit]:
        """The k best documents for a query; RETURNS hits, best first."""
        return self.search_batch([query], k)[0]

    def search_batch(
        self, queries: Sequence[str], k: int = DEFAULT_K
    ) -> list[list[Hit]]:
        """Search many queries at once; RETURNS one list of hits per query."""
        raise NotImplementedError


class BaseIndex(BaseRetriever):
    """A retriever over documents it keeps (self.docs), saved to a folder.

    Subclasses set `kind` (the name they are registered under in index_kinds),
    and write search_texts (or search_batch), save(path) and the classmethod
    load(path, **options); save_folder and open_folder do the part every kind
    shares.
    """

    kind: str = ""
    docs: list[Document]

    @property
    def cfg(self) -> dict[str, Any]:
        """The settings saved in the folder's metadata."""
        return {}

    def __len__(self) -> int:
        return len(self.docs)

    def search_batch(
        self, queries: Sequence[str], k: int = DEFAULT_K
    ) -> list[list[Hit]]:
        """Search many queries at once; RETURNS one list of hits per query."""
        check_queries(queries, k)
        return self.search_texts(list(queries), k) if queries else []

    def search_texts(self, queries: list[str], k: int) -> list[list[Hit]]:
        """Search checked, non-empty query texts (k checked too)."""
        raise NotImplementedError

    def doc_ids(self) -> list[str]:
        """The ids of every indexed document, in index order."""
        return [doc.id for doc in self.docs]

    def save(self, path: str | Path) -> Path:
        raise NotImplementedError

    def save_folder(self, path: str | Path, write: Callable[[Path], Any]) -> Path:
        """An emptied folder holding write(folder)'s files, the documents and cfg."""
        path = prepare_dir(path)
        write(path)
        write_docs(path / DOCS_FILE, self.docs)
        write_meta(path, self.kind, **self.cfg)
        return path

    @classmethod
    def open_folder(cls, path: str | Path) -> tuple[Path, dict, list[Document]]:
        """A saved folder's path, metadata (checked to be of this kind) and docs."""
        path = Path(path)
        return path, read_meta(path, cls.kind), read_docs(path / DOCS_FILE)

    @classmethod
    def load(cls, path: str | Path, **options: Any) -> BaseIndex:
        raise NotImplementedError


class SearchOnly(BaseRetriever):
    """A retriever made from an object that has only search(query, k)."""

    def __init__(self, searcher: Any):
        self.searcher = searcher

    def search(self, query: str, k: int = DEFAULT_K) -> list[Any]:
        return list(self.searcher.search(query, k))

    def search_batch(self, queries: Sequence[str], k: int = DEFAULT_K):
        check_k(k)
        return [self.search(q, k) for q in queries]


def as_retriever(obj: Any) -> Retriever:
    """obj for a caller of search_batch: one with only search(query, k) is wrapped."""
    if callable(getattr(obj, "search_batch", None)):
        return obj
    if callable(getattr(obj, "search", None)):
        return SearchOnly(obj)
    raise TypeError(Errors.E330.format(obj=obj))


def load_index(path: str | Path, **options: Any) -> BaseIndex:
    """Open any saved nlpkit index, by the kind its metadata names.

    path (str | Path): the index folder.
    options: passed on to the kind's load (e.g. encoder= for dense indexes).
    RETURNS (BaseIndex): the index, with search() and search_batch().
    """
    kind = read_meta(path)["kind"]
    try:
        cls = index_kinds.get(kind)
    except catalogue.RegistryError:
        known = sorted(index_kinds.get_all())
        reason = f"unknown index kind {kind!r} (known kinds: {', '.join(known)})"
        raise IndexLoadError(Errors.E304.format(path=path, reason=reason)) from None
    return cls.load(path, **options)
