"""Plain-text corpora: one document per line, per paragraph, or per file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from ..errors import Errors
from .formats import Format
from .options import READER_DEFAULTS
from .records import Record
from .rejects import Rejects
from .sources import iter_lines

TextMode = Literal["line", "paragraph", "file"]
TEXT_MODES = ("line", "paragraph", "file")


def read_text(
    path: str | Path,
    *,
    mode: TextMode = READER_DEFAULTS.mode,
    rejects: Rejects | None = None,
) -> Iterator[Record]:
    """Read a text file as documents.

    mode: "line" (one doc per non-blank line), "paragraph" (blank-line separated
        blocks, lines joined by a newline) or "file" (the whole file is one doc).
    RETURNS (Iterator[Record]): ids are '<file stem>:<line>' (or the stem for mode=file).
    """
    if mode not in TEXT_MODES:
        raise ValueError(Errors.E225.format(mode=mode, known=", ".join(TEXT_MODES)))
    rejects = rejects or Rejects.raising()
    source = str(path)
    stem = Path(path).name
    if mode == "line":
        for lineno, line in iter_lines(path, rejects=rejects):
            if line.strip():
                yield Record(
                    text=line, id=f"{stem}:{lineno}", source=source, line=lineno
                )
    else:
        block: list[str] = []
        start = None
        for lineno, line in iter_lines(path, rejects=rejects):
            if mode == "paragraph" and not line.strip():
                if block:
                    yield _block(block, stem, source, start)
                block, start = [], None
                continue
            if start is None:
                start = lineno
            block.append(line)
        if block and any(line.strip() for line in block):
            if mode == "file":
                yield Record(
                    text="\n".join(block).strip(), id=stem, source=source, line=1
                )
            else:
                yield _block(block, stem, source, start)


TXT_FORMAT = Format("txt", read_text, (".txt", ".text"))


def _block(lines: list[str], stem: str, source: str, start: int | None) -> Record:
    return Record(
        text="\n".join(lines), id=f"{stem}:{start}", source=source, line=start
    )
