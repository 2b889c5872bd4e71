"""The `nlpkit` command: one typer app; each command module registers on it.

`nlpkit vectors train ...` imports only the module of `vectors`: start-up is part
of every command's time, and the other modules cost about 0.2 s to import. `nlpkit
--help`, an unknown command, and `nlpkit.cli.app` from Python load them all."""

from __future__ import annotations

import importlib
import sys

# in this order the commands appear in --help as they always have
MODULES = (
    "convert", "cooc", "demo", "evaluate", "llm", "models", "process", "retrieval",
    "vectors",
)  # fmt: skip
# top-level command -> the module that registers it (tests keep it complete)
COMMANDS = {
    "process": "process", "convert": "convert", "demo": "demo",
    "evaluate": "evaluate", "search": "retrieval", "index": "retrieval",
    "rerank": "retrieval", "vectors": "vectors", "cooc": "cooc", "llm": "llm",
    "models": "models",
}  # fmt: skip


def load(modules=MODULES):
    """Import the command modules; RETURNS the app they registered on."""
    for name in modules:
        importlib.import_module(f"{__name__}.{name}")
    from ._util import app

    return app


def command_of(args: list[str]) -> str | None:
    """The top-level command named in args (global options are flags, so it is the
    first word that is not an option); None when there is none."""
    for arg in args:
        if arg == "--":
            return None
        if not arg.startswith("-"):
            return arg
    return None


def main() -> None:
    module = COMMANDS.get(command_of(sys.argv[1:]))
    app = load((module,) if module else MODULES)
    app()


def __getattr__(name: str):
    if name == "app":
        return load()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["app", "main"]
