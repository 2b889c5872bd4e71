"""What runs in a worker: loading the pipeline once per process, and annotating and
writing one whole shard."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import CorpusError, Errors
from ..io import Record, open_writer
from ..io.docdict import doc_to_dict
from ..util import load_pipeline
from .shards import (
    CollectingRejects,
    JobSpec,
    ShardResult,
    ShardTask,
    docs_name,
    rejects_name,
)
from .storage import Storage, attempt_name, new_attempt

logger = logging.getLogger("nlpkit")

# pipeline key -> loaded Language, one per process (filled by the worker set-up)
_PIPELINES: dict[str, Any] = {}
# pipeline key -> why this process refuses that run's tasks
_REFUSED: dict[str, str] = {}
DOC_FORMATS = ("spacy",)


@dataclass(frozen=True)
class PipelineSpec:
    """How a worker gets the pipeline: a name or path to load, or the config and
    bytes of a Language object. Sent once per worker, never with each task."""

    key: str
    name: str | None = None
    config: str | None = None
    data: bytes | None = None
    code: tuple[tuple[str, str], ...] = ()
    gpu: int = -1

    @classmethod
    def from_model(cls, key: str, model, *, code=(), gpu: int = -1) -> PipelineSpec:
        sources = tuple((str(p), Path(p).read_text(encoding="utf-8")) for p in code)
        if isinstance(model, (str, Path)):
            return cls(key=key, name=str(model), code=sources, gpu=gpu)
        return cls(
            key=key,
            config=model.config.to_str(),
            data=model.to_bytes(),
            code=sources,
            gpu=gpu,
        )

    def load(self):
        """Import the code files, pick the GPU, and load the pipeline."""
        import spacy
        from spacy.util import import_file, load_model_from_config
        from thinc.api import Config

        for path, source in self.code:
            import_code(path, source, import_file)
        if self.gpu >= 0:
            spacy.require_gpu(self.gpu)
        if self.name is not None:
            return load_pipeline(self.name)
        nlp = load_model_from_config(Config().from_str(self.config), auto_fill=False)
        return nlp.from_bytes(self.data)


def import_code(path: str, source: str, import_file) -> None:
    """Import a Python file that registers components, as `spacy --code` does; on a
    remote worker without the file, from its source sent with the spec."""
    name = f"nlpkit_code_{Path(path).stem}"
    if name in sys.modules:
        return
    if not Path(path).exists():
        tmp = Path(tempfile.mkdtemp(prefix="nlpkit-code-")) / Path(path).name
        tmp.write_text(source, encoding="utf-8")
        path = str(tmp)
    import_file(name, path)


def install_pipeline(spec: PipelineSpec, nlp=None) -> Any:
    """Load the pipeline for `spec.key` in this process once, or adopt the one given.

    A Language object handed in always wins over an earlier one with the same
    fingerprint: it carries the caller's hooks, stats and rejects path.
    """
    if nlp is not None:
        _PIPELINES[spec.key] = nlp
    elif spec.key not in _PIPELINES:
        _PIPELINES[spec.key] = spec.load()
    return _PIPELINES[spec.key]


def refuse(key: str, reason: str) -> None:
    """Make this process refuse the tasks of the run with pipeline `key` (its worker
    cannot see the run's output), raising OSError(reason) before writing."""
    _REFUSED[key] = reason


def cached_pipeline(key: str):
    if key in _REFUSED:
        raise OSError(_REFUSED[key])
    try:
        return _PIPELINES[key]
    except KeyError:
        raise RuntimeError(Errors.E513.format(worker=worker_name())) from None


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def limit_threads(n: int = 1) -> None:
    """One BLAS/OpenMP/torch thread per worker process: with one process per core,
    more threads only compete for the same cores."""
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(n)
    except ImportError:
        pass
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(n)


def run_cached_shard(task: ShardTask, job: JobSpec) -> ShardResult:
    """Entry point for workers: the shard task with the pipeline of this process."""
    return run_shard(cached_pipeline(job.pipeline_key), task, job)


def run_shard(nlp, task: ShardTask, job: JobSpec) -> ShardResult:
    """Annotate one shard and store its docs and rejects files as one attempt.

    The files get names of their own (`docs-00003-<attempt>.jsonl`), so two
    executions of a shard (a worker Dask thought dead, a resumed run) never touch
    each other's files; the driver commits one attempt and deletes the others.
    RETURNS (ShardResult): the counts (read = written + rejected), the attempt's
    file names, sizes and SHA-256.
    """
    start = time.perf_counter()
    storage = Storage(job.output_dir)
    attempt = new_attempt()
    docs = attempt_name(docs_name(task.index, job.output_format), attempt)
    rejects_file = attempt_name(rejects_name(task.index), attempt)
    records, reader_rejects = shard_records(nlp, task, job)
    staging = storage.staging_dir()
    rejects = [dict(entry, shard=task.index) for entry in reader_rejects]
    written = words = 0
    as_docs = job.output_format in DOC_FORMATS
    if job.max_length and job.max_length > nlp.max_length:
        nlp.max_length = job.max_length  # the driver already rejected longer records
    stored: list[str] = []
    try:
        with nlp.memory_zone():
            with open_writer(staging / docs, job.output_format) as writer:
                for doc in annotate(nlp, records, task.index, job, rejects):
                    writer.write(doc if as_docs else doc_to_dict(doc, job.attrs))
                    written += 1
                    words += len(doc)
        stored.append(docs)
        docs_size, docs_sha256 = storage.store(staging / docs, docs)
        rejects_size, rejects_sha256 = None, ""
        if rejects:
            write_rejects(staging / rejects_file, rejects)
            stored.append(rejects_file)
            rejects_size, rejects_sha256 = storage.store(
                staging / rejects_file, rejects_file
            )
    except BaseException as err:
        # A writer that fails to flush (disk full) may not remove its temp file.
        for name in (docs, rejects_file):
            (staging / name).with_name(f"{name}.tmp-{os.getpid()}").unlink(
                missing_ok=True
            )
            (staging / name).unlink(missing_ok=True)
        for name in stored if not storage.local else ():
            storage.remove(name)
        if isinstance(err, OSError):
            raise OSError(
                err.errno,
                f"shard {task.index}: {err.strerror or err}",
                storage.path(docs),
            ) from err
        raise
    finally:
        if not storage.local:
            shutil.rmtree(staging, ignore_errors=True)
    return ShardResult(
        index=task.index,
        read=written + len(rejects),
        written=written,
        rejected=len(rejects),
        words=words,
        seconds=time.perf_counter() - start,
        docs=docs,
        rejects=rejects_file if rejects else None,
        worker=worker_name(),
        peak_rss_mb=peak_rss_mb(),
        attempt=attempt,
        docs_size=docs_size,
        docs_sha256=docs_sha256,
        rejects_size=rejects_size,
        rejects_sha256=rejects_sha256,
    )


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux: ru_maxrss is in KiB)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Windows
        return 0.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_rejects(path: Path, rejects: list[dict]) -> None:
    with open_writer(path, "jsonl") as writer:
        for entry in rejects:
            writer.write(entry)


