"""The registry of corpus formats, and read_corpus, which dispatches to them.

A format is a name, a reader `read(path, *, rejects, **options) -> Iterator[Record]`,
the file extensions it claims and, for formats nlpkit can also write, a writer
class. The built-in formats are entry points of the group `nlpkit_formats` (see
setup.cfg), so this module imports no reader: each reader module is imported the
first time its format is used. A plugin package adds a format the same way, with
an entry point naming its Format (or its reader function); code can also call
register_format.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any

from ..errors import CorpusError, Errors, Warnings
from .options import READER_DEFAULTS, ReaderOptions
from .records import Record, check_length
from .rejects import ReadStats, Rejects
from .sources import expand_inputs

logger = logging.getLogger("nlpkit")

ReaderFunc = Callable[..., Iterator[Record]]
ENTRY_POINT_GROUP = "nlpkit_formats"


@dataclass(frozen=True)
class Format:
    """A corpus format: its reader, the extensions it claims and its writer."""

    name: str
    read: ReaderFunc
    extensions: tuple[str, ...] = ()
    writer: type | None = None


def register_format(name: str, extensions: Iterable[str] = (), writer=None):
    """Register a reader `func(path, *, rejects, **options) -> Iterator[Record]`
    in code; it wins over an entry point of the same name."""

    def decorator(func: ReaderFunc) -> ReaderFunc:
        FORMATS.register(Format(name, func, tuple(extensions), writer))
        return func

    return decorator


def as_format(name: str, entry: Any) -> Format:
    """The Format of an entry point's object: it may also name a reader function
    (whose `extensions` attribute, if any, gives the extensions)."""
    if isinstance(entry, Format):
        return entry
    if not callable(entry):
        raise TypeError(Errors.E226.format(name=name, value=entry))
    return Format(name, entry, tuple(getattr(entry, "extensions", ())))


class FormatTable(Mapping):
    """Every format by name: registered in code, or an entry point of the group
    nlpkit_formats, whose module is imported the first time the format is used.
    Entry points are listed once per process, as catalogue does."""

    def __init__(self, group: str = ENTRY_POINT_GROUP):
        self.group = group
        self._registered: dict[str, Format] = {}
        self._loaded: dict[str, Format] = {}
        self._points: dict[str, EntryPoint] | None = None

    def register(self, fmt: Format) -> None:
        self._registered[fmt.name] = fmt

    def _entry_points(self) -> dict[str, EntryPoint]:
        if self._points is None:
            self._points = {ep.name: ep for ep in entry_points(group=self.group)}
        return self._points

    def __getitem__(self, name: str) -> Format:
        if name in self._registered:
            return self._registered[name]
        if name not in self._loaded:
            point = self._entry_points()[name]  # KeyError when unknown
            self._loaded[name] = as_format(name, point.load())
        return self._loaded[name]

    def __contains__(self, name: object) -> bool:
        return name in self._registered or name in self._entry_points()

    def __iter__(self) -> Iterator[str]:
        return iter(sorted({*self._registered, *self._entry_points()}))

    def __len__(self) -> int:
        return len({*self._registered, *self._entry_points()})

    def all(self) -> list[Format]:
        """Every format, loading all of them (to match a file's extension); those
        registered in code come first."""
        points = sorted(set(self._entry_points()) - set(self._registered))
        return [*self._registered.values(), *(self[name] for name in points)]


FORMATS = FormatTable()


def accepted_options(read: ReaderFunc, options: dict[str, Any]) -> dict[str, Any]:
    """The options a reader takes (all of them when it forwards **options)."""
    names, forwards = _parameters(read)
    return dict(options) if forwards else {k: options[k] for k in options if k in names}


@lru_cache(maxsize=256)
def _parameters(read: ReaderFunc) -> tuple[frozenset[str], bool]:
    params = inspect.signature(read).parameters.values()
    forwards = any(p.kind is p.VAR_KEYWORD for p in params)
    return frozenset(p.name for p in params), forwards


def detect_format(path: str | Path) -> str:
    """The format name for a file, from its extension (.gz is looked through)."""
    name = Path(path).name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    for fmt in FORMATS.all():
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
    reader_options: ReaderOptions | None = None,
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
    max_length (int | None): reject records of more characters (see check_length);
        default reader_options.max_length.
    reader_options (ReaderOptions | None): its options that differ from the
        defaults go to each reader that takes them (so one object serves JSONL,
        CSV and IOB files alike); options passed by name win.
    options: passed on to the format's reader (e.g. text_field for jsonl).
    """
    reader_options = reader_options or READER_DEFAULTS
    shared = reader_options.changed()
    if max_length is None:
        max_length = reader_options.max_length
    rejects = rejects or Rejects.raising()
    stats = stats if stats is not None else ReadStats()
    inputs = [inputs] if isinstance(inputs, (str, Path)) else list(inputs)
    paths = expand_inputs(inputs)
    named = {Path(item) for item in inputs if Path(item).is_file()}
    return _read_files(
        paths, named, format, rejects, stats, max_length, shared, options
    )


def _read_files(paths, named, format, rejects, stats, max_length, shared, options):
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
        read = FORMATS[name].read
        kwargs = {**accepted_options(read, shared), **options}
        reader = iter(read(path, rejects=rejects, **kwargs))
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
