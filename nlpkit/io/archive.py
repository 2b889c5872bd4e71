"""Zip archives: each member one document, or each member read by its own format.

Members whose path leaves the archive root (absolute, a drive letter, or a '..'
part) are rejected and never read.
"""

from __future__ import annotations

import fnmatch
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from ..errors import CorpusError, Errors
from .formats import FORMATS, Format, accepted_options, detect_format
from .options import READER_DEFAULTS
from .records import Record
from .rejects import Rejects
from .sources import decode_bytes


def read_zip(
    path: str | Path,
    *,
    members: str | None = None,
    member_format: str | None = None,
    label_from_dir: bool = False,
    encoding: str = READER_DEFAULTS.encoding,
    rejects: Rejects | None = None,
    **options,
) -> Iterator[Record]:
    """Read the files in a zip archive, one member at a time.

    members: a glob on member paths (e.g. "*/pos/*.txt"); default every file.
    member_format: None makes each member one document (its whole text); "auto"
        reads each member with the format its extension names; or a format name.
    label_from_dir: set cats {parent folder name: 1.0} (movie_reviews/pos/x.txt).
    encoding: of whole-member texts (member_format None), e.g. "cp1252" for old
        archives; a member that does not decode is rejected.
    options: passed on to the member format's reader.
    RETURNS (Iterator[Record]): sources are '<archive>:<member>'.
    """
    rejects = rejects or Rejects.raising()
    source = str(path)
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as err:
        rejects.add(source, None, f"not a zip archive ({err})")
        return
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            name = info.filename
            if not is_safe_member(name):
                rejects.add(
                    source, None, Errors.E016.format(member=name, path=source), raw=name
                )
                continue
            if members is not None and not fnmatch.fnmatch(name, members):
                continue
            member_source = f"{source}:{name}"
            label = PurePosixPath(name).parent.name if label_from_dir else None
            if member_format is None:
                try:
                    data = archive.read(info)
                except MEMBER_ERRORS as err:
                    rejects.add(member_source, None, _unreadable(err))
                    continue
                text = _decode(data, encoding, member_source, rejects)
                if text is None:
                    continue
                if not text.strip():
                    rejects.add(member_source, None, Errors.E005.format(path=name))
                    continue
                record = Record(text=text, id=name, source=member_source, line=1)
                if label:
                    record.cats = {label: 1.0}
                yield record
                continue
            for record in _read_member(
                archive, info, member_format, member_source, rejects, options
            ):
                if label:
                    record.cats = {**(record.cats or {}), label: 1.0}
                yield record


ZIP_FORMAT = Format("zip", read_zip, (".zip",))

# a damaged, encrypted or oddly compressed member costs that member only
MEMBER_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    RuntimeError,
    NotImplementedError,
)


def _unreadable(err: BaseException) -> str:
    return f"cannot extract the member ({type(err).__name__}: {err})"


def _decode(data: bytes, encoding: str, source: str, rejects: Rejects) -> str | None:
    if encoding.lower().replace("-", "") in ("utf8", "utf8sig"):
        return decode_bytes(data, source, rejects)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        rejects.add(source, line, f"invalid {encoding} at byte {err.start} of the file")
        return None


def is_safe_member(name: str) -> bool:
    """False for member names that would land outside the extraction root."""
    if not name or name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return False
    parts = name.replace("\\", "/").split("/")
    return ".." not in parts


def _read_member(archive, info, fmt, member_source, rejects, options):
    """Extract one member to a temporary file and read it with its format's reader;
    the places in records and rejects name the archive member, not the temp file."""
    name = info.filename
    auto = fmt == "auto"
    if auto:
        try:
            fmt = detect_format(name)
        except CorpusError as err:
            # one member of unknown format costs that member, not the archive
            rejects.add(member_source, None, str(err))
            return
    if fmt not in FORMATS or fmt == "zip":
        rejects.add(
            member_source,
            None,
            Errors.E003.format(fmt=fmt, path=name, known=", ".join(sorted(FORMATS))),
        )
        return
    with tempfile.TemporaryDirectory(prefix="nlpkit-zip-") as tmp:
        tmp_path = Path(tmp) / PurePosixPath(name).name
        try:
            with archive.open(info) as src, tmp_path.open("wb") as dst:
                shutil.copyfileobj(src, dst)
        except MEMBER_ERRORS as err:
            rejects.add(member_source, None, _unreadable(err))
            return
        renamed = _RenamedRejects(rejects, str(tmp_path), member_source)
        n, before = 0, rejects.count
        read = FORMATS[fmt].read
        # members of several formats each take the options meant for them
        kwargs = accepted_options(read, options) if auto else options
        for record in read(tmp_path, rejects=renamed, **kwargs):
            record.source = member_source
            if record.id and record.id.startswith(f"{tmp_path.name}:"):
                record.id = f"{name}:{record.id[len(tmp_path.name) + 1 :]}"
            n += 1
            yield record
        if n == 0 and rejects.count == before:
            rejects.add(member_source, None, Errors.E005.format(path=name))


class _RenamedRejects:
    """A view of a Rejects that reports one file under another name."""

    def __init__(self, rejects: Rejects, old: str, new: str):
        self._rejects, self._old, self._new = rejects, old, new

    def add(self, source, line, reason, raw=None) -> None:
        if str(source) == self._old:
            source = self._new
        reason = reason.replace(self._old, self._new)
        self._rejects.add(source, line, reason, raw=raw)

    def __getattr__(self, name):
        return getattr(self._rejects, name)
