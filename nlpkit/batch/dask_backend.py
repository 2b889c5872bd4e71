"""The Dask backend: shard tasks on a Dask cluster, an existing one (scheduler
address) or a LocalCluster on 127.0.0.1. A worker plugin loads the pipeline once per
worker; each task carries its input range (records only for formats the driver
reads), reads it through fsspec, and writes its own files."""

from __future__ import annotations

import logging
import os
import sys
import time
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import Errors, Warnings
from .backends import START_METHODS, Backend
from .shards import JobSpec, ShardResult, ShardTask
from .storage import Storage, inputs_visible, new_attempt, probe_visible
from .worker import (
    PipelineSpec,
    drop_pipeline,
    install_pipeline,
    limit_threads,
    refuse,
    run_cached_shard,
)

logger = logging.getLogger("nlpkit")

try:
    from distributed import Client, LocalCluster, WorkerPlugin, as_completed
except ImportError as err:  # pragma: no cover - dask is an extra
    raise ImportError(Errors.E510.format(reason=err)) from err


def local_cluster(
    n_workers: int, threads: int = 1, start_method: str | None = None
) -> LocalCluster:
    """A quiet LocalCluster on 127.0.0.1: worker processes, no dashboard.

    start_method: how the nannies start the worker processes ("fork", "forkserver",
    "spawn"); None keeps Dask's setting (spawn). Only the start-up uses it: a worker
    a nanny restarts later (it died) is spawned, as Dask does by default, so no fork
    ever happens while a run's threads are busy.

    The scheduler always serves a few HTTP routes (health checks); they go to a free
    loopback port instead of 8787, which another cluster may hold. The workers'
    statistical profiler is off: every 10 ms it walks the stack of the running
    task holding the GIL, and spaCy's stacks are deep (it served no one here, with
    the dashboard off).
    """
    import dask

    config = {"distributed.worker.profile.enabled": False}
    if start_method is not None:
        config["distributed.worker.multiprocessing-method"] = start_method
    if start_method == "fork":
        _renew_offload_thread_after_fork()
    # The nannies hand this config to their workers, restarted ones too; the start
    # method alone is read when a nanny starts a worker, so restarts are spawned.
    with dask.config.set(config):
        return LocalCluster(
            n_workers=n_workers,
            threads_per_worker=threads,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        )


_AT_FORK = False


def _renew_offload_thread_after_fork() -> None:
    """Give each forked process a new Dask offload executor (once per process).

    Dask (de)serialises messages over 10 MiB (the pipeline plugin of a real model)
    on a module-level one-thread executor. A child forked after the driver used it
    inherits the executor but not its thread, and waits forever for such a message:
    the second run in one driver process would hang.
    """
    global _AT_FORK
    if _AT_FORK:
        return
    from concurrent.futures import ThreadPoolExecutor

    import distributed.utils

    def renew() -> None:
        if isinstance(getattr(distributed.utils, "_offload_executor", None),
                      ThreadPoolExecutor):  # fmt: skip
            distributed.utils._offload_executor = ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="Dask-Offload"
            )

    os.register_at_fork(after_in_child=renew)
    _AT_FORK = True


def default_start_method(gpu: int = -1) -> str:
    """How nlpkit's own LocalCluster starts workers: fork on Linux, so each worker
    starts with the driver's imports and loaded pipeline (a spawned one imports
    spaCy and loads the model again: seconds per worker); spawn elsewhere, or for a
    pipeline on a GPU (CUDA does not survive a fork)."""
    if gpu < 0 and sys.platform.startswith("linux"):
        return "fork"
    return "spawn"


