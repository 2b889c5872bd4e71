"""Batch processing of corpora through spaCy pipelines: sharded, resumable,
exactly-once output, on local processes or a Dask cluster."""

from .backends import BACKENDS, Backend, LocalBackend, make_backend
from .process import ProcessSummary, iter_output, iter_rejects, process

__all__ = [
    "BACKENDS",
    "Backend",
    "LocalBackend",
    "ProcessSummary",
    "iter_output",
    "iter_rejects",
    "make_backend",
    "process",
]
