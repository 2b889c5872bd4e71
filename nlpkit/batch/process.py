"""Run a spaCy pipeline over a corpus: sharded, resumable, exactly-once output.

The driver plans the shards (plan.py: line ranges, Parquet row groups, or record
ranges of files read whole, which workers read themselves from a local path or an
fsspec URL), stores the plan in the manifest, and hands the shards not yet done to
a backend (this process, local worker processes or Dask). Output goes to a local
directory or an fsspec URL (storage.py). Each execution
of a shard writes its docs and rejects under names of its own; the driver commits one
attempt per shard in the manifest's commit log (commitlog.py), the commit point, and
folds the log into manifest.json when the run ends.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import json
import logging
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..errors import Errors, Warnings
from ..io import expand_inputs
from ..io.docdict import ATTRS, DEFAULT_ATTRS
from ..io.records import place
from ..util import load_pipeline
from .backends import BACKENDS, Backend, make_backend
from .commit import commit, is_committed, remove_orphans
from .lock import RunLock
from .manifest import MANIFEST, Manifest, file_fingerprint, pipeline_fingerprint
from .plan import (
    close_readers,
    legacy_tasks,
    local_inputs,
    make_plan,
    plan_total,
    planned_tasks,
)
from .shards import EXTENSIONS, JobSpec, ShardTask
from .storage import Storage, new_attempt
from .worker import PipelineSpec, import_code

logger = logging.getLogger("nlpkit")

DEFAULT_SHARD_SIZE = 1000
FINGERPRINTS = ("stat", "content")
ATTR_ALIASES = {
    "entities": "ents",
    "vectors": "vector",
    "lemma": "lemmas",
    "tag": "tags",
}


@dataclass
class ProcessSummary:
    read: int
    written: int
    rejected: int
    seconds: float
    output: str
    rejects_file: str
    words: int = 0
    processed: int = 0
    processed_words: int = 0
    setup_seconds: float = 0.0
    shards: int = 0
    shards_skipped: int = 0
    backend: str = "local"
    workers: int = 1

    @property
    def processing_seconds(self) -> float:
        """Wall time after set-up (loading the pipeline, starting workers)."""
        return max(self.seconds - self.setup_seconds, 0.0)

    @property
    def docs_per_second(self) -> float:
        """Docs written by this call (not by the run it resumed) per processing second."""
        secs = self.processing_seconds
        return self.processed / secs if secs else 0.0

    @property
    def words_per_second(self) -> float:
        secs = self.processing_seconds
        return self.processed_words / secs if secs else 0.0

    def to_dict(self) -> dict:
        return {
            **asdict(self),
            "docs_per_second": round(self.docs_per_second, 1),
            "words_per_second": round(self.words_per_second, 1),
        }


def normalize_attrs(attrs: Sequence[str]) -> tuple[str, ...]:
    """Output attribute names, with aliases (entities, vectors, POS) resolved."""
    out = []
    for attr in attrs:
        attr = attr.strip()
        if not attr:
            continue
        if not attr.startswith("_."):
            attr = ATTR_ALIASES.get(attr.lower(), attr.lower())
            if attr not in ATTRS:
                raise ValueError(Errors.E511.format(attr=attr, known=", ".join(ATTRS)))
        out.append(attr)
    return tuple(out)


class RunFailed(RuntimeError):
    """A run that finished but failed as a whole: nothing written, or more rejects
    than max_reject_rate allows. `summary` has the counts; the manifest keeps them."""

    def __init__(self, message: str, summary: ProcessSummary):
        super().__init__(message)
        self.summary = summary


def process(
    model,
    inputs: str | Path | Iterable[str | Path],
    output_dir: str | Path,
    *,
    input_format: str | None = None,
    output_format: str = "jsonl",
    attrs: Sequence[str] = DEFAULT_ATTRS,
    batch_size: int = 256,
    shard_size: int = DEFAULT_SHARD_SIZE,
    n_process: int = 1,
    backend: str | Backend = "local",
    scheduler: str | None = None,
    gpu: int = -1,
    resume: bool = False,
    overwrite: bool = False,
    strict: bool = False,
    code: Sequence[str | Path] = (),
    reader_options: dict | None = None,
    backend_options: dict | None = None,
    retries: int = 2,
    max_length: int | None = None,
    max_reject_rate: float | None = None,
    count_first: bool = False,
    on_progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
    save_every: float = 0.5,
    fingerprint: str = "stat",
) -> ProcessSummary:
    """Annotate a corpus with a pipeline and write sharded output with a manifest.

    The pipeline is loaded in the driver (for its fingerprint) and once per worker.
    The driver holds OUTPUT/.lock for the whole run: a second run on the same output
    fails (E515) instead of disturbing the first.

    model (str | Path | Language): a pipeline name or path, or a loaded Language.
    inputs: files, directories or globs, read by any nlpkit reader; local, or
        fsspec URLs (s3://bucket/in/, s3://bucket/in/*.jsonl) with credentials
        from the environment.
    output_dir: receives docs-NNNNN.<format>, rejects-NNNNN.jsonl and manifest.json.
    output_format: "jsonl", "parquet" or "spacy" (DocBin).
    attrs: what to write: text, tokens, lemmas, pos, tags, ents, cats, sents, vector,
        or a Doc extension as "_.name" (rerank scores, LLM outputs).
    shard_size: records per shard, the unit of resume and of parallel work; lines
        for JSONL and plain text; for Parquet, whole row groups adding up to at
        least this many rows (plan.py).
    n_process: worker processes (local backend) or LocalCluster workers (dask).
    backend: "local", "dask", or a Backend instance.
    scheduler: a Dask scheduler address; None starts a LocalCluster on 127.0.0.1.
    gpu: GPU id for every worker, -1 for CPU.
    resume: continue the run in output_dir, skipping the shards it completed; raises
        if the input, the pipeline or the options changed since.
    overwrite: start again, deleting a previous run's shards and manifest.
    strict: raise on the first bad record instead of writing it to the rejects.
    code: Python files that register custom components, imported in every worker.
    retries: times a shard is run again before the run fails: local backend when
        its worker process died, Dask when its task raised (Dask reschedules the
        shards of a dead worker itself).
    max_length: reject records of more characters (default: nlp.max_length).
    max_reject_rate: fail the run (RunFailed, E518) when more than this share of
        the records read is rejected; None: no limit.
    count_first: give on_total the progress total (from the shard plan).
    fingerprint: how resume tells that an input changed: "stat" (size and
        modification time; ETag on object storage) or "content" (also the
        SHA-256 of every file, read in full: a touched file with the same bytes
        resumes).
    on_progress: called with the number of records finished (read) as shards finish.
    RETURNS (ProcessSummary): read = written + rejected, over the whole run.
    RAISES: RunFailed (E517) when nothing was written, (E518) when max_reject_rate
        is exceeded; CorpusError (E001, E006, E519) for missing or unreadable input.
    """
    settings = dict(locals())
    check_options(**settings)
    if scheduler and backend == "local":
        backend = "dask"  # a scheduler address only makes sense for Dask
    if isinstance(backend, str) and backend not in BACKENDS:
        raise ValueError(Errors.E509.format(name=backend, known=", ".join(BACKENDS)))
    attrs = normalize_attrs(attrs)
    storage = Storage(output_dir)
    start = time.perf_counter()
    inputs = [inputs] if isinstance(inputs, (str, Path)) else list(inputs)
    # Before any model loads: a missing file or an empty glob is an error (E001/E006).
    paths = expand_inputs(inputs)
    prepare_output_dir(storage)
    if storage.local:
        lock = RunLock(storage.local_path())
    else:
        logger.warning(Warnings.W510.format(url=storage.url))
        lock = contextlib.nullcontext()
    settings.update(
        inputs=inputs,
        backend=backend,
        attrs=attrs,
        reader_options=dict(reader_options or {}),
    )
    del settings["output_dir"]
    with lock:
        return _process_locked(paths=paths, storage=storage, start=start, **settings)


def check_options(**values) -> None:
    """Raise a numbered ValueError for an option value that cannot work, before
    anything is loaded or written."""
    for name in ("batch_size", "shard_size", "n_process"):
        if values[name] < 1:
            raise ValueError(
                Errors.E514.format(name=name, minimum=1, value=values[name])
            )
    if values["retries"] < 0:
        raise ValueError(
            Errors.E514.format(name="retries", minimum=0, value=values["retries"])
        )
    if values["max_length"] is not None and values["max_length"] < 1:
        raise ValueError(
            Errors.E514.format(name="max_length", minimum=1, value=values["max_length"])
        )
    output_format = values["output_format"]
    if output_format not in EXTENSIONS:
        rule = f"known output formats are {', '.join(EXTENSIONS)}"
        raise ValueError(
            Errors.E520.format(name="--output-format", value=output_format, rule=rule)
        )
    input_format = values["input_format"]
    if input_format is not None:
        known = known_input_formats()
        if input_format not in known:
            rule = f"known input formats are {', '.join(known)}"
            raise ValueError(
                Errors.E520.format(name="--input-format", value=input_format, rule=rule)
            )
    rate = values["max_reject_rate"]
    if rate is not None and not 0.0 <= rate <= 1.0:
        rule = "give a share of the records read, from 0.0 to 1.0"
        raise ValueError(
            Errors.E520.format(name="--max-reject-rate", value=rate, rule=rule)
        )
    if values.get("fingerprint", "stat") not in FINGERPRINTS:
        rule = f"choose {' or '.join(FINGERPRINTS)}"
        raise ValueError(
            Errors.E520.format(
                name="--fingerprint", value=values["fingerprint"], rule=rule
            )  # fmt: skip
        )


def named_inputs(inputs) -> set:
    """The inputs named one by one (not through a directory, prefix or glob): an
    unknown extension there is an error, not a skipped file."""
    import glob

    from ..io.sources import is_url

    urls = {str(i) for i in inputs if is_url(i) and not glob.has_magic(str(i))}
    return urls | {Path(i) for i in inputs if not is_url(i) and Path(i).is_file()}


def known_input_formats() -> list[str]:
    from ..io.formats import FORMATS

    return sorted(FORMATS)


def open_backend(backend: Backend, spec, job, nlp, inputs) -> None:
    """backend.open, with the local inputs for a backend whose open() takes them
    (one written before `inputs` existed is opened as before)."""
    if "inputs" in inspect.signature(backend.open).parameters:
        backend.open(spec, job, nlp, inputs=inputs)
    else:
        backend.open(spec, job, nlp)


def _process_locked(
    model,
    inputs,
    paths,
    storage: Storage,
    *,
    start,
    input_format,
    output_format,
    attrs,
    batch_size,
    shard_size,
    n_process,
    backend,
    scheduler,
    gpu,
    resume,
    overwrite,
    strict,
    code,
    reader_options,
    backend_options,
    retries,
    max_length,
    max_reject_rate,
    count_first,
    on_progress,
    on_total,
    save_every,
    fingerprint,
) -> ProcessSummary:
    for path in code:
        import_code(str(path), "", _import_file)
    if gpu >= 0:
        import spacy

        spacy.require_gpu(gpu)
    nlp = model if hasattr(model, "pipe") else load_pipeline(model)
    check_extensions(nlp, attrs)

    content = fingerprint == "content"
    input_prints = [file_fingerprint(p, content=content) for p in paths]
    pipeline_print = pipeline_fingerprint(nlp)
    options = {
        "shard_size": shard_size,
        "output_format": output_format,
        "attrs": list(attrs),
        "input_format": input_format,
        "reader_options": reader_options,
        "strict": strict,
    }
    if max_length is not None:
        options["max_length"] = max_length  # only when set: older runs still resume
    read_options = {
        "reader": reader_options,
        "max_length": max_length or nlp.max_length,
        "named": named_inputs(inputs),
        "output": storage.url,
    }
    manifest = open_manifest(
        storage,
        resume=resume,
        overwrite=overwrite,
        inputs=input_prints,
        pipeline=pipeline_print,
        options=options,
        plan=lambda: make_plan(
            paths,
            shard_size=shard_size,
            input_format=input_format,
            reader_options=reader_options,
            read_options=read_options,
            strict=strict,
        ),
    )
    key = hashlib.sha256(
        json.dumps(pipeline_print, sort_keys=True).encode()
    ).hexdigest()
    job = JobSpec(
        output_dir=storage.url,
        output_format=output_format,
        attrs=attrs,
        batch_size=batch_size,
        strict=strict,
        pipeline_key=key,
        max_length=max_length,
        input_format=input_format,
        reader_options=reader_options,
    )
    if isinstance(backend, str):
        backend = build_backend(backend, n_process, scheduler, backend_options, retries)
    # Workers that cannot share the driver's memory get the pipeline by name, or as
    # config + bytes when it was given as a Language object.
    # A pipeline given by path goes to Dask workers as bytes too (nlp.to_bytes, once
    # per worker): a cluster's workers need nlpkit, not the model at that path.
    by_name = isinstance(model, (str, Path)) and not (
        backend.name == "dask" and Path(model).exists()
    )
    ships = getattr(backend, "ships_pipeline", True)
    spec = PipelineSpec.from_model(
        key, model if by_name or not ships else nlp, code=code, gpu=gpu
    )
    plan = manifest.data.get("plan")
    if count_first and on_total is not None and plan is not None:
        on_total(plan_total(plan))

    skipped = 0

    def done(index: int) -> bool:
        nonlocal skipped
        if not is_committed(storage, manifest, index):
            return False
        skipped += 1
        if on_progress is not None:
            on_progress(manifest.shards[str(index)].get("read", 0))
        return True

    def pending_tasks() -> Iterable[ShardTask]:
        if plan is not None:
            yield from planned_tasks(plan, shard_size=shard_size,
                                     options=read_options, strict=strict, skip=done)  # fmt: skip
            return
        # A run started before shard plans were stored: cut as it was then.
        for task in legacy_tasks(paths, shard_size=shard_size,
                                 input_format=input_format, options=read_options,
                                 strict=strict):  # fmt: skip
            if not done(task.index):
                yield task

    processed = processed_words = 0
    setup = 0.0
    status = "failed"
    failure: str | None = None
    summary: ProcessSummary | None = None
    try:
        with backend:
            sizes = {str(p): f["size"] for p, f in zip(paths, input_prints)}
            open_backend(backend, spec, job, nlp, local_inputs(plan, sizes))
            manifest.open_log(every=save_every)
            setup = time.perf_counter() - start
            for result in backend.run(pending_tasks()):
                if not commit(storage, manifest, result):
                    continue
                processed += result.written
                processed_words += result.words
                if on_progress is not None:
                    on_progress(result.read)
        manifest.data["n_shards"] = len(manifest.shards)
        # Every worker is gone: an attempt not committed now lost or died.
        remove_orphans(storage, manifest)
        summary = make_summary(
            manifest,
            storage,
            start=start,
            processed=processed,
            processed_words=processed_words,
            setup=setup,
            skipped=skipped,
            backend=backend,
        )
        failure = run_failure(summary, manifest, paths, max_reject_rate)
        status = "complete" if failure is None else "failed"
        manifest.data.pop("failure", None)
        if failure is not None:
            manifest.data["failure"] = failure
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    except OSError as err:
        raise OSError(
            Errors.E506.format(
                path=storage.url,
                reason=err,
                done=len(manifest.shards),
            )
        ) from err
    finally:
        close_readers()  # those the local backend opened in this process
        try:
            manifest.save(status=status)
        except OSError as err:
            logger.error(Errors.E501.format(path=storage.url, reason=err))
    if failure is not None:
        raise RunFailed(failure, summary)
    logger.debug("Processed %s", summary.to_dict())
    return summary


def make_summary(
    manifest, storage, *, start, processed, processed_words, setup, skipped, backend
) -> ProcessSummary:
    totals = manifest.totals()
    return ProcessSummary(
        read=totals["read"],
        written=totals["written"],
        rejected=totals["rejected"],
        seconds=time.perf_counter() - start,
        output=storage.url,
        rejects_file=storage.path("rejects-*.jsonl") if totals["rejected"] else "",
        words=totals["words"],
        processed=processed,
        processed_words=processed_words,
        setup_seconds=setup,
        shards=len(manifest.shards),
        shards_skipped=skipped,
        backend=backend.name,
        workers=backend.workers,
    )


def run_failure(
    summary: ProcessSummary, manifest: Manifest, paths, max_reject_rate
) -> str | None:
    """Why a finished run failed as a whole (E517, E518), or None."""
    if summary.written == 0:
        if summary.read == 0:
            names = ", ".join(str(p) for p in paths[:3])
            cause = f"the input has no records ({names})"
        else:
            cause = (
                f"all {summary.rejected} record(s) read were rejected; see "
                f"{summary.rejects_file}. First: {first_reject(manifest)}"
            )
        return Errors.E517.format(output=summary.output, cause=cause)
    if max_reject_rate is not None and summary.read:
        rate = summary.rejected / summary.read
        if rate > max_reject_rate:
            return Errors.E518.format(
                rejected=summary.rejected,
                read=summary.read,
                rate=rate,
                limit=max_reject_rate,
                rejects=summary.rejects_file,
                first=first_reject(manifest),
            )
    return None


def first_reject(manifest: Manifest) -> str:
    """'file:line: reason' of the first reject of a run, for a one-line message."""
    for index in sorted(manifest.shards, key=int):
        name = manifest.shards[index].get("rejects")
        if not name:
            continue
        with manifest.storage.open(name, "r", encoding="utf-8") as f:
            entry = json.loads(f.readline())
        where = place(entry.get("source", "?"), entry.get("line"))
        return f"{where}: {entry['reason']}"
    return "-"


def build_backend(
    name: str,
    n_process: int,
    scheduler: str | None,
    options: dict | None,
    retries: int = 2,
) -> Backend:
    """A backend by name, with --n-process meaning local processes or Dask workers."""
    if name == "dask":
        opts = {
            "scheduler": scheduler,
            "n_workers": n_process if n_process > 1 else None,
            "retries": retries,
        }
    else:
        opts = {"n_process": n_process, "retries": retries}
        if n_process > (os.cpu_count() or 1):
            logger.warning(Warnings.W502.format(n=n_process, cores=os.cpu_count()))
    return make_backend(name, **{**opts, **(options or {})})


def _import_file(name: str, path: str):
    from spacy.util import import_file

    return import_file(name, path)


def prepare_output_dir(storage: Storage) -> None:
    """Create the directory and prove it is writable, before any work is done."""
    probe = f".nlpkit-write-test-{new_attempt()}"
    try:
        storage.makedirs()
        storage.write_bytes(probe, b"x" * 4096)
    except OSError as err:
        raise OSError(Errors.E501.format(path=storage.url, reason=err)) from err
    finally:
        try:
            storage.remove(probe)
        except OSError:
            pass


def check_extensions(nlp, attrs: Sequence[str]) -> None:
    from spacy.tokens import Doc

    for attr in attrs:
        if attr.startswith("_.") and not Doc.has_extension(attr[2:]):
            raise ValueError(Errors.E511.format(attr=attr, known=", ".join(ATTRS)))


def open_manifest(
    storage: Storage, *, resume, overwrite, inputs, pipeline, options, plan=None
):
    """The manifest to continue (resume) or a new one, with its shard plan (made by
    `plan()` for a new run); removes stale attempts."""
    names = storage.names()
    existing = MANIFEST in names
    has_shards = any(n.startswith(("docs-", "rejects-")) for n in names)
    if existing and overwrite:
        for name in names:
            if name.startswith(("docs-", "rejects-", "commits-", MANIFEST)):
                storage.remove(name)
        existing = False
    elif existing and not resume:
        raise FileExistsError(Errors.E502.format(path=storage.url))
    elif not existing and has_shards and not overwrite:
        raise FileExistsError(Errors.E502.format(path=storage.url))
    if existing:
        manifest = Manifest.load(storage)
        manifest.check_compatible(inputs=inputs, pipeline=pipeline, options=options)
        logger.info(
            "Resuming %s: %d shard(s) already done", storage.url, len(manifest.shards)
        )
    else:
        manifest = Manifest.new(
            storage, inputs=inputs, pipeline=pipeline, options=options
        )
        if plan is not None:
            manifest.data["plan"] = plan()
            manifest.data["n_shards"] = manifest.data["plan"]["n_shards"]
    # Attempts of writers that died (crash, SIGKILL, dead worker) are never output.
    remove_orphans(storage, manifest)
    try:
        manifest.save(status="running")
    except OSError as err:
        raise OSError(Errors.E501.format(path=storage.url, reason=err)) from err
    return manifest


def iter_output(output_dir: str | Path) -> Iterable[dict[str, Any]]:
    """The written records of a run (JSONL or Parquet), shard by shard in input order."""
    manifest = Manifest.load(output_dir)
    storage = manifest.storage
    for index in sorted(manifest.shards, key=int):
        name = manifest.shards[index]["docs"]
        if name.endswith(".jsonl"):
            with storage.open(name, "r", encoding="utf-8") as f:
                for line in f:
                    yield json.loads(line)
        elif name.endswith(".parquet"):
            import pyarrow.parquet as pq

            with storage.open(name, "rb") as f:
                yield from pq.read_table(f).to_pylist()
        else:
            raise ValueError(
                f"iter_output reads JSONL and Parquet output, not {storage.path(name)}"
            )


def iter_rejects(output_dir: str | Path) -> Iterable[dict[str, Any]]:
    """The rejects of a run, shard by shard in input order."""
    manifest = Manifest.load(output_dir)
    for index in sorted(manifest.shards, key=int):
        name = manifest.shards[index].get("rejects")
        if name:
            with manifest.storage.open(name, "r", encoding="utf-8") as f:
                for line in f:
                    yield json.loads(line)
