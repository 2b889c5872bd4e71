"""`nlpkit convert`: any corpus nlpkit reads -> .spacy (or .jsonl / .parquet)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from ..errors import CorpusError
from ._util import Arg, Opt, app, console, fail, progress_bar
from .process import print_summary


@app.command("convert")
def convert_cli(
    inputs: list[str] = Arg(..., help="Input files, directories or globs"),
    output: Path = Arg(..., help="Output file: .spacy, .jsonl or .parquet"),
    input_format: str = Opt(
        None, "--format", "-f", help="Input format (inferred from the extension)"
    ),
    n_sents: int = Opt(None, "--n-sents", "-n", help="Sentences per doc (IOB/CoNLL)"),
    token_prefix: str = Opt(
        None, "--token-prefix", help="Strip this prefix from every token, e.g. en:"
    ),
    scheme: str = Opt(None, "--scheme", help="IOB tag scheme: iob1, iob2, bilou"),
    text_field: str = Opt(None, "--text-field", help="JSONL field / CSV column"),
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
    option: list[str] = Opt(
        [], "--option", "-O", help="Other reader option as key=value (repeatable)"
    ),
) -> None:
    """Convert corpora to a spaCy DocBin; bad records go to the rejects file."""
    from ..io import expand_inputs
    from ..io.convert import convert

    options = _options(option)
    for key, value in (
        ("token_prefix", token_prefix),
        ("scheme", scheme),
        ("text_field", text_field),
    ):
        if value is not None:
            options[key] = value
    try:
        # a missing input is one error line, before any progress bar is drawn
        expand_inputs(inputs)
        with progress_bar() as bar:
            task = bar.add_task(f"Converting to {output.name}", total=None)
            summary = convert(
                inputs,
                output,
                format=input_format,
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


def _options(pairs: list[str]) -> dict:
    options = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            fail(f"--option takes key=value, not {pair!r}")
        try:
            options[key.replace("-", "_")] = json.loads(value)
        except json.JSONDecodeError:
            options[key.replace("-", "_")] = value
    return options
