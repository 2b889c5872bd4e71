"""Corpus writers. Each writes to a temporary name and renames on close, so a
reader never sees half a file."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..errors import Errors


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


WRITERS: dict[str, type[AtomicWriter]] = {"jsonl": JsonlWriter}


def open_writer(path: str | Path, format: str | None = None, **options) -> AtomicWriter:
    """A writer for `format` (inferred from the extension when None).

    format: "jsonl" and "parquet" write dicts (see docdict.doc_to_dict); "spacy"
        (DocBin) writes spaCy Docs.
    """
    from . import docbin, parquet  # noqa: F401  (they add themselves to WRITERS)

    fmt = format or Path(path).suffix.lstrip(".").lower()
    if fmt == "ndjson":
        fmt = "jsonl"
    if fmt not in WRITERS:
        raise ValueError(Errors.E007.format(fmt=fmt, known=", ".join(sorted(WRITERS))))
    return WRITERS[fmt](path, **options)
