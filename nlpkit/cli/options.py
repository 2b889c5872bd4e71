"""The CLI vocabulary: each option that several commands share is declared once
here, as an Annotated type (`input_format: opt.InputFormat = None`), so one
spelling, help text and check is one piece of code. Defaults stay with the
parameter and come from the library; the help shows the library's own."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import Errors
from ..io.options import READER_DEFAULTS
from ._util import Choices, fail, input_formats


def option(*names: str, help: str, default=..., choices=None, sep=None, **kwargs):
    """typer.Option (no default in an Annotated type); with `choices`, a value
    outside them fails before the command runs (see Choices)."""
    if choices is not None:
        kwargs["callback"] = Choices(choices, sep=sep).check
    return typer.Option(default, *names, help=help, **kwargs)


def library(module: str, name: str):
    """A function returning nlpkit.<module>.<name>, for choices that are read only
    when an option is checked or --help shown, so that the CLI starts fast."""

    def get():
        from importlib import import_module

        return getattr(import_module(f"nlpkit.{module}"), name)

    return get


def defaults_of(func) -> dict[str, Any]:
    """The keyword defaults of a library function, for options that restate none."""
    import inspect

    params = inspect.signature(func).parameters.values()
    return {p.name: p.default for p in params if p.default is not p.empty}


def reader_default(name: str):
    """The default of reader option `name` (nlpkit.io.ReaderOptions)."""
    return getattr(READER_DEFAULTS, name)


def _shown(name: str) -> str | bool:
    value = reader_default(name)
    return False if value is None else str(value)


def choice(default, *names: str, choices, help: str, sep=None, **kwargs):
    """An option whose value must be one of `choices` (see Choices)."""
    return option(
        *names, help=help, choices=choices, sep=sep, default=default, **kwargs
    )


def output_format(default, choices, help: str = "Output format"):
    """-F/--output-format: the format written (old spelling in process: --format)."""
    return choice(default, "--output-format", "-F", choices=choices, help=help)


def output(help: str, default=..., **kwargs):
    """-o/--output: where results go (a file or folder, as the help says)."""
    return typer.Option(default, "--output", "-o", help=help, **kwargs)


def top_k(default: int, help: str = "Number of results"):
    """-k/--top-k: how many results (old spellings: --k, --topn, --top, -n)."""
    return typer.Option(default, "--top-k", "-k", help=help)


def reader_options(pairs: Sequence[str] = (), **named) -> dict[str, Any]:
    """The reader options of -O key=value pairs and of first-class options
    (--text-field ...); options left at None are not passed, so the reader's own
    defaults apply. A setting given both ways with two values fails (E063)."""
    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or not key:
            fail(Errors.E060.format(option="--reader-option", value=pair), code=2)
        try:
            options[key] = json.loads(value)
        except json.JSONDecodeError:
            options[key] = value
    for key, value in named.items():
        if value is None:
            continue
        if key in options and options[key] != value:
            name = "--" + key.replace("_", "-")
            fail(
                Errors.E063.format(option=name, first=value, second=options[key]),
                code=2,
            )
        options[key] = value
    return options


def reader_field(name: str, help: str):
    """The option --NAME for reader option `name` (a str), its default shown from
    ReaderOptions; None leaves the reader's default."""
    flag = "--" + name.replace("_", "-")
    return Annotated[str | None, option(flag, help=help, show_default=_shown(name))]


# corpus readers
InputFormat = Annotated[
    str | None,
    option(
        "--input-format",
        "-f",
        choices=input_formats,
        help="Input format (default: from each file's extension)",
    ),
]
TextField = reader_field(
    "text_field", "JSONL/Parquet field or CSV/TSV column holding the text"
)
LabelField = reader_field(
    "label_field", "JSONL field or CSV/TSV column holding the label(s)"
)
TokenPrefix = reader_field(
    "token_prefix", "IOB/CoNLL: strip this prefix from every token, e.g. en: (WikiANN)"
)
ReaderOption = Annotated[
    list[str],
    option(
        "--reader-option",
        "-O",
        help="Reader option as key=value, repeatable (e.g. -O id_field=doc_id; "
        "values are JSON when they parse as JSON)",
    ),
]

# word vectors and co-occurrence
Context = Annotated[
    str,
    option(
        "--context",
        choices=library("vectors.corpus", "CONTEXTS"),
        help="The unit a window stays inside",
    ),
]
Lowercase = Annotated[
    bool, option("--lowercase/--keep-case", help="Lowercase every token")
]

# resumable runs (process, llm run)
Resume = Annotated[bool, option("--resume", help="Continue the run in --output")]
Overwrite = Annotated[bool, option("--overwrite", help="Replace a run in --output")]
MaxRejectRate = Annotated[
    float | None,
    option(
        "--max-reject-rate",
        help="Fail when more than this share (0.0-1.0) of the records is rejected",
    ),
]

# batch processing (process)
StartMethod = Annotated[
    str | None,
    option(
        "--start-method",
        choices=library("batch.backends", "START_METHODS"),
        help="How worker processes start (local: the process pool; dask: the "
        "LocalCluster nlpkit starts; a cluster given by --scheduler starts its "
        "own). Default: fork on Linux, so workers share the loaded pipeline; "
        "spawn elsewhere and for a GPU pipeline",
    ),
]

# search and rerank
Index = Annotated[Path, option("--index", "-i", help="Index folder")]
SearchMode = Annotated[
    str | None,
    option(
        "--mode",
        "-m",
        choices=library("retrieval.api", "SEARCH_MODES"),
        help="Search mode (default: the index's own)",
    ),
]
Depth = Annotated[
    int, option("--depth", help="First-stage hits passed to the reranker")
]
RerankWeight = Annotated[
    float,
    option(
        "--rerank-weight",
        help="Cross-encoder share of the final score (1: its order alone; "
        "below 1: fused with the first stage's normalized scores)",
    ),
]
RerankBackend = Annotated[
    str, option("--rerank-backend", help="Reranker backend: torch or int8 (CPU)")
]
