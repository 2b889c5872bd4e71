"""`nlpkit convert`: any corpus nlpkit reads -> .spacy (or .jsonl / .parquet)."""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import CorpusError, Errors, Warnings
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
    output_formats,
    output_option,
    progress_bar,
    reader_default,
    reader_option_option,
    reader_options,
    text_field_option,
    token_prefix_option,
    warn,
)
from .process import print_summary


def _schemes() -> tuple[str, ...]:
    from ..io.conll import SCHEMES

    return SCHEMES


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
    output: Path = output_option(
        "Output file: .spacy, .jsonl or .parquet (a folder with --shard-size)",
        default=None,
    ),
    input_format: str = input_format_option(),
    output_format: str = output_format_option(
        None,
        output_formats,
        help="Output format (default: from the extension of --output)",
    ),
    n_sents: int = Opt(
        None,
        "--n-sents",
        help="IOB/CoNLL: sentences per doc (0: whole -DOCSTART- documents)",
        show_default=str(reader_default("n_sents")),
    ),
    token_prefix: str = token_prefix_option(),
    scheme: str = choice(
        None,
        "--scheme",
        choices=_schemes,
        help="IOB/CoNLL tag scheme",
        show_default=str(reader_default("scheme")),
    ),
    text_field: str = text_field_option(),
    label_field: str = label_field_option(),
    reader_option: list[str] = reader_option_option(),
    lang: str = Opt("en", "--lang", help="Language of the tokenizer for raw text"),
    strict: bool = Opt(
        False, "--strict/--lenient", help="Stop at the first bad record"
    ),
    rejects: Path = Opt(None, "--rejects", help="Rejects file (lenient mode)"),
    shard_size: int = Opt(
        0, "--shard-size", help="Write OUTPUT as a directory of files of N docs"
    ),
    max_length: int = Opt(
        None, "--max-length", help="Reject records longer than N characters"
    ),
    max_reject_rate: float = Opt(
        None,
        "--max-reject-rate",
        help="Fail when more than this fraction (0..1) of the records is rejected",
    ),
) -> None:
    """Convert corpora to a spaCy DocBin; bad records go to the rejects file."""
    from ..io import expand_inputs
    from ..io.convert import convert

    options = reader_options(
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
        with progress_bar() as bar:
            task = bar.add_task(f"Converting to {output.name}", total=None)
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
                on_progress=lambda n: bar.update(task, advance=n),
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