class PipelinePlugin(WorkerPlugin):
    """Loads the pipeline into the worker's process cache at worker start-up, on every
    worker, including those that join or restart later.

    probe: (path, token) of the driver's probe file in a local output directory.
    inputs: (path, size) of the local input files the workers read.
    A worker that does not read the token there (E534) or does not see an input
    as the driver does (E539) - it joined later, on a machine that does not share
    the driver's disk - loads nothing, refuses every task of the run, and tells the
    driver (topic `topic`), which stops the run.
    """

    def __init__(self, spec: PipelineSpec, threads: int = 1, probe=None, topic="",
                 inputs=()):  # fmt: skip
        self.spec = spec
        self.threads = threads
        self.probe = probe
        self.topic = topic
        self.inputs = list(inputs)
        self.name = f"nlpkit-pipeline-{spec.key[:16]}"

    def setup(self, worker) -> None:
        limit_threads(self.threads)
        reason = self.blind_reason(f"{worker.name} ({worker.address})")
        if reason is not None:
            refuse(self.spec.key, reason)
            worker.log_event(self.topic, {"worker": worker.address, "reason": reason})
            return
        install_pipeline(self.spec)

    def blind_reason(self, who: str) -> str | None:
        """Why this worker cannot take the run's tasks (E534, E539), or None."""
        if self.probe is not None and not probe_visible(*self.probe):
            path = str(Path(self.probe[0]).parent)
            return Errors.E534.format(worker=who, path=path)
        blind = inputs_visible(self.inputs) if self.inputs else None
        if blind is None:
            return None
        count, path, detail = blind
        return Errors.E539.format(worker=who, path=path, detail=detail, count=count,
                                  total=len(self.inputs))  # fmt: skip

    def teardown(self, worker) -> None:
        drop_pipeline(self.spec.key)


