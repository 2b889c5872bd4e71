"""Finding input files and reading their lines safely, one at a time."""

from __future__ import annotations

import glob
import gzip
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import CorpusError, Errors
from .rejects import Rejects

BOM = "\ufeff"


def expand_inputs(
    inputs: str | Path | Iterable[str | Path], *, rejects: Rejects | None = None
) -> list[Path]:
    """Turn files, directories and glob patterns into a sorted list of files.

    Directories are walked recursively (hidden files skipped). A name that matches
    nothing is an error (strict) or a rejects entry (lenient).
    """
    if isinstance(inputs, (str, Path)):
        inputs = [inputs]
    rejects = rejects or Rejects.raising()
    found: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.is_file():
            found.append(path)
        elif glob.has_magic(str(item)):
            matches = sorted(Path(p) for p in glob.glob(str(item), recursive=True))
            files = [p for p in matches if p.is_file()]
            if not files:
                rejects.add(item, None, Errors.E006.format(pattern=item))
            found.extend(files)
        else:
            if rejects.strict:
                raise CorpusError(Errors.E001.format(path=path), source=str(path))
            rejects.add(path, None, "file not found")
    return found


def open_binary(path: str | Path):
    """Open a file for binary reading, decompressing .gz transparently."""
    path = Path(path)
    if not path.exists():
        raise CorpusError(Errors.E001.format(path=path), source=str(path))
    if path.suffix == ".gz":
        return gzip.open(path, "rb")
    return path.open("rb")


def iter_lines(
    stream_or_path, *, source: str | None = None, rejects: Rejects | None = None
) -> Iterator[tuple[int, str]]:
    """Yield (line number, text) without line endings, decoding UTF-8 line by line.

    A line that is not valid UTF-8 is rejected with its line number and byte offset,
    so one bad byte costs one record, not the file. Constant memory.
    """
    rejects = rejects or Rejects.raising()
    if isinstance(stream_or_path, (str, Path)):
        source = source or str(stream_or_path)
        stream = open_binary(stream_or_path)
        close = True
    else:
        stream, close = stream_or_path, False
        source = source or getattr(stream, "name", "<stream>")
    try:
        for lineno, raw in enumerate(stream, 1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                snippet = raw[max(0, err.start - 16) : err.start + 16]
                rejects.add(
                    source,
                    lineno,
                    f"invalid UTF-8 at byte {err.start} of the line ({snippet!r})",
                    raw=raw.decode("utf-8", errors="replace").rstrip("\r\n"),
                )
                continue
            if lineno == 1 and text.startswith(BOM):
                text = text[1:]
            yield lineno, text.rstrip("\r\n")
    finally:
        if close:
            stream.close()


def read_text_file(path: str | Path, *, rejects: Rejects | None = None) -> str | None:
    """Read a whole (small) file as UTF-8; None (and a rejects entry) if it is not."""
    rejects = rejects or Rejects.raising()
    with open_binary(path) as f:
        data = f.read()
    return decode_bytes(data, str(path), rejects)


def decode_bytes(data: bytes, source: str, rejects: Rejects) -> str | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        rejects.add(source, line, f"invalid UTF-8 at byte {err.start} of the file")
        return None
    return text[1:] if text.startswith(BOM) else text
