"""`nlpkit cooc build|show`: co-occurrence matrices from a corpus."""

from __future__ import annotations

import time
from pathlib import Path

from rich.table import Table

from ._util import (
    Arg,
    Opt,
    Typer,
    app,
    choice,
    console,
    fail,
    input_format_option,
    output_option,
    reader_option_option,
    reader_options,
    text_field_option,
    top_k_option,
)

cooc_app = Typer(help="Count and inspect co-occurrence matrices", no_args_is_help=True)
app.add_typer(cooc_app, name="cooc")


def _contexts():
    from ..vectors.corpus import CONTEXTS

    return CONTEXTS


@cooc_app.command("build")
def build_cli(
    corpus: list[str] = Arg(..., help="Corpus files, directories or globs"),
    output: Path = output_option("Output directory"),
    window: int = Opt(
        5, "--window", "-w", help="Words on each side; 0 = the whole context"
    ),
    context: str = choice(
        "sentence",
        "--context",
        choices=_contexts,
        help="The unit a window stays inside",
    ),
    direction: str = choice(
        "symmetric",
        "--direction",
        choices=("symmetric", "left", "right"),
        help="Which side of a word counts",
    ),
    weighting: str = choice(
        "none",
        "--weighting",
        choices=("none", "harmonic"),
        help="harmonic: a pair counts 1/distance",
    ),
    min_count: int = Opt(1, "--min-count"),
    max_size: int = Opt(None, "--max-size"),
    input_format: str = input_format_option(),
    text_field: str = text_field_option(),
    reader_option: list[str] = reader_option_option(),
    lowercase: bool = Opt(True, "--lowercase/--keep-case"),
) -> None:
    """Count word-by-word co-occurrences and save the sparse matrix."""
    from ..vectors.cooc import cooccurrence_by_document, count_cooccurrence
    from ..vectors.corpus import TokenCorpus

    tokens = TokenCorpus(
        corpus,
        format=input_format,
        context=context,
        lowercase=lowercase,
        **reader_options(reader_option, text_field=text_field),
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
    top: int = top_k_option(20, help="Co-occurring words shown per word"),
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
