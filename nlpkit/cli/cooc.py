"""`nlpkit cooc build|show`: co-occurrence matrices from a corpus."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.table import Table

from ._util import Arg, Opt, app, console, fail

cooc_app = typer.Typer(
    help="Count and inspect co-occurrence matrices", no_args_is_help=True
)
app.add_typer(cooc_app, name="cooc")


@cooc_app.command("build")
def build_cli(
    corpus: list[str] = Arg(..., help="Corpus files, directories or globs"),
    output: Path = Opt(..., "--output", "-o", help="Output directory"),
    window: int = Opt(
        5, "--window", "-w", help="Words on each side; 0 = the whole context"
    ),
    context: str = Opt("sentence", "--context", help="sentence|line|document"),
    direction: str = Opt("symmetric", "--direction", help="symmetric|left|right"),
    weighting: str = Opt("none", "--weighting", help="none|harmonic (1/distance)"),
    min_count: int = Opt(1, "--min-count"),
    max_size: int = Opt(None, "--max-size"),
    input_format: str = Opt(None, "--input-format", "-f"),
    lowercase: bool = Opt(True, "--lowercase/--keep-case"),
) -> None:
    """Count word-by-word co-occurrences and save the sparse matrix."""
    from ..vectors.cooc import cooccurrence_by_document, count_cooccurrence
    from ..vectors.corpus import TokenCorpus

    tokens = TokenCorpus(
        corpus, format=input_format, context=context, lowercase=lowercase
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


@cooc_app.command("show")
def show_cli(
    matrix: Path = Arg(..., help="Directory written by `nlpkit cooc build`"),
    words: list[str] = Arg(..., help="Word(s) whose rows to show"),
    top: int = Opt(20, "--top", "-n"),
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
