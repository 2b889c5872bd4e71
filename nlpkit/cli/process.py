"""`nlpkit process`: annotate a corpus with a spaCy pipeline, resumably."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table

from ._util import (
    Arg,
    Opt,
    app,
    choice,
    console,
    fail,
    input_format_option,
    label_field_option,
    output_format_option,
    progress_bar,
    reader_option_option,
    reader_options,
    text_field_option,
)


def _output_formats():
    from ..batch.shards import EXTENSIONS

    return EXTENSIONS


def _backends():
    from ..batch.backends import BACKENDS

    return BACKENDS


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
    input_format: str = input_format_option(),
    text_field: str = text_field_option(),
    label_field: str = label_field_option(),
    reader_option: list[str] = reader_option_option(),
    output_format: str = output_format_option("jsonl", _output_formats),
    attrs: str = Opt(
        "text,tokens,ents,cats",
        "--attrs",
        help="Comma-separated: text, tokens, lemmas, pos, tags, ents (entities), "
        "cats, sents, vector (vectors), or Doc extensions as _.name",
    ),
    batch_size: int = Opt(256, "--batch-size", "-b", help="Docs per nlp.pipe batch"),
    shard_size: int = Opt(
        1000, "--shard-size", help="Records per shard (unit of resume and of work)"
    ),
    n_process: int = Opt(
        1, "--n-process", "-n", help="Worker processes (local) or workers (dask)"
    ),
    backend: str = choice(
        "local",
        "--backend",
        choices=_backends,
        help="Run on local processes or a Dask cluster",
    ),
    scheduler: str = Opt(
        None, "--scheduler", help="Dask scheduler address (default: LocalCluster)"
    ),
    gpu: int = Opt(-1, "--gpu", "-g", help="GPU id, -1 for CPU"),
    resume: bool = Opt(False, "--resume", help="Continue the run in --output"),
    overwrite: bool = Opt(False, "--overwrite", help="Replace a run in --output"),
    strict: bool = Opt(False, "--strict", help="Stop at the first bad record"),
    code: list[Path] = Opt(
        [], "--code", "-c", help="Python file registering components (repeatable)"
    ),
    count: bool = Opt(True, "--count/--no-count", help="Count records first (ETA)"),
    retries: int = Opt(
        2,
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
    max_reject_rate: float = Opt(
        None,
        "--max-reject-rate",
        help="Fail the run when more than this share of the records (0.0-1.0) is "
        "rejected",
    ),
    recycle_after: int = Opt(
        None,
        "--recycle-after",
        help="Local backend: replace a worker process after N shards (bounds memory "
        "on corpora with endless new words)",
    ),
) -> None:
    """Run a pipeline over a corpus into sharded output with a manifest.

    Bad records go to OUTPUT/rejects-NNNNN.jsonl; --resume continues after a crash
    with no doc missing and none duplicated. Exits 1 when nothing was written or
    --max-reject-rate is exceeded, and while another run holds OUTPUT/.lock.
    """
    from ..batch import RunFailed, process

    options = reader_options(
        reader_option, text_field=text_field, label_field=label_field
    )
    try:
        with progress_bar() as bar:
            task = bar.add_task("Processing", total=None)
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
                count_first=count,
                backend_options=backend_options(recycle_after, max_in_flight),
                on_total=lambda n: bar.update(task, total=n),
                on_progress=lambda n: bar.update(task, advance=n),
            )
    except RunFailed as err:
        print_run_summary(err.summary)
        fail(str(err))
    except (OSError, ValueError, RuntimeError) as err:
        fail(str(err))
    except KeyboardInterrupt:
        fail(
            f"Interrupted. Completed shards are kept in {output}/manifest.json; "
            "run again with --resume to continue.",
            code=130,
        )
    print_run_summary(summary)


def backend_options(recycle_after: int | None, max_in_flight: int | None) -> dict:
    options = {"recycle_after": recycle_after, "max_in_flight": max_in_flight}
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
