"""Dense retrieval with sentence-transformers bi-encoders and a numpy index."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import Errors
from .hit import Hit
from .models import hub_error, pick_device, resolve_model
from .store import (
    DOCS_FILE,
    Document,
    IndexLoadError,
    as_documents,
    check_queries,
    prepare_dir,
    read_docs,
    read_meta,
    write_docs,
    write_meta,
)

logger = logging.getLogger("nlpkit")
DEFAULT_ENCODER = "minilm"
EMBEDDINGS_FILE = "embeddings.npy"


class Encoder:
    """A bi-encoder: batched, L2-normalized embeddings; fp16 on GPU.

    model (str): "minilm" (packaged all-MiniLM-L6-v2), a local folder or a hub name.
    batch_size (int): texts per forward pass.
    device (str | None): "cpu", "cuda"...; None picks the GPU when there is one.
    """

    def __init__(
        self,
        model: str = DEFAULT_ENCODER,
        *,
        batch_size: int = 64,
        device: str | None = None,
        max_length: int | None = None,
    ):
        self.name = str(model)
        self.path = resolve_model(model)
        self.batch_size = batch_size
        self.device = pick_device(device)
        self.max_length = max_length
        self._model = None

    @property
    def model(self):
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            try:
                model = SentenceTransformer(self.path, device=self.device)
            except (OSError, ValueError) as err:
                raise hub_error(self.name, err) from None
            if self.device.startswith("cuda"):
                model.half()
            if self.max_length:
                model.max_seq_length = self.max_length
            self._model = model
        return self._model

    @property
    def dim(self) -> int:
        return int(self.model.get_sentence_embedding_dimension())

    def encode(
        self, texts: Sequence[str], *, show_progress: bool = False
    ) -> np.ndarray:
        """Embed texts; RETURNS a float32 array (n, dim) with unit-length rows."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=show_progress,
        )
        return np.asarray(vectors, dtype=np.float32)


class DenseIndex:
    """Exact inner-product search over normalized document embeddings.

    docs (list[Document]): the indexed documents.
    embeddings (np.ndarray): (n_docs, dim) float32, unit rows.
    encoder (Encoder): embeds queries the same way as the documents.
    """

    kind = "dense"

    def __init__(self, docs: list[Document], embeddings: np.ndarray, encoder: Encoder):
        self.docs = docs
        self.embeddings = embeddings
        self.encoder = encoder

    @classmethod
    def build(
        cls,
        documents: Iterable[Any],
        *,
        encoder: Encoder | str = DEFAULT_ENCODER,
        with_title: bool = True,
        show_progress: bool = False,
    ) -> DenseIndex:
        """Embed and index documents (Records, dicts, (id, text) pairs or strings)."""
        if not isinstance(encoder, Encoder):
            encoder = Encoder(encoder)
        docs = as_documents(documents, with_title=with_title)
        if not docs:
            raise ValueError(Errors.E312.format(where=""))
        embeddings = encoder.encode([d.text for d in docs], show_progress=show_progress)
        return cls(docs, embeddings, encoder)

    def __len__(self) -> int:
        return len(self.docs)

    def search(self, query: str, k: int = 10) -> list[Hit]:
        """The k nearest documents to a query; RETURNS hits, best first."""
        return self.search_batch([query], k)[0]

    def search_batch(self, queries: Sequence[str], k: int = 10) -> list[list[Hit]]:
        """Search many queries with one batched encoding; RETURNS hits per query."""
        check_queries(queries, k)
        if not queries:
            return []
        return self.search_vectors(self.encoder.encode(list(queries)), k)

    def search_vectors(self, vectors: np.ndarray, k: int = 10) -> list[list[Hit]]:
        k = min(k, len(self.docs))
        scores = vectors @ self.embeddings.T
        top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        results = []
        for row, idx in zip(scores, top):
            idx = idx[np.argsort(-row[idx], kind="stable")]
            results.append(
                [
                    Hit(
                        self.docs[i].id,
                        float(row[i]),
                        self.docs[i].text,
                        dict(self.docs[i].meta),
                    )
                    for i in idx.tolist()
                ]
            )
        return results

    @property
    def cfg(self) -> dict[str, Any]:
        return {
            "model": self.encoder.name,
            "model_path": self.encoder.path,
            "dim": int(self.embeddings.shape[1]),
            "n_docs": len(self.docs),
            "normalized": True,
        }

    def save(self, path: str | Path) -> Path:
        """Save embeddings (.npy, no pickle), documents and the encoder reference."""
        path = prepare_dir(path)
        np.save(path / EMBEDDINGS_FILE, self.embeddings, allow_pickle=False)
        write_docs(path / DOCS_FILE, self.docs)
        write_meta(path, self.kind, **self.cfg)
        return path

    @classmethod
    def load(
        cls,
        path: str | Path,
        *,
        encoder: Encoder | str | None = None,
        device: str | None = None,
        **_: Any,
    ) -> DenseIndex:
        """Open a saved dense index; encoder overrides the saved model reference."""
        path = Path(path)
        meta = read_meta(path, cls.kind)
        docs = read_docs(path / DOCS_FILE)
        try:
            embeddings = np.load(path / EMBEDDINGS_FILE, allow_pickle=False)
        except (OSError, ValueError, EOFError, json.JSONDecodeError) as err:
            reason = f"{EMBEDDINGS_FILE} cannot be read ({type(err).__name__}: {err})"
            raise IndexLoadError(Errors.E305.format(path=path, reason=reason)) from None
        expected = (len(docs), meta.get("dim"))
        if embeddings.ndim != 2 or embeddings.shape != expected:
            reason = f"embeddings have shape {embeddings.shape}, expected {expected}"
            raise IndexLoadError(Errors.E305.format(path=path, reason=reason))
        if not np.isfinite(embeddings).all():
            reason = f"{EMBEDDINGS_FILE} holds NaN or infinite values"
            raise IndexLoadError(Errors.E305.format(path=path, reason=reason))
        if encoder is None:
            ref = (
                meta["model_path"]
                if Path(meta["model_path"]).exists()
                else meta["model"]
            )
            encoder = Encoder(ref, device=device)
        elif not isinstance(encoder, Encoder):
            encoder = Encoder(encoder, device=device)
        return cls(docs, embeddings.astype(np.float32, copy=False), encoder)
