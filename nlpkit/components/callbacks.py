"""Training callbacks for configs: checks that spacy train does not make itself."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Iterable

from spacy.language import Language
from spacy.pipeline import EntityRecognizer, TextCategorizer
from spacy.training import Example

from ..errors import Warnings
from .textcat import EmbeddingTextCategorizer

logger = logging.getLogger("nlpkit")


def gold_labels(examples: Iterable[Example]) -> tuple[set[str], set[str]]:
    """Entity labels and positive textcat labels in the reference docs."""
    ents: set[str] = set()
    cats: set[str] = set()
    for eg in examples:
        ents.update(ent.label_ for ent in eg.reference.ents)
        cats.update(label for label, value in eg.reference.cats.items() if value > 0.5)
    return ents, cats


def unseen_labels(nlp: Language, examples: Iterable[Example]) -> dict[str, list[str]]:
    """Gold labels that a component of nlp does not know, per component name."""
    ents, cats = gold_labels(examples)
    found = {}
    for name, proc in nlp.pipeline:
        if isinstance(proc, EntityRecognizer):
            gold = ents
        elif isinstance(proc, TextCategorizer | EmbeddingTextCategorizer):
            gold = cats
        else:
            continue
        labels = set(proc.labels)
        missing = sorted(gold - labels)
        if missing:
            found[name] = missing
    return found


def warn_unseen(nlp: Language, examples: Iterable[Example], corpus: str) -> dict:
    """Warn (W202) for each component that meets gold labels it was not trained on."""
    found = unseen_labels(nlp, examples)
    for name, labels in found.items():
        warnings.warn(
            Warnings.W202.format(component=name, labels=labels, corpus=corpus),
            stacklevel=2,
        )
    return found


def make_warn_unseen_labels() -> Callable[[Language], Language]:
    """An [initialize.after_init] callback: warn about dev labels unseen in training."""

    def after_init(nlp: Language) -> Language:
        from spacy.schemas import ConfigSchemaTraining
        from spacy.util import registry, resolve_dot_names

        config = nlp.config.interpolate()
        if "corpora" not in config or "training" not in config:
            return nlp
        T = registry.resolve(config["training"], schema=ConfigSchemaTraining)
        (dev_corpus,) = resolve_dot_names(config, [T["dev_corpus"]])
        warn_unseen(nlp, dev_corpus(nlp), corpus="dev")
        return nlp

    return after_init
