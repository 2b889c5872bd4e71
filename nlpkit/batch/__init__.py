"""Batch processing of corpora through spaCy pipelines."""

from .process import ProcessSummary, process

__all__ = ["ProcessSummary", "process"]
