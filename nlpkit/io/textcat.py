"""Text-classification corpora: SST-2 style `label sentence` lines (and CSV/TSV,
re-exported from .csv)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .csv import read_csv, read_tsv
from .formats import Format
from .records import Record
from .rejects import Rejects
from .sources import iter_lines

__all__ = ["read_csv", "read_labelled_lines", "read_tsv"]


def read_labelled_lines(
    path: str | Path,
    *,
    separator: str | None = None,
    tokenized: bool = True,
    rejects: Rejects | None = None,
) -> Iterator[Record]:
    """Read one `label sentence` per line (SST-2's format).

    separator: between label and sentence; default any run of whitespace.
    tokenized: the sentence is pre-tokenized, split on single spaces into words
        (as SST-2 is); False keeps it as raw text.
    RETURNS (Iterator[Record]): cats {label: 1.0}; ids '<file>:<line>'.
    """
    rejects = rejects or Rejects.raising()
    source = str(path)
    name = Path(path).name
    for lineno, line in iter_lines(path, rejects=rejects):
        if not line.strip():
            continue
        parts = line.split(separator, 1) if separator else line.strip().split(None, 1)
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            rejects.add(
                source, lineno, "expected 'label sentence' on the line", raw=line
            )
            continue
        label, sentence = parts[0].strip(), parts[1].strip()
        record = Record(
            id=f"{name}:{lineno}", cats={label: 1.0}, source=source, line=lineno
        )
        if tokenized:
            record.words = sentence.split()
            record.spaces = [True] * (len(record.words) - 1) + [False]
        else:
            record.text = sentence
        yield record


LABELLED_FORMAT = Format("labelled", read_labelled_lines)