def shard_records(nlp, task: ShardTask, job: JobSpec) -> tuple[list[Record], list]:
    """The shard's records and reader rejects: sent with the task, or read here from
    its input range."""
    if task.source is None:
        return task.records, task.reader_rejects
    from .plan import read_range

    rejects = CollectingRejects(strict=job.strict)
    options = {
        "reader": job.reader_options,
        "max_length": job.max_length or nlp.max_length,
    }
    records = list(read_range(task.source, rejects, options))
    return records, rejects.take()


def annotate(
    nlp, records: list[Record], shard: int, job: JobSpec, rejects: list[dict]
) -> Iterator:
    """Docs of the shard in input order, batch by batch; a batch that fails is redone
    one doc at a time, so only the record that crashes a component is rejected."""
    for start in range(0, len(records), job.batch_size):
        chunk = records[start : start + job.batch_size]
        docs, kept = [], []
        for record in chunk:
            try:
                docs.append(record.to_doc(nlp))
                kept.append(record)
            except (CorpusError, ValueError) as err:
                if job.strict:
                    raise
                rejects.append(reject_entry(record, shard, str(err)))
        try:
            annotated = list(nlp.pipe(docs, batch_size=job.batch_size))
        except Exception as err:
            if job.strict:
                raise
            logger.debug("Batch failed (%s); retrying its docs one by one", err)
            yield from annotate_one_by_one(nlp, kept, shard, rejects)
            continue
        yield from annotated


def annotate_one_by_one(nlp, records: list[Record], shard: int, rejects: list[dict]):
    for record in records:
        doc = record.to_doc(nlp)
        name = ""
        try:
            for step, proc in nlp.pipeline:
                name = step
                doc = proc(doc)
        except Exception as err:
            reason = Errors.E507.format(
                component=name, exc=type(err).__name__, message=err
            )
            logger.warning("%s: %s", record.place, reason)
            rejects.append(reject_entry(record, shard, reason))
            continue
        yield doc


def reject_entry(record: Record, shard: int, reason: str) -> dict[str, Any]:
    return {
        "source": record.source,
        "line": record.line,
        "id": record.id,
        "reason": reason,
        "raw": record.get_text(),
        "shard": shard,
    }


def drop_pipeline(key: str) -> None:
    """Forget a run's pipeline in this process (run when the run ends, so that a
    long-lived shared cluster does not keep every past run's model loaded)."""
    _PIPELINES.pop(key, None)
    _REFUSED.pop(key, None)
    from .plan import close_readers

    close_readers()  # input files a run's shards kept open


def loaded_pipelines() -> list[str]:
    """Keys of the pipelines loaded in this process (run on workers to check that a
    finished run left nothing behind)."""
    return sorted(_PIPELINES)
