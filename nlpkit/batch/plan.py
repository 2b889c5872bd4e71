"""The shard plan of a run: which part of which input file each shard is.

Line formats (JSONL, plain text one doc per line, uncompressed) are cut into line
ranges by counting newlines in 1 MiB blocks: a shard is (file, byte range, first
line number), and the worker reads its range itself (through fsspec), so no record
goes through the driver or the scheduler. Other formats (CSV, whose quoted fields
may hold newlines, Parquet, .spacy, CoNLL, gzip, text by paragraph or file) are read
by the driver and their records sent with each task, as before; planning them means
reading them once to count their shards.

The plan is stored in the manifest: a resumed run uses it as it is, so every shard
covers the same records and every id is written exactly once.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import CorpusError, Errors, Warnings
from ..io import FORMATS, Record, Rejects, check_length, detect_format
from .shards import CollectingRejects, InputRange, ShardTask, cut_shards

logger = logging.getLogger("nlpkit")

BLOCK = 1 << 20
PLAN_VERSION = 1


def splits_by_line(path: str | Path, fmt: str, reader_options: dict) -> bool:
    """Whether a file can be cut at any newline: one record per line, uncompressed."""
    if str(path).endswith(".gz"):
        return False
    if fmt == "jsonl":
        return True
    return fmt == "txt" and reader_options.get("mode", "line") == "line"


def line_ranges(f, lines_per_range: int) -> Iterator[tuple[int, int, int, int]]:
    """(start, end, first line, lines) of consecutive ranges of `lines_per_range`
    lines of a binary file, read in 1 MiB blocks; a last line without a newline
    belongs to the last range."""
    start = pos = 0
    first, lines = 1, 0
    while block := f.read(BLOCK):
        left = block.count(b"\n")
        at = 0
        while left >= lines_per_range - lines:
            for _ in range(lines_per_range - lines):
                at = block.index(b"\n", at) + 1
            left -= lines_per_range - lines
            yield start, pos + at, first, lines_per_range
            start, first, lines = pos + at, first + lines_per_range, 0
        lines += left
        pos += len(block)
        tail = block
    if pos > start:
        yield start, pos, first, lines + (not tail.endswith(b"\n"))


def make_plan(
    paths: list[Path],
    *,
    shard_size: int,
    input_format: str | None,
    reader_options: dict,
    read_options: dict,
    strict: bool,
) -> dict[str, Any]:
    """The plan of a new run: per input file its format, how it is read ("lines":
    by the workers, "records": by the driver), its first shard and its shards."""
    files = []
    next_shard = 0
    for path in paths:
        fmt = input_format or known_format(path, read_options["named"], strict)
        if fmt is None:
            continue
        entry: dict[str, Any] = {"path": str(path), "format": fmt}
        if splits_by_line(path, fmt, reader_options):
            with open_input(str(path)) as f:
                ranges = [list(r) for r in line_ranges(f, shard_size)]
            if not ranges:
                logger.warning(Warnings.W004.format(path=path))
            entry.update(kind="lines", ranges=ranges)
            n = len(ranges)
        else:
            rejects = CollectingRejects(strict=strict)
            rejects.quiet = True  # each reject is reported once, when the run reads it
            records = read_file(path, fmt, rejects, read_options)
            n = n_read = 0
            for task in cut_shards(records, rejects, shard_size):
                n, n_read = n + 1, n_read + task.n_read
            entry.update(kind="records", records=n_read)
        entry.update(first_shard=next_shard, n_shards=n)
        next_shard += n
        files.append(entry)
    return {"version": PLAN_VERSION, "files": files, "n_shards": next_shard}


def plan_total(plan: dict[str, Any]) -> int:
    """Lines of the line-cut files plus the records of the others: the progress
    total, known without reading anything again."""
    lines = sum(r[3] for f in plan["files"] for r in f.get("ranges", ()))
    return lines + sum(f.get("records", 0) for f in plan["files"])


def known_format(path: Path, named: set, strict: bool) -> str | None:
    """The format from the extension; None (with a warning) for a file found in a
    directory or glob whose extension is unknown, in lenient mode."""
    try:
        return detect_format(path)
    except CorpusError:
        if strict or path in named:
            raise
        logger.warning(Warnings.W003.format(path=path, reason="unknown file extension"))
        return None


def read_file(path: Path, fmt: str, rejects: Rejects, options: dict):
    """Records of one file; a file the reader gives up on (a damaged .gz, a read
    error) is one reject in lenient mode; strict mode raises (E519)."""
    try:
        yield from checked(FORMATS[fmt].read(path, rejects=rejects, **options["reader"]),
                           rejects, options["max_length"])  # fmt: skip
    except CorpusError as err:
        if rejects.strict:
            raise
        rejects.add(err.source or str(path), err.line, str(err))
    except OSError as err:
        message = Errors.E519.format(path=path, reason=err)
        if rejects.strict:
            raise CorpusError(message, source=str(path)) from err
        rejects.add(str(path), None, message)


def checked(records, rejects: Rejects, max_length: int | None) -> Iterator[Record]:
    """Records within max_length; longer ones become rejects."""
    for record in records:
        reason = check_length(record, max_length)
        if reason is None:
            yield record
        else:
            rejects.add(record.source, record.line, reason)


def open_input(url: str):
    import fsspec

    return fsspec.open(url, "rb").open()


class RangeLines:
    """The lines of one input range, numbered from its first line. A reader takes it
    as it takes the file: its name is the file's (os.PathLike), iterating gives
    the raw lines, and `first_line` numbers them as in the whole file."""

    def __init__(self, item: InputRange, data: bytes):
        self.name = item.path
        self.first_line = item.first_line
        self.data = data

    def __fspath__(self) -> str:
        return self.name

    def __str__(self) -> str:
        return self.name

    def __iter__(self):
        return iter(io.BytesIO(self.data))


def read_range(item: InputRange, rejects: Rejects, options: dict) -> Iterator[Record]:
    """Run on a worker: the records of one planned range, read from storage."""
    try:
        with open_input(item.path) as f:
            f.seek(item.start)
            data = f.read(item.end - item.start)
    except OSError as err:
        message = Errors.E519.format(path=item.path, reason=err)
        if rejects.strict:
            raise CorpusError(message, source=item.path) from err
        rejects.add(item.path, item.first_line, message)
        return
    yield from read_file(RangeLines(item, data), item.format, rejects, options)


def planned_tasks(plan: dict[str, Any], *, shard_size: int, options: dict,
                  strict: bool, skip) -> Iterator[ShardTask]:  # fmt: skip
    """The tasks of the shards `skip(index)` does not rule out, in shard order:
    input ranges, or the records of a file the driver reads (E533 when that file no
    longer gives the shards planned)."""
    for entry in plan["files"]:
        first, n = entry["first_shard"], entry["n_shards"]
        if entry["kind"] == "lines":
            for k, (start, end, line, lines) in enumerate(entry["ranges"]):
                if not skip(first + k):
                    item = InputRange(entry["path"], entry["format"], start, end,
                                      line, lines)  # fmt: skip
                    yield ShardTask(first + k, source=item)
            continue
        todo = [not skip(i) for i in range(first, first + n)]
        if not any(todo):
            continue  # done already: not read again
        rejects = CollectingRejects(strict=strict)
        records = read_file(Path(entry["path"]), entry["format"], rejects, options)
        got = 0
        for got, task in enumerate(cut_shards(records, rejects, shard_size), 1):
            task.index += first
            if got <= n and todo[got - 1]:
                yield task
        if got != n:
            raise CorpusError(
                Errors.E533.format(
                    path=entry["path"],
                    got=got,
                    planned=n,
                    output=options.get("output", ""),
                ),  # fmt: skip
                source=entry["path"],
            )


def legacy_tasks(paths: list[Path], *, shard_size: int, input_format: str | None,
                 options: dict, strict: bool) -> Iterator[ShardTask]:  # fmt: skip
    """Shards of a run started before plans were stored: the driver reads every
    file and numbers the records across files, as such runs were cut."""
    rejects = CollectingRejects(strict=strict)

    def records():
        for path in paths:
            fmt = input_format or known_format(path, options["named"], strict)
            if fmt is not None:
                yield from read_file(path, fmt, rejects, options)

    yield from cut_shards(records(), rejects, shard_size)
