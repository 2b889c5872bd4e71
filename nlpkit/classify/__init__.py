"""Text classification outside spaCy: encoders, SetFit fine-tuning, linear heads,
self-training on unlabelled texts."""

from .encoders import (
    DEFAULT_ENCODER,
    SentenceEncoder,
    load_sentence_encoder,
    load_trainable_model,
    resolve_model_path,
)
from .finetune import FinetuneStats, finetune_sentence_transformer, make_pairs
from .linear import CLASSIFIERS, LinearClassifier
from .selftrain import SelfTrainStats, self_train

__all__ = [
    "CLASSIFIERS",
    "DEFAULT_ENCODER",
    "FinetuneStats",
    "LinearClassifier",
    "SelfTrainStats",
    "SentenceEncoder",
    "finetune_sentence_transformer",
    "load_sentence_encoder",
    "load_trainable_model",
    "make_pairs",
    "resolve_model_path",
    "self_train",
]
