"""The shard plan of a run: which part of which input file each shard is.

No record goes through the driver or the scheduler: every shard names a part of an
input that its worker reads itself, through fsspec (local paths and URLs alike).
- Line formats (JSONL, plain text one doc per line, uncompressed) are cut into line
  ranges by counting newlines in 1 MiB blocks: a shard is (file, byte range, first
  line number).
- Parquet is cut at row groups: a shard is consecutive row groups holding about
  shard_size rows (at least one group), read from the file's footer.
- Every other format (gzip, CSV whose quoted fields may hold newlines, CoNLL,
  .spacy, text by paragraph or file) cannot be cut at a byte offset: the driver
  reads it once to count its shards, and a shard is (file, shard number, record
  range). Its worker reads the file from the start and skips to its shard; it keeps
  that reader open for the file's next shard, so a worker reads each such file at
  most once per run as long as it gets the file's shards in order (the driver
  submits them in order).

The plan is stored in the manifest: a resumed run uses it as it is, so every shard
covers the same records and every id is written exactly once. Plans of version 1
(files of kind "records", read by the driver) resume as they were cut.
"""

from __future__ import annotations

import io
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import CorpusError, Errors, Warnings
from ..io import FORMATS, Record, Rejects, check_length, detect_format
from ..io.sources import InputURL, is_url, open_url
from .shards import (
    CollectingRejects,
    FileShard,
    InputRange,
    RowGroups,
    ShardTask,
    Source,
    cut_shards,
)

logger = logging.getLogger("nlpkit")

BLOCK = 1 << 20
PLAN_VERSION = 2
# (plan id, path) -> (next shard, shard tasks, rejects): readers kept open
_READERS: dict[tuple, tuple] = {}
MAX_READERS = 4


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
    """The plan of a new run: per input file its format, how it is cut ("lines",
    "row_groups" or "file"), its first shard and its shards."""
    files = []
    next_shard = 0
    plan_id = uuid.uuid4().hex[:12]
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
        elif (groups := row_group_plan(path, fmt, shard_size)) is not None:
            if not groups:
                logger.warning(Warnings.W004.format(path=path))
            entry.update(kind="row_groups", groups=groups)
            n = len(groups)
        else:
            rejects = CollectingRejects(strict=strict)
            rejects.quiet = True  # each reject is reported once, when the run reads it
            records = read_file(path, fmt, rejects, read_options)
            shards, n_read = [], 0
            for task in cut_shards(records, rejects, shard_size):
                first = shards[-1][1] if shards else 0
                shards.append([first, first + len(task.records)])
                n_read += task.n_read
            entry.update(kind="file", records=n_read, shards=shards)
            n = len(shards)
        entry.update(first_shard=next_shard, n_shards=n)
        next_shard += n
        files.append(entry)
    return {"version": PLAN_VERSION, "id": plan_id, "files": files,
            "n_shards": next_shard}  # fmt: skip


def row_group_plan(path, fmt: str, shard_size: int) -> list[list[int]] | None:
    """[first group, groups, first row, rows] per shard of a Parquet file, cut at
    the first row group boundary at or after shard_size rows; None when the file
    is not cut this way (not Parquet, compressed, or no readable footer: then it
    is read whole, and a damaged file is a reject as before)."""
    if fmt != "parquet" or str(path).endswith(".gz"):
        return None
    from ..io.parquet import row_group_sizes

    try:
        sizes = row_group_sizes(path)
    except Exception:  # pyarrow raises several types for a damaged file
        return None
    shards: list[list[int]] = []
    group = row = 0
    while group < len(sizes):
        first, first_row, rows = group, row, 0
        while group < len(sizes) and rows < shard_size:
            rows += sizes[group]
            group += 1
        shards.append([first, group - first, first_row, rows])
        row += rows
    return shards


def plan_total(plan: dict[str, Any]) -> int:
    """Lines, rows and records of the files as planned: the progress
    total, known without reading anything again."""
    lines = sum(r[3] for f in plan["files"] for r in f.get("ranges", ()))
    rows = sum(g[3] for f in plan["files"] for g in f.get("groups", ()))
    return lines + rows + sum(f.get("records", 0) for f in plan["files"])


def local_inputs(plan: dict[str, Any] | None, sizes: dict[str, int]) -> list:
    """(path, size) of each planned local input that workers read themselves: not
    URLs, nor files of version 1 plans (the driver reads those).

    sizes: path -> size in bytes, from the inputs' fingerprints (no second stat).
    """
    files = []
    for entry in plan["files"] if plan else ():
        path = entry["path"]
        if entry["kind"] == "records" or not entry["n_shards"] or is_url(path):
            continue
        if path in sizes:
            files.append((path, sizes[path]))
    return files


def known_format(path: Path, named: set, strict: bool) -> str | None:
    """The format from the extension; None (with a warning) for a file found in a
    directory or glob whose extension is unknown, in lenient mode."""
    try:
        return detect_format(path)
    except CorpusError:
        if strict or path in named or str(path) in named:
            raise
        logger.warning(Warnings.W003.format(path=path, reason="unknown file extension"))
        return None


