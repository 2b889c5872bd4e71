"""Corpus writers. Each writes to a temporary name and renames on close, so a
reader never sees half a file."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any

from ..errors import Errors
from .formats import FORMATS


class AtomicWriter:
    """Base: writes to '<name>.tmp-<pid>' and renames to the target on close()."""

    suffix = ""

    def __init__(self, path: str | Path, *, overwrite: bool = True):
        self.path = Path(path)
        if self.path.exists() and not overwrite:
            raise FileExistsError(Errors.E008.format(path=self.path))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.tmp_path = self.path.with_name(f"{self.path.name}.tmp-{os.getpid()}")
        self.count = 0
        self.closed = False

    def write(self, item: Any) -> None:
        raise NotImplementedError

    def _finish(self) -> None:
        """Flush everything to tmp_path."""

    def close(self) -> None:
        if self.closed:
            return
        self._finish()
        os.replace(self.tmp_path, self.path)
        self.closed = True

    def abort(self) -> None:
        """Drop what was written; the target is left as it was."""
        self.closed = True
        self.tmp_path.unlink(missing_ok=True)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


class JsonlWriter(AtomicWriter):
    """Writes one JSON object (a dict) per line, UTF-8."""

    def __init__(self, path: str | Path, *, overwrite: bool = True):
        super().__init__(path, overwrite=overwrite)
        self._file = self.tmp_path.open("w", encoding="utf-8")

    def write(self, item: dict) -> None:
        self._file.write(json.dumps(item, ensure_ascii=False) + "\n")
        self.count += 1

    def _finish(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()

    def abort(self) -> None:
        self._file.close()
        super().abort()


class WriterTable(MutableMapping):
    """Writer classes by format name: those of the registered formats (see
    formats.Format.writer), and any set here directly."""

    def __init__(self):
        self._extra: dict[str, type[AtomicWriter]] = {}

    def _from_formats(self) -> dict[str, type[AtomicWriter]]:
        return {f.name: f.writer for f in FORMATS.all() if f.writer is not None}

    def __getitem__(self, name: str) -> type[AtomicWriter]:
        if name in self._extra:
            return self._extra[name]
        return self._from_formats()[name]

    def __setitem__(self, name: str, writer: type[AtomicWriter]) -> None:
        self._extra[name] = writer

    def __delitem__(self, name: str) -> None:
        del self._extra[name]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted({**self._from_formats(), **self._extra}))

    def __len__(self) -> int:
        return len({**self._from_formats(), **self._extra})


WRITERS = WriterTable()


def open_writer(path: str | Path, format: str | None = None, **options) -> AtomicWriter:
    """A writer for `format` (inferred from the extension when None).

    format: "jsonl" and "parquet" write dicts (see docdict.doc_to_dict); "spacy"
        (DocBin) writes spaCy Docs.
    """
    fmt = format or Path(path).suffix.lstrip(".").lower()
    if fmt == "ndjson":
        fmt = "jsonl"
    if fmt not in WRITERS:
        raise ValueError(Errors.E007.format(fmt=fmt, known=", ".join(sorted(WRITERS))))
    return WRITERS[fmt](path, **options)
