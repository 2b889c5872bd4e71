"""Small helpers shared across nlpkit."""

from __future__ import annotations

from pathlib import Path

from .errors import Errors


def load_pipeline(name_or_path: str | Path, **kwargs):
    """spacy.load with an nlpkit error that says what to give instead."""
    import spacy

    try:
        return spacy.load(name_or_path, **kwargs)
    except OSError as err:
        raise OSError(Errors.E009.format(name=name_or_path, reason=err)) from err
