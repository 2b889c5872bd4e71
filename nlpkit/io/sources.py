"""Finding input files (local, or fsspec URLs such as s3://) and reading their
lines safely, one at a time."""

from __future__ import annotations

import glob
import gzip
import re
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from ..errors import CorpusError, Errors
from .rejects import Rejects

BOM = "\ufeff"


class InputURL(str):
    """An input on an fsspec file system, by its URL (`s3://bucket/in/a.jsonl`).

    A str, so it pickles, prints and opens (open_binary, fsspec) as the URL; name,
    stem, suffix and suffixes work as on a Path, so code that looks at a file's
    name takes either. Not a Path: Path() would fold the `//` of the URL."""

    __slots__ = ()

    @property
    def _pure(self) -> PurePosixPath:
        return PurePosixPath(urlsplit(self).path or "/")

    @property
    def name(self) -> str:
        return self._pure.name

    @property
    def stem(self) -> str:
        return self._pure.stem

    @property
    def suffix(self) -> str:
        return self._pure.suffix

    @property
    def suffixes(self) -> list[str]:
        return self._pure.suffixes


def is_url(item) -> bool:
    """Whether an input is an fsspec URL (s3://, gs://, file://, ...), not a path."""
    return isinstance(item, str) and "://" in item


def check_no_credentials(url: str) -> str:
    """The URL, refused (E535) when it holds a password: credentials come from the
    environment, so they are never written to a manifest, a log or an error."""
    for part in str(url).split("::"):
        if "://" in part and urlsplit(part).password is not None:
            shown = re.sub(r"//[^/@]*@", "//***@", str(url))
            raise CorpusError(Errors.E535.format(url=shown), source=shown)
    return url


def expand_inputs(
    inputs: str | Path | Iterable[str | Path], *, rejects: Rejects | None = None
) -> list[Path | InputURL]:
    """Turn files, directories and glob patterns into a sorted list of files.

    Directories are walked recursively (hidden files skipped). A name that matches
    nothing is an error in strict and lenient mode alike (E001, E006), raised before
    anything is read or written. Local inputs come back as Paths. A URL (s3://,
    gs://, file://, ...) is expanded through fsspec the same way (a file, a prefix
    walked recursively, a glob) and comes back as an InputURL (a str); a URL with
    a password is refused (E535). rejects: accepted for compatibility; unused.
    """
    if isinstance(inputs, (str, Path)):
        inputs = [inputs]
    found: list[Path | InputURL] = []
    for item in inputs:
        if is_url(item):
            found.extend(expand_url(check_no_credentials(item)))
            continue
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
                raise CorpusError(Errors.E006.format(pattern=item), source=str(item))
            found.extend(files)
        else:
            raise CorpusError(Errors.E001.format(path=path), source=str(path))
    return found


def expand_url(url: str) -> list[InputURL]:
    """The files a URL names: itself, the files under it (a prefix, walked
    recursively, hidden names skipped) or those its glob matches; sorted."""
    try:
        return list_url(url)
    except (ImportError, ValueError, OSError) as err:
        if isinstance(err, (CorpusError, FileNotFoundError)):
            raise
        raise CorpusError(Errors.E537.format(url=url, reason=err), source=url) from err


def list_url(url: str) -> list[InputURL]:
    import fsspec

    fs, root = fsspec.core.url_to_fs(url)
    fs.invalidate_cache()  # a listing cached earlier in this process may be stale
    if glob.has_magic(root):
        files = [p for p, info in fs.glob(root, detail=True).items()
                 if info.get("type") == "file"]  # fmt: skip
        if not files:
            raise CorpusError(Errors.E006.format(pattern=url), source=url)
    elif fs.isfile(root):
        return [InputURL(url)]
    elif fs.isdir(root):
        base = root.rstrip("/")
        files = [p for p in fs.find(base)
                 if not any(part.startswith(".")
                            for part in p[len(base):].strip("/").split("/"))]  # fmt: skip
    else:
        raise CorpusError(Errors.E001.format(path=url), source=url)
    return [InputURL(fs.unstrip_protocol(p)) for p in sorted(files)]


def open_binary(path: str | Path):
    """Open a file (or an fsspec URL) for binary reading, decompressing .gz
    transparently."""
    if is_url(path):
        return open_url(path)
    path = Path(path)
    if not path.exists():
        raise CorpusError(Errors.E001.format(path=path), source=str(path))
    if path.suffix == ".gz":
        return gzip.open(path, "rb")
    return path.open("rb")


def open_url(url: str):
    """Open a URL for binary reading through fsspec (OSError when it is gone);
    .gz is decompressed."""
    import fsspec

    fs, root = fsspec.core.url_to_fs(url)
    stream = fs.open(root, "rb")
    return ClosingGzipFile(stream) if url.endswith(".gz") else stream


class ClosingGzipFile(gzip.GzipFile):
    """A GzipFile over an open stream that closes the stream with itself."""

    def __init__(self, stream):
        super().__init__(fileobj=stream, mode="rb")
        self.stream = stream

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.stream.close()


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
        for lineno, raw in iter_raw_lines(stream, source, rejects):
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


def iter_raw_lines(
    stream, source: str, rejects: Rejects | None
) -> Iterator[tuple[int, bytes]]:
    """Yield (line number, bytes) from a binary stream. A damaged gzip stream ends
    the file with one rejects entry for the rest of it (the place is the first line
    not read); rejects None stops there silently (for peeking readers)."""
    lineno = 0
    try:
        for lineno, raw in enumerate(stream, getattr(stream, "first_line", 1)):
            yield lineno, raw
    except DECOMPRESS_ERRORS as err:
        if not isinstance(stream, gzip.GzipFile):
            raise
        if rejects is not None:
            rejects.add(source, lineno + 1, gzip_error_reason(err, lineno))


DECOMPRESS_ERRORS = (EOFError, zlib.error, OSError)


def gzip_error_reason(err: BaseException, lines_read: int) -> str:
    """Why a gzip stream stopped, for a rejects entry or an error."""
    if isinstance(err, gzip.BadGzipFile) and lines_read == 0:
        return f"not a gzip file, though its name ends in .gz ({err})"
    what = "truncated" if isinstance(err, EOFError) else "damaged"
    where = f"after line {lines_read}" if lines_read else "before the first line"
    return f"{what} gzip stream {where}; the rest of the file is lost ({err})"


def read_text_file(path: str | Path, *, rejects: Rejects | None = None) -> str | None:
    """Read a whole (small) file as UTF-8; None (and a rejects entry) if it is not."""
    rejects = rejects or Rejects.raising()
    with open_binary(path) as f:
        try:
            data = f.read()
        except DECOMPRESS_ERRORS as err:
            if not isinstance(f, gzip.GzipFile):
                raise
            rejects.add(str(path), None, gzip_error_reason(err, 0))
            return None
    return decode_bytes(data, str(path), rejects)


def decode_bytes(data: bytes, source: str, rejects: Rejects) -> str | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        rejects.add(source, line, f"invalid UTF-8 at byte {err.start} of the file")
        return None
    return text[1:] if text.startswith(BOM) else text
