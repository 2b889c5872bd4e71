"""The table of corpus formats, and read_corpus, which dispatches to them."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import CorpusError, Errors, Warnings
from .records import Record, check_length
from .rejects import ReadStats, Rejects
from .sources import expand_inputs

logger = logging.getLogger("nlpkit")

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
    stats: ReadStats | None = None,
    max_length: int | None = None,
    **options,
) -> Iterator[Record]:
    """Stream records from files, directories or globs, in a stable order.

    Inputs are checked when this is called: a missing file or a glob that matches
    nothing raises CorpusError (E001, E006) before anything is read.

    format (str | None): a name from FORMATS; inferred per file when None. A file
        found in a directory or glob whose format is unknown is skipped with a
        warning in lenient mode (counted in stats.skipped_files); a file named
        explicitly, or any file in strict mode, raises E004.
    rejects (Rejects | None): None raises on the first bad record (strict).
    stats (ReadStats | None): updated as records are read, for reconciliation.
    max_length (int | None): reject records of more characters (see check_length).
    options: passed on to the format's reader (e.g. text_field for jsonl).
    """
    _load_builtin_formats()
    rejects = rejects or Rejects.raising()
    stats = stats if stats is not None else ReadStats()
    inputs = [inputs] if isinstance(inputs, (str, Path)) else list(inputs)
    paths = expand_inputs(inputs)
    named = {Path(item) for item in inputs if Path(item).is_file()}
    return _read_files(paths, named, format, rejects, stats, max_length, options)


def _read_files(paths, named, format, rejects, stats, max_length, options):
    for path in paths:
        try:
            name = format or detect_format(path)
        except CorpusError:
            if rejects.strict or path in named:
                raise
            stats.skipped_files += 1
            reason = f"unknown file extension {''.join(path.suffixes) or '(none)'!r}"
            logger.warning(Warnings.W003.format(path=path, reason=reason))
            continue
        if name not in FORMATS:
            raise CorpusError(
                Errors.E003.format(
                    fmt=name, path=path, known=", ".join(sorted(FORMATS))
                ),
                source=str(path),
            )
        reader = iter(FORMATS[name].read(path, rejects=rejects, **options))
        n_records = n_rejected = 0
        while True:
            # Only rejects added while the reader runs are the reader's: the consumer
            # may add its own between two records.
            before = rejects.count
            try:
                record = next(reader)
            except StopIteration:
                break
            finally:
                n_rejected += rejects.count - before
                stats.rejected += rejects.count - before
            reason = check_length(record, max_length)
            if reason is not None:
                rejects.add(record.source, record.line, reason)
                n_rejected += 1
                stats.rejected += 1
                continue
            n_records += 1
            stats.records += 1
            yield record
        if n_records == 0 and n_rejected == 0:
            stats.empty_files += 1
            logger.warning(Warnings.W004.format(path=path))


def _load_builtin_formats() -> None:
    # Importing the reader modules registers them; done lazily to keep import cheap.
    from . import archive, conll, csv, docbin, jsonl, parquet, text, textcat  # noqa: F401
