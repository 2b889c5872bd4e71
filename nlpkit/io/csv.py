"""CSV and TSV corpora: one record per row, text/label/id columns by name or index."""

from __future__ import annotations

import csv
import functools
from collections import deque
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..errors import CorpusError, Errors
from .formats import Format
from .options import READER_DEFAULTS
from .records import Record
from .rejects import Rejects
from .sources import iter_lines

Column = str | int
MAX_FIELD_LINES = READER_DEFAULTS.max_field_lines


def read_csv(
    path: str | Path,
    *,
    text_column: Column = READER_DEFAULTS.text_field,
    label_column: Column | None = READER_DEFAULTS.label_field,
    id_column: Column | None = None,
    meta_columns: Sequence[Column] | None = None,
    delimiter: str | None = None,
    header: bool = True,
    label_separator: str | None = None,
    text_field: Column | None = None,
    label_field: Column | None = None,
    id_field: Column | None = None,
    max_field_lines: int | None = READER_DEFAULTS.max_field_lines,
    rejects: Rejects | None = None,
) -> Iterator[Record]:
    """Read a delimited file, one record per row (quoted fields may span lines).

    text_column / label_column / id_column: a header name or a 0-based index;
        label_column None reads unlabelled text.
    meta_columns: columns kept in Record.meta (None keeps no others).
    delimiter: default a tab for .tsv/.tab files, else a comma.
    header: whether the first row names the columns.
    label_separator: split the label field into several labels (multi-label),
        e.g. "|" for "sports|politics"; an empty field then means no label.
    text_field / label_field / id_field: the same as the *_column arguments, under
        the names the JSONL reader uses (so one option works for both).
    max_field_lines: a row whose quoted field spans more lines than this is
        rejected (an unclosed quote, most likely) and the lines after its first are
        read again as rows; None or 0 means no bound. A quoted field still open at
        the end of the file is always rejected the same way.
    RETURNS (Iterator[Record]): text records with cats {label: 1.0}.
    """
    text_column = text_field if text_field is not None else text_column
    label_column = label_field if label_field is not None else label_column
    id_column = id_field if id_field is not None else id_column
    rejects = rejects or Rejects.raising()
    source = str(path)
    name = Path(path).name
    if delimiter is None:
        suffixes = [s.lower() for s in Path(path).suffixes]
        delimiter = "\t" if ".tsv" in suffixes or ".tab" in suffixes else ","
    feed = _LineFeed(iter_lines(path, rejects=rejects), max_field_lines)
    reader = csv.reader(feed, delimiter=delimiter)
    names: list[str] | None = None
    wanted = [text_column, label_column, id_column, *(meta_columns or [])]
    index: dict = {}
    while True:
        feed.start_row()
        try:
            row = next(reader)
        except StopIteration:
            break
        except (csv.Error, _RowTooLong) as err:
            reason = (
                _too_long_reason(feed.row[0][0], max_field_lines)
                if isinstance(err, _RowTooLong)
                else f"malformed CSV row: {err}"
            )
            lineno, raw = feed.row[0] if feed.row else (None, None)
            rejects.add(source, lineno, reason, raw=raw)
            feed.recover()
            reader = csv.reader(feed, delimiter=delimiter)
            continue
        lineno = feed.row[0][0] if feed.row else None
        if feed.eof and row:
            # csv ends an open quoted field silently at the end of the input
            rejects.add(
                source,
                lineno,
                f"unclosed quote: the quoted field that starts on line {lineno} "
                "runs to the end of the file",
                raw=feed.row[0][1],
            )
            feed.recover()
            reader = csv.reader(feed, delimiter=delimiter)
            continue
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if header and names is None:
            names = [c.strip() for c in row]
            index = {c: _index(c, names, source) for c in wanted if c is not None}
            continue
        if names is None:
            index = {c: _index(c, None, source) for c in wanted if c is not None}
            names = []
        expected = len(names) if header else None
        if expected is not None and len(row) != expected:
            rejects.add(
                source,
                lineno,
                f"row has {len(row)} field(s), the header has {expected}",
                raw=delimiter.join(row),
            )
            continue
        try:
            record = _record(
                row,
                index,
                text_column,
                label_column,
                id_column,
                meta_columns,
                label_separator,
            )
        except ValueError as err:
            rejects.add(source, lineno, str(err), raw=delimiter.join(row))
            continue
        record.source, record.line = source, lineno
        if record.id is None:
            record.id = f"{name}:{lineno}"
        yield record


read_tsv = functools.partial(read_csv, delimiter="\t")
read_tsv.__doc__ = "read_csv with a tab delimiter."
CSV_FORMAT = Format("csv", read_csv, (".csv",))
TSV_FORMAT = Format("tsv", read_tsv, (".tsv", ".tab"))


class _RowTooLong(Exception):
    pass


class _LineFeed:
    """Feeds lines to csv.reader and keeps the lines of the row being read, so that
    a broken row can be rejected and the lines after its first read again."""

    def __init__(self, lines: Iterator[tuple[int, str]], max_lines: int | None):
        self._lines = lines
        self._replay: deque[tuple[int, str]] = deque()
        self.max_lines = max_lines
        self.row: list[tuple[int, str]] = []
        self.eof = False

    def __iter__(self):
        return self

    def __next__(self) -> str:
        if self.max_lines and len(self.row) >= self.max_lines:
            raise _RowTooLong
        if self._replay:
            item = self._replay.popleft()
        else:
            try:
                item = next(self._lines)
            except StopIteration:
                self.eof = True
                raise
        self.row.append(item)
        return item[1] + "\n"

    def start_row(self) -> None:
        self.row = []

    def recover(self) -> None:
        self._replay.extendleft(reversed(self.row[1:]))
        self.row = []
        self.eof = False


def _too_long_reason(lineno: int, max_lines: int | None) -> str:
    return (
        f"unclosed quote: the quoted field that starts on line {lineno} runs over "
        f"{max_lines} lines (raise max_field_lines if such fields are real)"
    )


def _index(column: Column, names: list[str] | None, source: str) -> int:
    if isinstance(column, int):
        return column
    if (
        isinstance(column, str)
        and column.isdigit()
        and (names is None or column not in names)
    ):
        return int(column)
    if names is None:
        raise CorpusError(Errors.E013.format(path=source, column=column), source=source)
    if column not in names:
        raise CorpusError(
            Errors.E012.format(path=source, column=column, header=", ".join(names)),
            source=source,
        )
    return names.index(column)


def _record(row, index, text_column, label_column, id_column, meta_columns, sep):
    def get(column):
        i = index[column]
        if i >= len(row):
            raise ValueError(f"row has no column {column!r} (only {len(row)} fields)")
        return row[i]

    text = get(text_column)
    if not text.strip():
        raise ValueError(f"empty text in column {text_column!r}")
    cats = None
    if label_column is not None:
        value = get(label_column).strip()
        if sep is not None:
            labels = [lab.strip() for lab in value.split(sep) if lab.strip()]
        elif not value:
            raise ValueError(f"empty label in column {label_column!r}")
        else:
            labels = [value]
        cats = {lab: 1.0 for lab in labels}
    doc_id = get(id_column).strip() if id_column is not None else None
    meta = {str(c): get(c) for c in meta_columns or []}
    return Record(text=text, id=doc_id or None, meta=meta, cats=cats)
