"""A persistent ChromaDB vector store that always embeds with nlpkit's own encoder."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..errors import Errors, IndexLoadError
from .base import BaseIndex, index_kinds
from .dense import DEFAULT_ENCODER, Encoder
from .hit import Hit
from .store import (
    as_documents,
    index_documents,
    prepare_dir,
    read_meta,
    write_meta,
)

logger = logging.getLogger("nlpkit")
COLLECTION = "nlpkit"
CHROMA_DIR = "chroma"
ADD_BATCH = 1000


def embedding_function_class():
    """nlpkit's Chroma embedding function, registered so saved collections reopen."""
    global _EF_CLASS
    if _EF_CLASS is not None:
        return _EF_CLASS
    from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
    from chromadb.utils.embedding_functions import register_embedding_function

    class NlpkitEmbeddingFunction(EmbeddingFunction[Documents]):
        """Embeds with an nlpkit Encoder (a local sentence-transformers model)."""

        def __init__(self, model: str = DEFAULT_ENCODER, batch_size: int = 64):
            self.model = model
            self.batch_size = batch_size
            self._encoder: Encoder | None = None

        @property
        def encoder(self) -> Encoder:
            if self._encoder is None:
                self._encoder = Encoder(self.model, batch_size=self.batch_size)
            return self._encoder

        def __call__(self, input: Documents) -> Embeddings:
            return list(self.encoder.encode(list(input)))

        @staticmethod
        def name() -> str:
            return "nlpkit"

        def default_space(self):
            return "cosine"

        def supported_spaces(self):
            return ["cosine", "ip", "l2"]

        def get_config(self) -> dict[str, Any]:
            return {"model": self.model, "batch_size": self.batch_size}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> NlpkitEmbeddingFunction:
            return NlpkitEmbeddingFunction(
                config.get("model", DEFAULT_ENCODER), config.get("batch_size", 64)
            )

    register_embedding_function(NlpkitEmbeddingFunction)
    _EF_CLASS = NlpkitEmbeddingFunction
    return _EF_CLASS


_EF_CLASS = None


def _client(path: Path):
    import chromadb
    from chromadb.config import Settings

    return chromadb.PersistentClient(
        path=str(path), settings=Settings(anonymized_telemetry=False)
    )


@index_kinds.register("chroma")
class ChromaStore(BaseIndex):
    """Documents in an embedded, persistent ChromaDB collection (cosine space).

    path (Path): the store folder; collection: the Chroma collection;
    model (str): the encoder reference used for documents and queries.
    """

    kind = "chroma"

    def __init__(self, path: Path, client: Any, collection: Any, model: str):
        self.path = Path(path)
        self.client = client
        self.collection = collection
        self.model = model

    @classmethod
    def build(
        cls,
        documents: Iterable[Any],
        path: str | Path,
        *,
        encoder: str = DEFAULT_ENCODER,
        with_title: bool = True,
    ) -> ChromaStore:
        """Create a store at path and add the documents (it is saved as it goes)."""
        if isinstance(encoder, Encoder):
            encoder = encoder.path
        docs = index_documents(documents, with_title=with_title)
        path = prepare_dir(path)
        ef = embedding_function_class()(str(encoder))
        client = _client(path / CHROMA_DIR)
        collection = client.create_collection(
            COLLECTION,
            embedding_function=ef,
            configuration={"hnsw": {"space": "cosine"}},
        )
        store = cls(path, client, collection, str(encoder))
        store.add(docs)
        write_meta(path, cls.kind, model=str(encoder), n_docs=len(docs))
        return store

    def add(self, docs: Sequence[Any]) -> None:
        """Add (or update) documents; they are embedded by nlpkit's encoder."""
        docs = as_documents(docs, with_title=False)
        for start in range(0, len(docs), ADD_BATCH):
            batch = docs[start : start + ADD_BATCH]
            self.collection.upsert(
                ids=[d.id for d in batch],
                documents=[d.text for d in batch],
                metadatas=[{"meta": json.dumps(d.meta)} for d in batch],
            )

    def __len__(self) -> int:
        return self.collection.count()

    def doc_ids(self) -> list[str]:
        """The ids of every stored document."""
        return list(self.collection.get(include=[])["ids"])

    def search_texts(self, queries: list[str], k: int) -> list[list[Hit]]:
        """The k nearest documents (cosine) of each query."""
        res = self.collection.query(
            query_texts=queries,
            n_results=min(k, len(self)),
            include=["documents", "metadatas", "distances"],
        )
        out = []
        for ids, docs, metas, dists in zip(
            res["ids"], res["documents"], res["metadatas"], res["distances"]
        ):
            out.append(
                [
                    Hit(i, 1.0 - float(d), t, json.loads((m or {}).get("meta") or "{}"))
                    for i, t, m, d in zip(ids, docs, metas, dists)
                ]
            )
        return out

    def save(self, path: str | Path | None = None) -> Path:
        """The store persists as it is written; saving elsewhere copies the folder."""
        if path is None or Path(path).resolve() == self.path.resolve():
            return self.path
        import shutil

        target = prepare_dir(path)
        shutil.copytree(self.path, target, dirs_exist_ok=True)
        return target

    @classmethod
    def load(
        cls, path: str | Path, *, encoder: str | None = None, **_: Any
    ) -> ChromaStore:
        """Reopen a store; its embedding function is rebuilt from nlpkit's registry."""
        path = Path(path)
        meta = read_meta(path, cls.kind)
        model = str(encoder or meta["model"])
        if not (path / CHROMA_DIR).is_dir():
            reason = f"the {CHROMA_DIR} folder is missing"
            raise IndexLoadError(Errors.E305.format(path=path, reason=reason))
        ef = embedding_function_class()(model)
        try:
            client = _client(path / CHROMA_DIR)
            collection = client.get_collection(COLLECTION, embedding_function=ef)
            count = collection.count()
        except Exception as err:  # chromadb raises many types for a damaged store
            reason = f"ChromaDB cannot open it ({type(err).__name__}: {err})"
            raise IndexLoadError(Errors.E305.format(path=path, reason=reason)) from None
        if count != meta.get("n_docs", count):
            reason = f"the collection has {count} documents, expected {meta['n_docs']}"
            raise IndexLoadError(Errors.E305.format(path=path, reason=reason))
        return cls(path, client, collection, model)
