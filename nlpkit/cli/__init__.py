"""The `nlpkit` command: one typer app; each command module registers on it."""

# Each import registers its commands or sub-app on `app`.
from . import convert  # noqa: E402, F401
from . import cooc  # noqa: E402, F401
from . import demo  # noqa: E402, F401
from . import evaluate  # noqa: E402, F401
from . import llm  # noqa: E402, F401
from . import models  # noqa: E402, F401
from . import process  # noqa: E402, F401
from . import retrieval as _retrieval  # noqa: E402, F401
from . import vectors  # noqa: E402, F401
from ._util import app


def main() -> None:
    app()


__all__ = ["app", "main"]
