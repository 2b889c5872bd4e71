"""Cutting a record stream into numbered shards, and what a shard's task and result
carry between the driver and the workers."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..io import Record, Rejects

EXTENSIONS = {"jsonl": "jsonl", "parquet": "parquet", "spacy": "spacy"}


def docs_name(index: int, output_format: str) -> str:
    return f"docs-{index:05d}.{EXTENSIONS.get(output_format, output_format)}"


def rejects_name(index: int) -> str:
    return f"rejects-{index:05d}.jsonl"


@dataclass(frozen=True)
class JobSpec:
    """What every shard task needs besides its records (small: sent with each task)."""

    output_dir: str
    output_format: str = "jsonl"
    attrs: tuple[str, ...] = ("text", "tokens", "ents", "cats")
    batch_size: int = 256
    strict: bool = False
    pipeline_key: str = ""
    max_length: int | None = None
    input_format: str | None = None
    reader_options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class InputRange:
    """Lines [first_line, first_line + lines) of the input `path`: bytes [start, end)."""

    path: str
    format: str
    start: int
    end: int
    first_line: int
    lines: int


@dataclass(frozen=True)
class RowGroups:
    """Row groups [first_group, first_group + n_groups) of the Parquet input `path`:
    rows first_row + 1 .. first_row + rows of the file."""

    path: str
    format: str
    first_group: int
    n_groups: int
    first_row: int
    rows: int


@dataclass(frozen=True)
class FileShard:
    """Shard `shard` (0-based within the file) of an input its worker reads whole
    (gzip, CSV, CoNLL, .spacy, text by paragraph or file): records [first, end)
    when the file's records are cut every `shard_size`. `plan` names the run's
    plan, so a worker continues a reader it opened for an earlier shard of it."""

    path: str
    format: str
    shard: int
    shard_size: int
    first: int
    end: int
    plan: str


Source = InputRange | RowGroups | FileShard


@dataclass
class ShardTask:
    """Shard `index`: its records in input order and the reader's rejects among them
    (read by the driver), or the part of an input its worker reads (`source`)."""

    index: int
    records: list[Record] = field(default_factory=list)
    reader_rejects: list[dict[str, Any]] = field(default_factory=list)
    source: Source | None = None

    @property
    def n_read(self) -> int:
        return len(self.records) + len(self.reader_rejects)


@dataclass
class ShardResult:
    index: int
    read: int
    written: int
    rejected: int
    words: int
    seconds: float
    docs: str
    rejects: str | None
    worker: str = ""
    peak_rss_mb: float = 0.0
    attempt: str = ""
    docs_size: int | None = None
    docs_sha256: str = ""
    rejects_size: int | None = None
    rejects_sha256: str = ""

    def manifest_entry(self) -> dict[str, Any]:
        """The shard's manifest entry (`docs`/`rejects` as this attempt named them;
        the driver replaces them with the committed names)."""
        return {
            "read": self.read,
            "written": self.written,
            "rejected": self.rejected,
            "words": self.words,
            "seconds": round(self.seconds, 3),
            "docs": self.docs,
            "rejects": self.rejects,
            "worker": self.worker,
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            "attempt": self.attempt,
            "docs_size": self.docs_size,
            "docs_sha256": self.docs_sha256,
            "rejects_size": self.rejects_size,
            "rejects_sha256": self.rejects_sha256,
        }


class CollectingRejects(Rejects):
    """Lenient Rejects that keep each entry in memory until the driver hands them to
    the shard they fall in (strict ones raise as usual)."""

    def __init__(self, *, strict: bool = False):
        super().__init__(None, strict=strict)
        self.pending: list[dict[str, Any]] = []

    def add(self, source, line, reason, raw=None) -> None:
        super().add(source, line, reason, raw)
        self.pending.append(
            {"source": str(source), "line": line, "reason": reason, "raw": raw}
        )

    def extend(self, entries: list[dict[str, Any]]) -> None:
        """Take entries collected by another CollectingRejects."""
        self.pending.extend(entries)

    def take(self) -> list[dict[str, Any]]:
        taken, self.pending = self.pending, []
        return taken


def cut_shards(
    records: Iterable[Record], rejects: CollectingRejects, shard_size: int
) -> Iterator[ShardTask]:
    """Number records in input order and cut them into shards of `shard_size`.

    A reader reject belongs to the shard being filled when it happened, so the same
    input always gives the same shards, rejects included.
    """
    index = 0
    batch: list[Record] = []
    for record in records:
        batch.append(record)
        if len(batch) >= shard_size:
            yield ShardTask(index, batch, rejects.take())
            index += 1
            batch = []
    tail = rejects.take()
    if batch or tail:
        yield ShardTask(index, batch, tail)
