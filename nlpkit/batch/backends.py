"""Execution backends: where shard tasks run. A backend takes shard tasks and yields
their results in completion order; the driver alone keeps the manifest.

To add an engine, subclass Backend and register it: register_backend("name",
"package.module:Class"), or with the class itself. Backends are imported only when
used, so the Dask backend costs nothing (and needs no Dask) until it is asked for.
"""

from __future__ import annotations

import importlib
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from ..errors import Errors, Warnings
from .shards import JobSpec, ShardResult, ShardTask
from .worker import PipelineSpec, install_pipeline, limit_threads, run_cached_shard

logger = logging.getLogger("nlpkit")
PR_SET_PDEATHSIG = 1
START_METHODS = ("fork", "forkserver", "spawn")


class Backend:
    """Runs shard tasks. Use as a context manager: open() ... run() ... close()."""

    name = "base"
    workers = 1
    ships_pipeline = True

    def open(self, spec: PipelineSpec, job: JobSpec, nlp=None, inputs=()) -> None:
        """Start workers with the pipeline loaded once in each (nlp: the driver's
        copy, for backends that can share it). inputs: (path, size) of the local
        input files the workers read, for a backend whose workers may not share
        the driver's disk to check that they see them."""
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
    retries: times a shard whose worker process died (killed, out of memory, a crash
        in native code) is run again on a new pool before the run fails (E516).

    Workers exit when the driver dies, however it dies (PR_SET_PDEATHSIG on Linux,
    a thread watching the parent elsewhere).
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
        retries: int = 2,
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
        self.retries = retries
        self.pool: ProcessPoolExecutor | None = None
        self.job: JobSpec | None = None
        self.spec: PipelineSpec | None = None

    @property
    def uses_pool(self) -> bool:
        return self.workers > 1 or bool(self.recycle_after)

    @property
    def ships_pipeline(self) -> bool:
        """Whether workers need the pipeline sent (they cannot share the driver's)."""
        return self.uses_pool and self.start_method != "fork"

    def open(self, spec: PipelineSpec, job: JobSpec, nlp=None, inputs=()) -> None:
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
        self.spec = spec
        self.context = context
        self.pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=self.context,
            initializer=_init_local_worker,
            initargs=(self.spec, self.threads),
            max_tasks_per_child=self.recycle_after,
        )

    def run(self, tasks: Iterable[ShardTask]) -> Iterator[ShardResult]:
        if self.pool is None:
            for task in tasks:
                yield run_cached_shard(task, self.job)
            return
        tasks = iter(tasks)
        again: list[ShardTask] = []
        pending: dict[Future, ShardTask] = {}
        deaths: dict[int, int] = {}
        exhausted = False
        while True:
            while len(pending) < self.max_in_flight:
                if again:
                    task = again.pop(0)
                elif exhausted or (task := next(tasks, None)) is None:
                    exhausted = True
                    break
                pending[self.pool.submit(run_cached_shard, task, self.job)] = task
            if not pending:
                return
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            if not any(isinstance(f.exception(), BrokenProcessPool) for f in done):
                for future in done:
                    del pending[future]
                    yield future.result()
                continue
            # A worker died: the pool fails every shard in flight. Keep those that
            # finished, run the others again on a new pool.
            wait(pending)
            lost = []
            for future, task in sorted(pending.items(), key=lambda i: i[1].index):
                if isinstance(future.exception(), BrokenProcessPool):
                    lost.append(task)
                else:
                    yield future.result()
            pending.clear()
            attempt = 1 + max(deaths.get(t.index, 0) for t in lost)
            for task in lost:
                deaths[task.index] = deaths.get(task.index, 0) + 1
            shards = ", ".join(str(t.index) for t in lost)
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
            if attempt > self.retries:
                raise RuntimeError(Errors.E516.format(shards=shards, attempts=attempt))
            logger.warning(
                Warnings.W504.format(
                    shards=shards, attempt=attempt, attempts=self.retries + 1
                )
            )
            again = lost + again
            self.pool = self._new_pool()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def _init_local_worker(spec: PipelineSpec, threads: int) -> None:
    # Ctrl-C goes to the whole process group: let the driver alone handle it, so it
    # can save the manifest and stop the pool in order.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    exit_with_parent()
    limit_threads(threads)
    install_pipeline(spec)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def exit_with_parent() -> None:
    """Make this worker die with its parent, so a driver killed with SIGKILL leaves
    no orphan workers behind (with forkserver, the server dies with the driver)."""
    parent = os.getppid()
    if sys.platform.startswith("linux") and _set_pdeathsig(signal.SIGKILL):
        # The parent may have died before the signal was armed.
        if os.getppid() != parent:
            os._exit(1)
        return
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _set_pdeathsig(sig: int) -> bool:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int, every: float = 1.0) -> None:
    while os.getppid() == parent:
        time.sleep(every)
    os._exit(1)


BACKENDS: dict[str, str | type[Backend]] = {
    "local": "nlpkit.batch.backends:LocalBackend",
    "dask": "nlpkit.batch.dask_backend:DaskBackend",
}


def register_backend(name: str, backend: str | type[Backend]) -> None:
    """Make `name` a backend: a Backend subclass, or "module:Class" to import when
    it is first used."""
    BACKENDS[name] = backend


def make_backend(name: str = "local", **options) -> Backend:
    """A backend by name: "local" (n_process, start_method, threads) or "dask"
    (scheduler, n_workers, ...)."""
    if name not in BACKENDS:
        raise ValueError(Errors.E509.format(name=name, known=", ".join(BACKENDS)))
    backend = BACKENDS[name]
    if isinstance(backend, str):
        module, _, attr = backend.partition(":")
        backend = getattr(importlib.import_module(module), attr)
    return backend(**options)
