"""`nlpkit process`: annotate a corpus with a spaCy pipeline, resumably."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table

from ..batch import process
from . import options as opt
from ._util import Arg, Opt, app, console, progress_callbacks, run_errors

# Defaults come from the library, never restated here.
PROCESS = opt.defaults_of(process)


@app.command("process", aliases={"--format": "--output-format"})
def process_cli(
    model: str = Arg(..., help="spaCy pipeline name or path"),
    inputs: list[str] = Arg(..., help="Input files, directories or globs"),
    output: str = Opt(
        ...,
        "--output",
        "-o",
        help="Output directory or object storage URL (s3://bucket/run, gs://...)",
    ),
    input_format: opt.InputFormat = None,
    text_field: opt.TextField = None,
    label_field: opt.LabelField = None,
    reader_option: opt.ReaderOption = (),
    output_format: str = opt.output_format(
        PROCESS["output_format"], opt.library("batch.shards", "EXTENSIONS")
    ),
    attrs: str = Opt(
        ",".join(PROCESS["attrs"]),
        "--attrs",
        help="Comma-separated: text, tokens, lemmas, pos, tags, ents (entities), "
        "cats, sents, vector (vectors), or Doc extensions as _.name",
    ),
    batch_size: int = Opt(
        PROCESS["batch_size"], "--batch-size", "-b", help="Docs per nlp.pipe batch"
    ),
    shard_size: int = Opt(
        PROCESS["shard_size"],
        "--shard-size",
        help="Records per shard (unit of resume and of work); lines for JSONL and "
        "text, which workers read themselves",
    ),
    n_process: int = Opt(
        PROCESS["n_process"],
        "--n-process",
        "-n",
        help="Worker processes (local) or workers (dask)",
    ),
    backend: str = opt.choice(
        PROCESS["backend"],
        "--backend",
        choices=opt.library("batch.backends", "BACKENDS"),
        help="Run on local processes or a Dask cluster",
    ),
    scheduler: str = Opt(
        None, "--scheduler", help="Dask scheduler address (default: LocalCluster)"
    ),
    gpu: int = Opt(PROCESS["gpu"], "--gpu", "-g", help="GPU id, -1 for CPU"),
    resume: opt.Resume = False,
    overwrite: opt.Overwrite = False,
    strict: bool = Opt(
        PROCESS["strict"], "--strict", help="Stop at the first bad record"
    ),
    code: list[Path] = Opt(
        [], "--code", "-c", help="Python file registering components (repeatable)"
    ),
    count: bool = Opt(True, "--count/--no-count", help="Count records first (ETA)"),
    retries: int = Opt(
        PROCESS["retries"],
        "--retries",
        help="Run a shard again this many times when it fails or its worker "
        "process dies, before the run fails",
    ),
    max_in_flight: int = Opt(
        None,
        "--max-in-flight",
        help="Shards submitted ahead of results (default: 2 per worker, following "
        "the cluster as it scales)",
    ),
    max_length: int = Opt(
        None,
        "--max-length",
        help="Reject records longer than this many characters (default: the "
        "pipeline's nlp.max_length)",
    ),
    max_reject_rate: opt.MaxRejectRate = None,
    recycle_after: int = Opt(
        None,
        "--recycle-after",
        help="Local backend: replace a worker process after N shards (bounds memory "
        "on corpora with endless new words)",
    ),
    start_method: opt.StartMethod = None,
    fingerprint: str = opt.choice(
        PROCESS["fingerprint"],
        "--fingerprint",
        choices=("stat", "content"),
        help="How --resume tells that an input changed: stat (size and modification "
        "time, ETag on object storage; a touched file counts as changed) or content "
        "(also the SHA-256 of every file, read in full at start; a touched or copied "
        "file with the same bytes resumes)",
    ),
) -> None:
    """Run a pipeline over a corpus into sharded output with a manifest.

    Bad records go to OUTPUT/rejects-NNNNN.jsonl; --resume continues after a crash
    with no doc missing and none duplicated. Exits 1 when nothing was written or
    --max-reject-rate is exceeded, and while another run holds OUTPUT/.lock.
    """
    options = opt.reader_options(
        reader_option, text_field=text_field, label_field=label_field
    )

    def failed(err):
        print_run_summary(err.summary)

    with run_errors(output, failed), progress_callbacks("Processing") as progress:
        summary = process(
            model,
            inputs,
            output,
            input_format=input_format,
            reader_options=options,
            output_format=output_format,
            attrs=attrs.split(","),
            batch_size=batch_size,
            shard_size=shard_size,
            n_process=n_process,
            backend=backend,
            scheduler=scheduler,
            gpu=gpu,
            resume=resume,
            overwrite=overwrite,
            strict=strict,
            code=code,
            retries=retries,
            max_length=max_length,
            max_reject_rate=max_reject_rate,
            fingerprint=fingerprint,
            count_first=count,
            backend_options=backend_options(
                recycle_after=recycle_after,
                max_in_flight=max_in_flight,
                start_method=start_method,
            ),
            **progress,
        )
    print_run_summary(summary)


def backend_options(**options) -> dict:
    """The backend settings given on the command line (None: the backend's own)."""
    return {key: value for key, value in options.items() if value is not None}


def print_run_summary(summary) -> None:
    values = summary.to_dict()
    print_summary(
        {
            "read": values["read"],
            "written": values["written"],
            "rejected": values["rejected"],
            "words": values["words"],
            "time (s)": f"{values['seconds']:.2f} (set-up {values['setup_seconds']:.2f})",
            "docs/s": values["docs_per_second"],
            "words/s": values["words_per_second"],
            "shards (skipped)": f"{values['shards']} ({values['shards_skipped']})",
            "backend": f"{values['backend']} x {values['workers']}",
            "output": values["output"],
            "rejects": values["rejects_file"] or "-",
        },
        title="nlpkit process",
    )


def print_summary(values: dict, title: str) -> None:
    table = Table(title=title, show_header=False)
    for key, value in values.items():
        table.add_row(str(key), str(value))
    console.print(table)
