"""The one typer app, option checks (aliases, choices) and console output for the
CLI; the shared options themselves are declared in options.py."""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
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
from typer.core import TyperCommand, TyperGroup

from ..errors import Errors, Warnings

Arg = typer.Argument
Opt = typer.Option

HELP = """nlpkit: custom spaCy components for classic NLP that work with modern models.

Corpus conversion and batch processing, word vectors and co-occurrence,
training and evaluation, retrieval and reranking, and LLM hand-off."""

console = Console(stderr=True)


def _hide_flag_types(params: Iterable[Any]) -> None:
    # typer shows '<bool>' for flags, which take no value
    for param in params:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""


class Command(TyperCommand):
    """A command with hidden old option spellings (`aliases`: old -> new) that still
    work and warn (W060), and choice lists shown in --help only when it is asked."""

    aliases: dict[str, str | tuple[str, ...]] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _hide_flag_types(self.params)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        args = rename_options(args, self.aliases, ctx.command_path)
        return super().parse_args(ctx, args)

    def format_help(self, ctx: Any, formatter) -> None:
        for param in self.params:
            choices = _choices_of(param.callback)
            if choices is not None and param.metavar is None:
                param.metavar = "[" + "|".join(choices.known()) + "]"
        return super().format_help(ctx, formatter)

    def get_help_option(self, ctx: Any):
        option = super().get_help_option(ctx)
        if option is not None:
            _hide_flag_types([option])
        return option


class Group(TyperGroup):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _hide_flag_types(self.params)

    def get_help_option(self, ctx: Any):
        option = super().get_help_option(ctx)
        if option is not None:
            _hide_flag_types([option])
        return option


class Typer(typer.Typer):
    """typer.Typer whose commands are `Command`s: `@app.command(name, aliases={...})`
    keeps old option spellings as hidden, deprecated aliases."""

    def __init__(self, **kwargs):
        kwargs.setdefault("cls", Group)
        super().__init__(**kwargs)

    def command(self, name: str | None = None, *, aliases=None, cls=None, **kwargs):
        cls = cls or Command
        if aliases:
            cls = type(cls.__name__, (cls,), {"aliases": dict(aliases)})
        return super().command(name, cls=cls, **kwargs)


app = Typer(name="nlpkit", help=HELP, no_args_is_help=True, add_completion=False)


def rename_options(
    args: Sequence[str], aliases: dict[str, str | tuple[str, ...]], command: str
) -> list[str]:
    """Replace old option spellings in args by the new ones, warning once for each
    (W060). `--old=value` and, as click reads short options, `-n5` work too;
    nothing after `--` is touched."""
    out: list[str] = []
    warned: set[str] = set()
    for i, arg in enumerate(args):
        if arg == "--":
            out.extend(args[i:])
            break
        name, eq, value = _split_value(arg, aliases)
        new = aliases.get(name)
        if new is None:
            out.append(arg)
            continue
        new = (new,) if isinstance(new, str) else tuple(new)
        if name not in warned:
            warned.add(name)
            warn(Warnings.W060.format(command=command, old=name, new=" ".join(new)))
        out.extend(new)
        if eq:
            out.append(value)
    return out


def _split_value(arg: str, aliases) -> tuple[str, str, str]:
    """(name, "=", value) of `--name=value` or of a short alias with its value
    attached (`-n5`, when -n stands for one option); else (arg, "", "")."""
    if arg.startswith("--"):
        return arg.partition("=")
    short = arg[:2]
    if len(arg) > 2 and arg[0] == "-" and isinstance(aliases.get(short), str):
        return short, "=", arg[2:]
    return arg, "", ""


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
        # rich's own speed samples a short window; docs that finish a batch at a
        # time then read as thousands per second, so use the whole run's average.
        elapsed = task.finished_time if task.finished else task.elapsed
        if not elapsed or not task.completed:
            return Text("")
        return Text(f"{task.completed / elapsed:,.1f} {self.unit}/s")


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


