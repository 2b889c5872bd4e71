"""The table of corpus formats, and read_corpus, which dispatches to them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import CorpusError, Errors
from .records import Record
from .rejects import Rejects
from .sources import expand_inputs

ReaderFunc = Callable[..., Iterator[Record]]


@dataclass(frozen=True)
class Format:
    name: str
    read: ReaderFunc
    extensions: tuple[str, ...]


FORMATS: dict[str, Format] = {}


def register_format(name: str, extensions: Iterable[str] = ()):
    """Register a reader `func(path, *, rejects, **options) -> Iterator[Record]`."""

    def decorator(func: ReaderFunc) -> ReaderFunc:
        FORMATS[name] = Format(name, func, tuple(extensions))
        return func

    return decorator


def detect_format(path: str | Path) -> str:
    """The format name for a file, from its extension (.gz is looked through)."""
    _load_builtin_formats()
    name = Path(path).name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    for fmt in FORMATS.values():
        if any(name.endswith(ext) for ext in fmt.extensions):
            return fmt.name
    raise CorpusError(
        Errors.E004.format(path=path, known=", ".join(sorted(FORMATS))),
        source=str(path),
    )


def read_corpus(
    inputs: str | Path | Iterable[str | Path],
    *,
    format: str | None = None,
    rejects: Rejects | None = None,
    **options,
) -> Iterator[Record]:
    """Stream records from files, directories or globs, in a stable order.

    format (str | None): a name from FORMATS; inferred per file when None.
    rejects (Rejects | None): None raises on the first bad record (strict).
    options: passed on to the format's reader (e.g. text_field for jsonl).
    """
    _load_builtin_formats()
    rejects = rejects or Rejects.raising()
    for path in expand_inputs(inputs, rejects=rejects):
        name = format or detect_format(path)
        if name not in FORMATS:
            raise CorpusError(
                Errors.E003.format(
                    fmt=name, path=path, known=", ".join(sorted(FORMATS))
                ),
                source=str(path),
            )
        before = rejects.count
        n = 0
        for record in FORMATS[name].read(path, rejects=rejects, **options):
            n += 1
            yield record
        if n == 0 and rejects.count == before:
            rejects.add(path, None, Errors.E005.format(path=path))


def _load_builtin_formats() -> None:
    # Importing the reader modules registers them; done lazily to keep import cheap.
    from . import archive, conll, csv, docbin, jsonl, parquet, text, textcat  # noqa: F401