def read_file(path, fmt: str, rejects: Rejects, options: dict, **where):
    """Records of one file (a path, a URL, or a range of either; `where` narrows
    it further, e.g. row_groups); a file the reader gives up on (a damaged .gz, a
    read error) is one reject in lenient mode; strict mode raises (E519)."""
    read = FORMATS[fmt].read
    try:
        yield from checked(read(path, rejects=rejects, **options["reader"], **where),
                           rejects, options["max_length"])  # fmt: skip
    except CorpusError as err:
        if rejects.strict:
            raise
        rejects.add(err.source or str(path), err.line, str(err))
    except OSError as err:
        read_failed(path, None, err, rejects)


def read_failed(path, line: int | None, err: OSError, rejects: Rejects) -> None:
    """A read error (E519): raised in strict mode, else one reject."""
    message = Errors.E519.format(path=path, reason=err)
    if rejects.strict:
        raise CorpusError(message, source=str(path)) from err
    rejects.add(str(path), line, message)


def checked(records, rejects: Rejects, max_length: int | None) -> Iterator[Record]:
    """Records within max_length; longer ones become rejects."""
    for record in records:
        reason = check_length(record, max_length)
        if reason is None:
            yield record
        else:
            rejects.add(record.source, record.line, reason)


def open_input(url: str):
    """A binary file, local or through fsspec (.gz is not cut by line)."""
    return open_url(url) if is_url(url) else open(url, "rb")


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


def read_range(item: Source, rejects: Rejects, options: dict) -> Iterator[Record]:
    """Run on a worker: the records of one planned part of an input, read from
    storage (reader rejects go to `rejects`, a CollectingRejects)."""
    if isinstance(item, RowGroups):
        groups = list(range(item.first_group, item.first_group + item.n_groups))
        yield from read_file(item.path, item.format, rejects, options,
                             row_groups=groups)  # fmt: skip
        return
    if isinstance(item, FileShard):
        yield from read_file_shard(item, rejects, options)
        return
    try:
        with open_input(item.path) as f:
            f.seek(item.start)
            data = f.read(item.end - item.start)
    except OSError as err:
        read_failed(item.path, item.first_line, err, rejects)
        return
    yield from read_file(RangeLines(item, data), item.format, rejects, options)


def read_file_shard(item: FileShard, rejects, options: dict) -> Iterator[Record]:
    """The records of shard `item.shard` of a file read whole: cut as the driver
    cut it when planning, continuing the reader this process opened for an
    earlier shard of the file (else from the start, skipping the shards before)."""
    key = (item.plan, item.path, rejects.strict)
    state = _READERS.pop(key, None)  # popped: a second thread opens its own
    if state is None or state[0] > item.shard:
        own = CollectingRejects(strict=rejects.strict)
        records = read_file(item.path, item.format, own, options)
        state = (0, cut_shards(records, own, item.shard_size), own)
    k, tasks, own = state
    while True:
        own.quiet = k < item.shard  # rejects of a skipped shard are its worker's
        task = next(tasks, None)
        if task is None:
            detail = f"the file ends after {k} shard(s)"
            raise CorpusError(Errors.E536.format(path=item.path, shard=item.shard,
                                                 detail=detail), source=item.path)  # fmt: skip
        k += 1
        if k > item.shard:
            break
    if len(task.records) != item.end - item.first:
        detail = f"{len(task.records)} records, planned {item.end - item.first}"
        raise CorpusError(Errors.E536.format(path=item.path, shard=item.shard,
                                             detail=detail), source=item.path)  # fmt: skip
    while len(_READERS) >= MAX_READERS:
        _READERS.pop(next(iter(_READERS)))[1].close()
    _READERS[key] = (k, tasks, own)
    rejects.extend(task.reader_rejects)
    yield from task.records


def close_readers() -> None:
    """Forget the readers kept open for files read whole (when a run ends)."""
    while _READERS:
        _, tasks, _ = _READERS.popitem()[1]
        tasks.close()


def planned_tasks(plan: dict[str, Any], *, shard_size: int, options: dict,
                  strict: bool, skip) -> Iterator[ShardTask]:  # fmt: skip
    """The tasks of the shards `skip(index)` does not rule out, in shard order:
    the part of an input each worker reads, or (plans of version 1) the records of
    a file the driver reads (E533 when that file no longer gives the shards
    planned)."""
    for entry in plan["files"]:
        first, n = entry["first_shard"], entry["n_shards"]
        if entry["kind"] != "records":
            for k, item in enumerate(sources(entry, plan, shard_size)):
                if not skip(first + k):
                    yield ShardTask(first + k, source=item)
            continue
        todo = [not skip(i) for i in range(first, first + n)]
        if not any(todo):
            continue  # done already: not read again
        rejects = CollectingRejects(strict=strict)
        records = read_file(as_input(entry["path"]), entry["format"], rejects, options)
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


def as_input(text: str):
    """A planned input's path: a Path, or an InputURL for a URL."""
    return InputURL(text) if is_url(text) else Path(text)


def sources(entry: dict[str, Any], plan: dict[str, Any], shard_size: int):
    """The parts of one planned file that its shards' workers read, in order."""
    path, fmt = entry["path"], entry["format"]
    if entry["kind"] == "lines":
        for start, end, line, lines in entry["ranges"]:
            yield InputRange(path, fmt, start, end, line, lines)
    elif entry["kind"] == "row_groups":
        for group, n_groups, row, rows in entry["groups"]:
            yield RowGroups(path, fmt, group, n_groups, row, rows)
    else:
        for k, (first, end) in enumerate(entry["shards"]):
            yield FileShard(path, fmt, k, shard_size, first, end, plan["id"])


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
