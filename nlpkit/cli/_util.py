"""The one typer app, shared option helpers and console output for the CLI."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

Arg = typer.Argument
Opt = typer.Option

HELP = """nlpkit: custom spaCy components for classic NLP that work with modern models.

Corpus conversion and batch processing, word vectors and co-occurrence,
training and evaluation, retrieval and reranking, and LLM hand-off."""

app = typer.Typer(name="nlpkit", help=HELP, no_args_is_help=True, add_completion=False)
console = Console(stderr=True)


def _print_version(value: bool) -> None:
    if value:
        from ..about import __version__

        typer.echo(f"nlpkit {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    verbose: bool = Opt(False, "--verbose", "-v", help="Show debug logging"),
    quiet: bool = Opt(False, "--quiet", "-q", help="Only show errors"),
    version: bool = Opt(
        False,
        "--version",
        help="Show the nlpkit version and exit",
        callback=_print_version,
        is_eager=True,
    ),
) -> None:
    level = logging.DEBUG if verbose else logging.ERROR if quiet else logging.INFO
    setup_logging(level)


def setup_logging(level: int = logging.INFO) -> None:
    logger = logging.getLogger("nlpkit")
    logger.setLevel(level)
    if not any(isinstance(h, RichHandler) for h in logger.handlers):
        logger.addHandler(
            RichHandler(console=console, show_path=False, show_time=False)
        )


class RateColumn(ProgressColumn):
    """Items per second, e.g. '1,234 docs/s'."""

    def __init__(self, unit: str = "docs"):
        super().__init__()
        self.unit = unit

    def render(self, task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.0f} {self.unit}/s")


def progress_bar(transient: bool = False) -> Progress:
    """A rich progress bar with rate and ETA, for anything that reads a corpus."""
    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=transient,
    )


def parse_overrides(args: list[str]) -> dict[str, Any]:
    """Config overrides given as extra arguments (`--paths.train x`), as spacy train does."""
    from spacy.cli._util import parse_config_overrides

    return parse_config_overrides(args)


def fail(message: str, code: int = 1) -> None:
    console.print(f"[bold red]✘[/] {message}")
    raise typer.Exit(code)


@contextmanager
def clear_errors():
    """Show library errors (numbered messages) as one red line, not a traceback."""
    try:
        yield
    except (ValueError, OSError, KeyError) as err:
        fail(str(err).strip("'\""))


def existing_path(path: Path, what: str = "Path") -> Path:
    if not path.exists():
        fail(f"{what} not found: {path}")
    return path
