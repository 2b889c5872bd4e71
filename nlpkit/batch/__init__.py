"""Batch processing of corpora through spaCy pipelines: sharded, resumable,
exactly-once output, on local processes or a Dask cluster, to a local directory or
object storage (any fsspec URL)."""

from .backends import BACKENDS, Backend, LocalBackend, make_backend, register_backend
from .lock import RunLock, RunLockedError
from .process import ProcessSummary, RunFailed, iter_output, iter_rejects, process
from .storage import Storage

__all__ = [
    "BACKENDS",
    "Backend",
    "LocalBackend",
    "ProcessSummary",
    "RunFailed",
    "RunLock",
    "RunLockedError",
    "Storage",
    "iter_output",
    "iter_rejects",
    "make_backend",
    "process",
    "register_backend",
]
