"""Text classification outside spaCy: sentence encoders and linear classifiers."""

from .encoders import DEFAULT_ENCODER, load_sentence_encoder, resolve_model_path
from .linear import CLASSIFIERS, LinearClassifier

__all__ = [
    "CLASSIFIERS",
    "DEFAULT_ENCODER",
    "LinearClassifier",
    "load_sentence_encoder",
    "resolve_model_path",
]