@contextmanager
def progress_callbacks(description: str, *, total: bool = True):
    """A progress bar for a library run: yields its on_progress callback (and
    on_total, for runs that count their records first) as keyword arguments."""
    with progress_bar() as bar:
        task = bar.add_task(description, total=None)
        callbacks = {"on_progress": lambda n: bar.update(task, advance=n)}
        if total:
            callbacks["on_total"] = lambda n: bar.update(task, total=n)
        yield callbacks


def parse_overrides(args: list[str]) -> dict[str, Any]:
    """Config overrides given as extra arguments (`--paths.train x`), as spacy train does."""
    from spacy.cli._util import parse_config_overrides

    return parse_config_overrides(args)


def fail(message: str, code: int = 1) -> None:
    # no markup in the message: paths and '[E061]' codes must come out verbatim
    console.print(f"[bold red]✘[/] {escape(message)}", soft_wrap=True)
    raise typer.Exit(code)


def warn(message: str) -> None:
    console.print(f"[yellow]⚠[/] {escape(message)}", soft_wrap=True)


@contextmanager
def clear_errors():
    """Show library errors (numbered messages) as one red line, not a traceback."""
    try:
        yield
    except (ValueError, OSError, KeyError) as err:
        fail(str(err).strip("'\""))


@contextmanager
def run_errors(output, on_failed: Callable[[Exception], None] | None = None):
    """A resumable run's errors as one red line: a failed run (RunFailed,
    LLMRunFailed) first passes its error to on_failed (to print its summary);
    Ctrl-C says how to resume."""
    try:
        yield
    except (OSError, ValueError, RuntimeError) as err:
        if on_failed is not None and hasattr(err, "summary"):
            on_failed(err)
        fail(str(err))
    except KeyboardInterrupt:
        fail(
            f"Interrupted. Completed shards are kept in {output}/manifest.json; "
            "run again with --resume to continue.",
            code=130,
        )


def existing_path(path: Path, what: str = "Path") -> Path:
    if not path.exists():
        fail(f"{what} not found: {path}")
    return path


# Choices: a mistyped value fails with one line and a close match (E061).


class Choices:
    """An option callback that refuses a value outside `choices` with one line, a
    close match and exit code 2, before the command runs (and loads anything).

    choices: the allowed values, or a function returning them (called only when a
        value is checked or --help shown, so that the CLI starts fast).
    sep: the option takes a list joined by sep (e.g. "pca,tsne").
    """

    def __init__(
        self, choices: Iterable[str] | Callable[[], Iterable[str]], *, sep=None
    ):
        self._choices = choices
        self.sep = sep

    def known(self) -> list[str]:
        choices = self._choices() if callable(self._choices) else self._choices
        return list(choices)

    def check(self, ctx: Any, param: Any, value):
        if value is None or ctx.resilient_parsing:
            return value
        values = value if isinstance(value, list | tuple) else [value]
        known = self.known()
        for item in values:
            for part in item.split(self.sep) if self.sep else [item]:
                if part.strip() not in known:
                    option = max(param.opts, key=len)
                    fail(unknown_choice(option, part, known), code=2)
        return value


def _choices_of(callback) -> Choices | None:
    # typer wraps an option's callback; the Choices is in the wrapper's closure
    for cell in getattr(callback, "__closure__", None) or ():
        owner = getattr(cell.cell_contents, "__self__", None)
        if isinstance(owner, Choices):
            return owner
    return None


def unknown_choice(option: str, value: str, known: Sequence[str]) -> str:
    """E061: the message for a value that is not one of `known`, with a close match."""
    lowered = {k.lower(): k for k in known}
    close = [lowered[value.lower()]] if value.lower() in lowered else []
    close = close or difflib.get_close_matches(value, list(known), n=1, cutoff=0.6)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return Errors.E061.format(
        option=option, value=value, hint=hint, known=", ".join(known)
    )


def input_formats() -> list[str]:
    from ..io.formats import FORMATS

    return sorted(FORMATS)


def output_formats() -> list[str]:
    from ..io.writers import WRITERS

    return sorted(WRITERS)
