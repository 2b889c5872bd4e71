"""The text classifiers' older names, kept for a release as aliases of nlpkit_textcat.

`nlpkit_fewshot_textcat` is nlpkit_textcat with nlpkit.SentenceEmbedder.v1 and
`nlpkit_vectors_textcat` with nlpkit.DocVectors.v1, their embedder settings flat in
the component's config as before. Pipelines saved with them load unchanged (with a
DeprecationWarning); new configs use nlpkit_textcat with a
[components.NAME.embedder] block. Each alias's signature (which spaCy validates the
config against) is nlpkit_textcat's with `embedder` replaced by the embedder's own
parameters, so the settings are declared once, on the embedder.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Iterable
from typing import Any, get_type_hints

from spacy.language import Language
from spacy.training import Example
from spacy.vocab import Vocab

from ..classify.embedders import DocVectors, Embedder, SentenceEmbedder
from ..classify.finetune import FinetuneStats
from ..errors import Warnings
from .textcat import (
    DEFAULT_EMBEDDER,
    DEFAULT_TEXTCAT_CONFIG,
    EmbeddingTextCategorizer,
    make_textcat,
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

_EMBEDDER_SETTINGS = {k: v for k, v in DEFAULT_EMBEDDER.items() if k != "@misc"}
_COMPONENT_SETTINGS = {
    k: v for k, v in DEFAULT_TEXTCAT_CONFIG.items() if k != "embedder"
}
DEFAULT_FEWSHOT_CONFIG = {**_EMBEDDER_SETTINGS, **_COMPONENT_SETTINGS}
DEFAULT_VECTORS_CONFIG = {
    "normalize": _EMBEDDER_SETTINGS["normalize"],
    "batch_size": _EMBEDDER_SETTINGS["batch_size"],  # unused: older configs have it
    **_COMPONENT_SETTINGS,
}


def _pop_embedder(embedder_cls: type[Embedder], settings: dict[str, Any]) -> Embedder:
    """Build embedder_cls from the flat settings it takes, removing them."""
    names = inspect.signature(embedder_cls).parameters
    return embedder_cls(**{k: settings.pop(k) for k in list(settings) if k in names})


class FewShotTextCategorizer(EmbeddingTextCategorizer):
    """nlpkit_textcat with a SentenceEmbedder built from flat settings.

    Keyword arguments are SentenceEmbedder's (model, batch_size, normalize,
    finetune_*, seed) and EmbeddingTextCategorizer's; the embedder's attributes
    (encoder, finetuned, model_name, finetune_*) read through.
    """

    def __init__(self, vocab: Vocab, name: str, **settings):
        embedder = _pop_embedder(SentenceEmbedder, settings)
        super().__init__(vocab, name, embedder=embedder, **settings)

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


_READ_THROUGH = {"encoder", "finetuned", "model_name", *_EMBEDDER_SETTINGS}


class VectorsTextCategorizer(EmbeddingTextCategorizer):
    """nlpkit_textcat with DocVectors (doc.vector from the static vectors)."""

    def __init__(self, vocab: Vocab, name: str, **settings):
        settings.pop("batch_size", None)  # unused: older configs have it
        embedder = _pop_embedder(DocVectors, settings)
        super().__init__(vocab, name, embedder=embedder, **settings)


def _alias(old: str, cls: type, embedder_cls: type, default_config: dict):
    """Register `old` as a factory making cls, validated as flat settings."""

    def make(nlp: Language, name: str, **settings) -> EmbeddingTextCategorizer:
        warnings.warn(
            Warnings.W330.format(
                old=repr(old),
                where=f"component {name!r}",
                new=f'"nlpkit_textcat" with [components.{name}.embedder] '
                f'@misc = "nlpkit.{embedder_cls.__name__}.v1"',
            ),
            DeprecationWarning,
            stacklevel=2,
        )
        return cls(nlp.vocab, name, **settings)

    hints = {**get_type_hints(make_textcat), **get_type_hints(embedder_cls.__init__)}
    hints.setdefault("batch_size", int)
    params = [
        inspect.Parameter(key, inspect.Parameter.KEYWORD_ONLY, annotation=hints[key])
        for key in default_config
    ]
    nlp_name = list(inspect.signature(make_textcat).parameters.values())[:2]
    params = [p.replace(annotation=hints[p.name]) for p in nlp_name] + params
    make.__signature__ = inspect.Signature(params)
    make.__annotations__ = {p.name: p.annotation for p in params}
    make.__name__ = make.__qualname__ = f"make_{old.removeprefix('nlpkit_')}"
    make.__doc__ = f"Older name of nlpkit_textcat with {embedder_cls.__name__}."
    return Language.factory(old, default_config=default_config, func=make)


make_fewshot_textcat = _alias(
    "nlpkit_fewshot_textcat",
    FewShotTextCategorizer,
    SentenceEmbedder,
    DEFAULT_FEWSHOT_CONFIG,
)
make_vectors_textcat = _alias(
    "nlpkit_vectors_textcat", VectorsTextCategorizer, DocVectors, DEFAULT_VECTORS_CONFIG
)