class DaskBackend(Backend):
    """Shards on Dask.

    scheduler: address of a running scheduler ("tcp://host:8786"); None starts a
        LocalCluster on 127.0.0.1 (processes, dashboard off) closed with the backend.
    n_workers: workers of the LocalCluster (default: CPU count).
    start_method: how that LocalCluster starts its workers (default_start_method:
        fork on Linux, so they start with the driver's pipeline already loaded).
        A cluster given by `scheduler` or `client` starts its workers its own way.
    threads: threads per worker (1: one task per process, as spaCy wants).
    max_in_flight: shards submitted ahead of results; default 2 per worker thread,
        counted again as results come in, so it follows a cluster that scales.
    retries: extra attempts for a shard whose task raised; a shard whose worker died
        is rescheduled by Dask itself (distributed.scheduler.allowed-failures).

    Every worker must see a local output directory: those present at the start
    before work starts (E531), those that join later before they take a task (E534);
    likewise every local input file workers read, as the driver sees it (E538,
    E539), on a cluster given by `scheduler` or `client`.
    When the run ends the worker plugin is unregistered and each worker forgets
    the pipeline, so a long-lived cluster does not keep past runs' models.
    """

    name = "dask"
    ships_pipeline = True

    def __init__(
        self,
        scheduler: str | None = None,
        *,
        n_workers: int | None = None,
        threads: int = 1,
        max_in_flight: int | None = None,
        retries: int = 2,
        client=None,
        start_method: str | None = None,
    ):
        if start_method is not None and start_method not in START_METHODS:
            raise ValueError(Errors.E540.format(value=start_method))
        if start_method is not None and (scheduler or client is not None):
            logger.warning(Warnings.W515.format(method=start_method))
        self.scheduler = scheduler
        self.start_method = start_method
        self.n_workers = n_workers or os.cpu_count() or 1
        self.threads = threads
        self.max_in_flight = max_in_flight
        self.retries = retries
        self.client = client
        self.cluster = None
        self._own_client = client is None
        self.job: JobSpec | None = None
        self.token = uuid.uuid4().hex[:8]
        self.plugin: PipelinePlugin | None = None
        self._threads = 0
        self._threads_at = float("-inf")
        self.probe: Path | None = None
        self.blind: str | None = None
        self.topic = ""
        self._inherited: str | None = None

    @property
    def workers(self) -> int:
        if self.client is None:
            return self.n_workers
        return sum(self.client.nthreads().values()) or self.n_workers

    def open(self, spec: PipelineSpec, job: JobSpec, nlp=None, inputs=()) -> None:
        self.job = job
        if self.client is None:
            if self.scheduler:
                self.client = Client(self.scheduler)
            else:
                method = self.start_method or default_start_method(spec.gpu)
                if method == "fork" and nlp is not None:
                    install_pipeline(spec, nlp)  # the forked workers inherit it
                    self._inherited = spec.key
                self.cluster = local_cluster(self.n_workers, self.threads, method)
                self.client = Client(self.cluster)
        probe = None
        if job.output_dir and Storage(job.output_dir).local:
            probe = self.check_workers_see(Storage(job.output_dir).local_path())
        # The workers of nlpkit's own LocalCluster run on this machine.
        inputs = list(inputs) if self.cluster is None else []
        if inputs:
            self.check_workers_see_inputs(inputs)
        self.topic = f"nlpkit-blind-{self.token}"
        self.client.subscribe_topic(self.topic, self._worker_blind)
        self.plugin = PipelinePlugin(spec, self.threads, probe, self.topic, inputs)
        self.client.register_plugin(self.plugin)
        logger.info(
            "Dask backend: %s, %d worker thread(s)",
            self.scheduler or "LocalCluster on 127.0.0.1",
            self.workers,
        )

    def run(self, tasks: Iterable[ShardTask]) -> Iterator[ShardResult]:
        futures = as_completed()
        in_flight = 0
        tasks = iter(tasks)
        exhausted = False
        while True:
            limit = self.max_in_flight or 2 * max(1, self.threads_now())
            while not exhausted and in_flight < limit:
                task = next(tasks, None)
                if task is None:
                    exhausted = True
                    break
                futures.add(self._submit(task))
                in_flight += 1
            if in_flight == 0:
                return
            future = next(futures)
            in_flight -= 1
            if self.blind is not None:
                raise OSError(self.blind)
            try:
                result = future.result()
            except OSError:
                raise
            except Exception as err:
                shard = future.key.split("-")[2] if isinstance(future.key, str) else "?"
                raise RuntimeError(
                    Errors.E532.format(
                        shard=shard,
                        attempts=self.retries + 1,
                        reason=f"{type(err).__name__}: {err}",
                    )
                ) from err
            finally:
                future.release()
            yield result

    def _submit(self, task: ShardTask):
        return self.client.submit(
            run_cached_shard,
            task,
            self.job,
            key=f"nlpkit-shard-{task.index:05d}-{self.token}",
            pure=False,
            retries=self.retries,
        )

    def threads_now(self) -> int:
        """Worker threads on the cluster now, asked of the scheduler at most once
        a second (one round trip), so the in-flight limit follows scaling."""
        now = time.monotonic()
        if now - self._threads_at >= 1.0:
            info = self.client.scheduler_info(n_workers=-1)
            workers = info.get("workers", {}).values()
            self._threads = sum(w.get("nthreads", 1) for w in workers)
            self._threads_at = now
        return self._threads

    def check_workers_see(self, directory) -> tuple[str, str]:
        """Raise E531 unless every worker reads the probe file the driver writes into
        the local output directory (workers that share no disk with it do not).
        The file stays until the run ends, for workers that join later.
        RETURNS (tuple): the probe's path and token."""
        token = new_attempt()
        self.probe = directory / f".nlpkit-probe-{token}"
        self.probe.write_text(token, encoding="utf-8")
        seen = self.client.run(probe_visible, str(self.probe), token)
        blind = sorted(addr for addr, ok in seen.items() if not ok)
        if blind:
            raise OSError(Errors.E531.format(workers=", ".join(blind), path=directory))
        return str(self.probe), token

    def check_workers_see_inputs(self, inputs: list[tuple[str, int]]) -> None:
        """Raise E538 unless every worker sees each local input file as the driver
        does (present, same size): one call carrying the list, a stat per file on
        each worker, instead of every shard failing there with E519."""
        seen = self.client.run(inputs_visible, inputs)
        blind = {addr: found for addr, found in seen.items() if found is not None}
        if not blind:
            return
        names = self.client.scheduler_info(n_workers=-1).get("workers", {})
        who = [f"{names.get(a, {}).get('name', '?')} ({a})" for a in sorted(blind)]
        count, path, detail = blind[min(blind)]
        raise OSError(Errors.E538.format(workers=", ".join(who), path=path,
                                         detail=detail, count=count,
                                         total=len(inputs)))  # fmt: skip

    def _worker_blind(self, event) -> None:
        # Called on the client's event loop: the run loop raises at its next result.
        _, message = event
        logger.error(message["reason"])
        self.blind = self.blind or message["reason"]

    def close(self) -> None:
        if self.probe is not None:
            self.probe.unlink(missing_ok=True)
            self.probe = None
        if self.client is not None and self.plugin is not None:
            try:
                self.client.unregister_worker_plugin(self.plugin.name)
            except Exception as err:  # a scheduler gone already has no plugins
                logger.debug("Could not unregister %s: %s", self.plugin.name, err)
        self.plugin = None
        if self.client is not None and self.topic:
            self.client.unsubscribe_topic(self.topic)
        self.topic = ""
        if self.client is not None and self._own_client:
            self.client.close()
        self.client = None
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None
        if self._inherited is not None:
            drop_pipeline(self._inherited)  # the driver's copy, kept for the fork
            self._inherited = None
