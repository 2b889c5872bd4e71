"""Dense retrieval with sentence-transformers bi-encoders and a numpy index."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from ..classify.encoders import SentenceEncoder
from ..errors import Errors, IndexLoadError
from .base import DEFAULT_K, BaseIndex, index_kinds
from .hit import Hit
from .store import Document, index_documents

logger = logging.getLogger("nlpkit")
DEFAULT_ENCODER = "minilm"
EMBEDDINGS_FILE = "embeddings.npy"


# One bi-encoder class for retrieval and classification; Encoder is its old name here.
Encoder = SentenceEncoder


@index_kinds.register("dense")
class DenseIndex(BaseIndex):
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
        docs = index_documents(documents, with_title=with_title)
        embeddings = encoder.encode(
            [d.text for d in docs],
            normalize_embeddings=True,
            show_progress_bar=show_progress,
        )
        return cls(docs, embeddings, encoder)

    def search_texts(self, queries: list[str], k: int) -> list[list[Hit]]:
        """The queries embedded in one batch, then search_vectors."""
        return self.search_vectors(
            self.encoder.encode(queries, normalize_embeddings=True), k
        )

    def search_vectors(
        self, vectors: np.ndarray, k: int = DEFAULT_K
    ) -> list[list[Hit]]:
        """The k nearest documents to each (unit) query vector; RETURNS hits."""
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
        return self.save_folder(
            path,
            lambda p: np.save(p / EMBEDDINGS_FILE, self.embeddings, allow_pickle=False),
        )

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
        path, meta, docs = cls.open_folder(path)
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
