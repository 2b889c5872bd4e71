"""`nlpkit cooc build|show`: co-occurrence matrices from a corpus."""

from __future__ import annotations

import time
from pathlib import Path

from rich.table import Table

from . import options as opt
from ._util import Arg, Opt, Typer, app, console, fail
from .vectors import token_corpus

cooc_app = Typer(help="Count and inspect co-occurrence matrices", no_args_is_help=True)
app.add_typer(cooc_app, name="cooc")


@cooc_app.command("build")
def build_cli(
    corpus: list[str] = Arg(..., help="Corpus files, directories or globs"),
    output: Path = opt.output("Output directory"),
    window: int = Opt(
        5, "--window", "-w", help="Words on each side; 0 = the whole context"
    ),
    context: opt.Context = "sentence",
    direction: str = opt.choice(
        "symmetric",
        "--direction",
        choices=("symmetric", "left", "right"),
        help="Which side of a word counts",
    ),
    weighting: str = opt.choice(
        "none",
        "--weighting",
        choices=("none", "harmonic"),
        help="harmonic: a pair counts 1/distance",
    ),
    min_count: int = Opt(1, "--min-count"),
    max_size: int = Opt(None, "--max-size"),
    input_format: opt.InputFormat = None,
    text_field: opt.TextField = None,
    reader_option: opt.ReaderOption = (),
    lowercase: opt.Lowercase = True,
) -> None:
    """Count word-by-word co-occurrences and save the sparse matrix."""
    from ..vectors.cooc import cooccurrence_by_document, count_cooccurrence

    tokens = token_corpus(
        corpus, input_format, text_field, reader_option, context, lowercase
    )
    start = time.perf_counter()
    try:
        if window == 0:
            cooc = cooccurrence_by_document(
                tokens, min_count=min_count, max_size=max_size
            )
        else:
            cooc = count_cooccurrence(
                tokens, window=window, direction=direction, weighting=weighting,
                min_count=min_count, max_size=max_size,
            )  # fmt: skip
    except ValueError as err:
        fail(str(err))
    cooc.to_disk(output)
    console.print(
        f"[green]✔[/] {cooc.shape[0]:,} words, {cooc.nnz:,} non-zero pairs in "
        f"{time.perf_counter() - start:.1f}s -> {output}"
    )


@cooc_app.command("show", aliases={"--top": "--top-k", "-n": "--top-k"})
def show_cli(
    matrix: Path = Arg(..., help="Directory written by `nlpkit cooc build`"),
    words: list[str] = Arg(..., help="Word(s) whose rows to show"),
    top: int = opt.top_k(20, help="Co-occurring words shown per word"),
) -> None:
    """Show the most frequent co-occurring words of a word's row."""
    from ..vectors.cooc import CoocMatrix

    try:
        cooc = CoocMatrix.from_disk(matrix)
    except FileNotFoundError as err:
        fail(str(err))
    for word in words:
        try:
            row = cooc.row(word, top=top)
        except KeyError as err:
            fail(err.args[0])
        table = Table(title=f"co-occurrences of '{word}'")
        table.add_column("word")
        table.add_column("count", justify="right")
        for other, value in row.items():
            table.add_row(other, f"{value:g}")
        console.print(table)
