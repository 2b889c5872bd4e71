"""`nlpkit convert`: any corpus nlpkit reads -> .spacy (or .jsonl / .parquet)."""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import CorpusError, Errors, Warnings
from ..io.convert import convert
from . import options as opt
from ._util import (
    Arg,
    Opt,
    app,
    console,
    fail,
    output_formats,
    progress_callbacks,
    warn,
)
from .process import print_summary

# Defaults come from the library, never restated here.
CONVERT = opt.defaults_of(convert)


@app.command(
    "convert",
    aliases={
        "--format": "--input-format",
        "--option": "--reader-option",
        "-n": "--n-sents",
    },
)
def convert_cli(
    inputs: list[str] = Arg(..., help="Input files, directories or globs"),
    output: Path = opt.output(
        "Output file: .spacy, .jsonl or .parquet (a folder with --shard-size)",
        default=None,
    ),
    input_format: opt.InputFormat = None,
    output_format: str = opt.output_format(
        None,
        output_formats,
        help="Output format (default: from the extension of --output)",
    ),
    n_sents: int = Opt(
        None,
        "--n-sents",
        help="IOB/CoNLL: sentences per doc (0: whole -DOCSTART- documents)",
        show_default=str(opt.reader_default("n_sents")),
    ),
    token_prefix: opt.TokenPrefix = None,
    scheme: str = opt.choice(
        None,
        "--scheme",
        choices=opt.library("io.conll", "SCHEMES"),
        help="IOB/CoNLL tag scheme",
        show_default=str(opt.reader_default("scheme")),
    ),
    text_field: opt.TextField = None,
    label_field: opt.LabelField = None,
    reader_option: opt.ReaderOption = (),
    lang: str = Opt(
        CONVERT["lang"], "--lang", help="Language of the tokenizer for raw text"
    ),
    strict: bool = Opt(
        CONVERT["strict"], "--strict/--lenient", help="Stop at the first bad record"
    ),
    rejects: Path = Opt(None, "--rejects", help="Rejects file (lenient mode)"),
    shard_size: int = Opt(
        CONVERT["shard_size"],
        "--shard-size",
        help="Write OUTPUT as a directory of files of N docs",
    ),
    max_length: int = Opt(
        None, "--max-length", help="Reject records longer than N characters"
    ),
    max_reject_rate: opt.MaxRejectRate = None,
) -> None:
    """Convert corpora to a spaCy DocBin; bad records go to the rejects file."""
    from ..io import expand_inputs

    options = opt.reader_options(
        reader_option,
        token_prefix=token_prefix,
        scheme=scheme,
        text_field=text_field,
        label_field=label_field,
    )
    if output is None:
        # the old form: the last positional argument is the output
        if len(inputs) < 2:
            fail(Errors.E064, code=2)
        *inputs, last = inputs
        output = Path(last)
        warn(
            Warnings.W060.format(
                command="nlpkit convert",
                old="OUTPUT as the last argument",
                new="--output OUTPUT",
            )
        )
    try:
        # a missing input is one error line, before any progress bar is drawn
        expand_inputs(inputs)
        with progress_callbacks(
            f"Converting to {output.name}", total=False
        ) as progress:
            summary = convert(
                inputs,
                output,
                format=input_format,
                output_format=output_format,
                n_sents=n_sents,
                strict=strict,
                rejects_path=rejects,
                lang=lang,
                shard_size=shard_size,
                max_length=max_length,
                max_reject_rate=max_reject_rate,
                **progress,
                **options,
            )
    except (CorpusError, TypeError, ValueError, OSError, EOFError) as err:
        # soft_wrap and no markup: file paths must come out whole and verbatim
        console.print("[bold red]✘[/]", end=" ")
        console.print(str(err), markup=False, soft_wrap=True)
        raise typer.Exit(1) from None
    print_summary(summary.to_dict(), title="nlpkit convert")
    if summary.rejected:
        console.print(
            f"[yellow]⚠[/] {summary.rejected} record(s) rejected: "
            f"see {summary.rejects_path}"
        )
