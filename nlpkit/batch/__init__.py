"""Batch processing of corpora through spaCy pipelines: sharded, resumable,
exactly-once output, on local processes or a Dask cluster."""

from .backends import BACKENDS, Backend, LocalBackend, make_backend
from .lock import RunLock, RunLockedError
from .process import ProcessSummary, RunFailed, iter_output, iter_rejects, process

__all__ = [
    "BACKENDS",
    "Backend",
    "LocalBackend",
    "ProcessSummary",
    "RunFailed",
    "RunLock",
    "RunLockedError",
    "iter_output",
    "iter_rejects",
    "make_backend",
    "process",
]
