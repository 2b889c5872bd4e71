"""The text classifiers' older names, kept as aliases of nlpkit_textcat.

`nlpkit_fewshot_textcat` is nlpkit_textcat with nlpkit.SentenceEmbedder.v1 and
`nlpkit_vectors_textcat` with nlpkit.DocVectors.v1, their embedder settings flat in
the component's config as before. Pipelines saved with them load unchanged; new
configs use nlpkit_textcat with an [components.NAME.embedder] block.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Literal

from spacy.language import Language
from spacy.training import Example
from spacy.vocab import Vocab

from ..classify.embedders import DocVectors, SentenceEmbedder
from ..classify.finetune import FinetuneStats
from .textcat import (
    DEFAULT_TEXTCAT_CONFIG,
    EmbeddingTextCategorizer,
    make_textcat_scorer,
    textcat_score,
)

__all__ = [
    "EmbeddingTextCategorizer",
    "FewShotTextCategorizer",
    "VectorsTextCategorizer",
    "make_textcat_scorer",
    "textcat_score",
]

_EMBEDDER = DEFAULT_TEXTCAT_CONFIG["embedder"]
DEFAULT_VECTORS_CONFIG = {
    **{
        k: v
        for k, v in DEFAULT_TEXTCAT_CONFIG.items()
        if k not in ("embedder", "scorer")
    },
    "normalize": _EMBEDDER["normalize"],
    "batch_size": _EMBEDDER["batch_size"],
    "scorer": DEFAULT_TEXTCAT_CONFIG["scorer"],
}
DEFAULT_FEWSHOT_CONFIG = {
    "model": _EMBEDDER["model"],
    **{k: v for k, v in DEFAULT_VECTORS_CONFIG.items() if k != "scorer"},
    **{k: v for k, v in _EMBEDDER.items() if k.startswith("finetune_") or k == "seed"},
    "scorer": DEFAULT_TEXTCAT_CONFIG["scorer"],
}


class FewShotTextCategorizer(EmbeddingTextCategorizer):
    """nlpkit_textcat with a SentenceEmbedder built from flat settings.

    Keyword arguments are SentenceEmbedder's (model, batch_size, normalize,
    finetune_*, seed) and EmbeddingTextCategorizer's; the embedder's attributes
    (encoder, finetuned, model_name, finetune_*) read through.
    """

    def __init__(self, vocab: Vocab, name: str, *, model: str, **kwargs):
        settings = {k: kwargs.pop(k) for k in _EMBEDDER_SETTINGS if k in kwargs}
        embedder = SentenceEmbedder(model, **settings)
        super().__init__(vocab, name, embedder=embedder, **kwargs)

    def __getattr__(self, attr: str):
        # only reached for names the component lacks: the embedder's settings
        if attr in _READ_THROUGH:
            return getattr(self.embedder, attr)
        raise AttributeError(attr)

    def finetune(
        self,
        examples: Iterable[Example],
        *,
        labels: Iterable[str] | None = None,
        epochs: int | None = None,
    ) -> FinetuneStats:
        """Tune a fresh copy of the base encoder (SentenceEmbedder.finetune)."""
        examples = list(examples)
        stats = self.embedder.finetune(
            examples,
            self._label_list(examples, labels),
            exclusive=self.exclusive,
            epochs=epochs,
        )
        self.clf.W = self.clf.b = None
        return stats


_EMBEDDER_SETTINGS = [k for k in _EMBEDDER if k not in ("@misc", "model")]
_READ_THROUGH = {"encoder", "finetuned", "model_name", *_EMBEDDER_SETTINGS}


class VectorsTextCategorizer(EmbeddingTextCategorizer):
    """nlpkit_textcat with DocVectors (doc.vector from the static vectors)."""

    def __init__(
        self,
        vocab: Vocab,
        name: str,
        *,
        normalize: bool = True,
        batch_size: int = 32,  # unused: kept so older configs still validate
        **kwargs,
    ):
        super().__init__(
            vocab, name, embedder=DocVectors(normalize=normalize), **kwargs
        )


@Language.factory("nlpkit_fewshot_textcat", default_config=DEFAULT_FEWSHOT_CONFIG)
def make_fewshot_textcat(
    nlp: Language,
    name: str,
    model: str,
    classifier: str,
    C: float | Literal["auto"],
    class_weight: str | None,
    exclusive: bool,
    threshold: float,
    normalize: bool,
    batch_size: int,
    finetune_epochs: int,
    finetune_pairs: int,
    finetune_learning_rate: float,
    finetune_batch_size: int,
    finetune_loss: str,
    seed: int,
    scorer: Callable | None,
) -> FewShotTextCategorizer:
    """Older name of nlpkit_textcat with nlpkit.SentenceEmbedder.v1 (flat settings)."""
    return FewShotTextCategorizer(
        nlp.vocab, name, model=model, classifier=classifier, C=C,
        class_weight=class_weight, exclusive=exclusive, threshold=threshold,
        normalize=normalize, batch_size=batch_size, finetune_epochs=finetune_epochs,
        finetune_pairs=finetune_pairs, finetune_learning_rate=finetune_learning_rate,
        finetune_batch_size=finetune_batch_size, finetune_loss=finetune_loss,
        seed=seed, scorer=scorer,
    )  # fmt: skip


@Language.factory("nlpkit_vectors_textcat", default_config=DEFAULT_VECTORS_CONFIG)
def make_vectors_textcat(
    nlp: Language,
    name: str,
    classifier: str,
    C: float | Literal["auto"],
    class_weight: str | None,
    exclusive: bool,
    threshold: float,
    normalize: bool,
    batch_size: int,
    scorer: Callable | None,
) -> VectorsTextCategorizer:
    """Older name of nlpkit_textcat with nlpkit.DocVectors.v1 (flat settings)."""
    return VectorsTextCategorizer(
        nlp.vocab, name, classifier=classifier, C=C, class_weight=class_weight,
        exclusive=exclusive, threshold=threshold, normalize=normalize,
        batch_size=batch_size, scorer=scorer,
    )  # fmt: skip
