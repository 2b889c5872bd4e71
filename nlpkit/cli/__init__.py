"""The `nlpkit` command: one typer app; each command module registers on it."""

# Each import registers its commands or sub-app on `app`.
from . import cooc, demo, process, vectors  # noqa: E402, F401
from ._util import app


def main() -> None:
    app()


__all__ = ["app", "main"]
