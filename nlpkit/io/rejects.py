"""Where bad records go: an error in strict mode, a rejects file in lenient mode."""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..errors import CorpusError, Errors, Warnings
from .records import place

logger = logging.getLogger("nlpkit")
_LOGGED_PER_SOURCE = 5


class Rejects:
    """Collects records that cannot be read.

    strict (bool): raise a CorpusError naming file and line at the first bad record.
    path (str | Path | None): lenient mode writes one JSON line per rejected record
        here ({"source", "line", "reason", "raw"}); the file is only created if needed.
    quiet (bool): log no warnings (for a second pass over the same input, so each
        bad record is reported once).
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        strict: bool = False,
        quiet: bool = False,
    ):
        self.strict = strict
        self.quiet = quiet
        self.path = Path(path) if path is not None else None
        self.count = 0
        self.by_source: Counter[str] = Counter()
        self.first: str | None = None  # 'place: reason' of the first reject
        self._file = None

    @classmethod
    def raising(cls) -> Rejects:
        return cls(strict=True)

    def add(
        self, source, line: int | None, reason: str, raw: str | None = None
    ) -> None:
        """Record a bad record, or raise when strict."""
        where = place(str(source), line)
        if self.strict:
            raise CorpusError(
                Errors.E002.format(place=where, reason=reason),
                source=str(source),
                line=line,
            )
        self.count += 1
        self.by_source[str(source)] += 1
        if self.first is None:
            self.first = f"{where}: {reason}"
        if not self.quiet and self.by_source[str(source)] <= _LOGGED_PER_SOURCE:
            logger.warning(Warnings.W002.format(place=where, reason=reason))
        if self.path is not None:
            if self._file is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._file = self.path.open("a", encoding="utf-8")
            entry = {"source": str(source), "line": line, "reason": reason, "raw": raw}
            self._file.write(json.dumps(entry, ensure_ascii=False) + "\n")
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        for source, count in self.by_source.items():
            if count > _LOGGED_PER_SOURCE and not self.quiet:
                logger.warning(
                    Warnings.W001.format(count=count, source=source, path=self.path)
                )

    def __enter__(self) -> Rejects:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass
class ReadStats:
    """What read_corpus saw, counted as it reads (not derived from what was written).

    records: records the readers yielded. rejected: records the readers rejected.
    empty_files: files with no records and no rejects. skipped_files: files left
        out because their format is unknown (lenient mode).
    """

    records: int = 0
    rejected: int = 0
    empty_files: int = 0
    skipped_files: int = 0

    @property
    def read(self) -> int:
        return self.records + self.rejected


def read_rejects(path: str | Path) -> list[dict]:
    """Load a rejects file written by Rejects."""
    with Path(path).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]
