"""Execution backends: where shard tasks run. A backend takes shard tasks and yields
their results in completion order; the driver alone keeps the manifest.

To add an engine, subclass Backend and register it in BACKENDS.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

from ..errors import Errors
from .shards import JobSpec, ShardResult, ShardTask
from .worker import PipelineSpec, install_pipeline, limit_threads, run_cached_shard


class Backend:
    """Runs shard tasks. Use as a context manager: open() ... run() ... close()."""

    name = "base"
    workers = 1
    ships_pipeline = True

    def open(self, spec: PipelineSpec, job: JobSpec, nlp=None) -> None:
        """Start workers with the pipeline loaded once in each (nlp: the driver's
        copy, for backends that can share it)."""
        raise NotImplementedError

    def run(self, tasks: Iterable[ShardTask]) -> Iterator[ShardResult]:
        """Yield one result per task, in completion order, keeping a bounded number
        of tasks in flight so memory does not grow with the input."""
        raise NotImplementedError

    def close(self) -> None:
        """Stop the workers this backend started."""

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def bounded(
    submit, tasks: Iterable[ShardTask], limit: int
) -> Iterator[tuple[set, set]]:
    """Submit tasks while fewer than `limit` are pending; yield (done, pending)."""
    pending: set[Future] = set()
    for task in tasks:
        pending.add(submit(task))
        if len(pending) >= limit:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            yield done, pending
    while pending:
        done, pending = wait(pending, return_when=FIRST_COMPLETED)
        yield done, pending


class LocalBackend(Backend):
    """This machine: in the driver process (n_process=1) or a pool of worker processes
    that each load the pipeline once and write whole shards.

    start_method: "fork" (default on Linux: workers share the driver's loaded
        pipeline, nothing is pickled), "forkserver" or "spawn" (each worker loads it).
    threads: BLAS/OpenMP/torch threads per worker process.
    recycle_after: replace each worker process after this many shards (forkserver).
        spaCy's memory_zone frees transient lexemes and strings, but the vocab's hash
        table keeps a tombstone per word ever seen, so a corpus that brings new words
        forever (ids, codes, numbers) grows it; a fresh process starts clean.
    """

    name = "local"

    def __init__(
        self,
        n_process: int = 1,
        *,
        start_method: str | None = None,
        threads: int = 1,
        max_in_flight: int | None = None,
        recycle_after: int | None = None,
    ):
        if n_process < 1:
            raise ValueError(
                Errors.E514.format(name="n_process", minimum=1, value=n_process)
            )
        self.workers = n_process
        self.start_method = start_method or (
            "fork" if sys.platform.startswith("linux") else "spawn"
        )
        self.threads = threads
        self.recycle_after = recycle_after
        if recycle_after and self.start_method == "fork":
            self.start_method = "forkserver"  # a pool that recycles cannot fork
        self.max_in_flight = max_in_flight or 2 * n_process
        self.pool: ProcessPoolExecutor | None = None
        self.job: JobSpec | None = None

    @property
    def uses_pool(self) -> bool:
        return self.workers > 1 or bool(self.recycle_after)

    @property
    def ships_pipeline(self) -> bool:
        """Whether workers need the pipeline sent (they cannot share the driver's)."""
        return self.uses_pool and self.start_method != "fork"

    def open(self, spec: PipelineSpec, job: JobSpec, nlp=None) -> None:
        self.job = job
        if not self.uses_pool:
            install_pipeline(spec, nlp)
            return
        if self.start_method == "fork" and nlp is not None:
            install_pipeline(spec, nlp)  # inherited by the forked workers
        if spec.gpu >= 0 and self.start_method == "fork":
            self.start_method = "spawn"  # CUDA does not survive a fork
        context = multiprocessing.get_context(self.start_method)
        if self.start_method == "forkserver":
            context.set_forkserver_preload(["spacy", "nlpkit.batch.worker"])
        self.pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=context,
            initializer=_init_local_worker,
            initargs=(spec, self.threads),
            max_tasks_per_child=self.recycle_after,
        )

    def run(self, tasks: Iterable[ShardTask]) -> Iterator[ShardResult]:
        if self.pool is None:
            for task in tasks:
                yield run_cached_shard(task, self.job)
            return
        job = self.job
        for done, _ in bounded(
            lambda t: self.pool.submit(run_cached_shard, t, job),
            tasks,
            self.max_in_flight,
        ):
            for future in done:
                yield future.result()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def _init_local_worker(spec: PipelineSpec, threads: int) -> None:
    # Ctrl-C goes to the whole process group: let the driver alone handle it, so it
    # can save the manifest and stop the pool in order.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    limit_threads(threads)
    install_pipeline(spec)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def make_backend(name: str = "local", **options) -> Backend:
    """A backend by name: "local" (n_process, start_method, threads) or "dask"
    (scheduler, n_workers, ...)."""
    if name not in BACKENDS:
        raise ValueError(Errors.E509.format(name=name, known=", ".join(BACKENDS)))
    if name == "dask":
        from .dask_backend import DaskBackend

        return DaskBackend(**options)
    return BACKENDS[name](**options)


BACKENDS: dict[str, type[Backend] | None] = {"local": LocalBackend, "dask": None}
