"""Where a run's output lives: a local directory or any fsspec URL (s3://, gs://,
abfs://, file://). Credentials come from the environment of each process (AWS_*,
GOOGLE_APPLICATION_CREDENTIALS, FSSPEC_S3_ENDPOINT_URL, ...) and are never written.

The commit protocol needs no atomic rename: every attempt at a shard writes files
under its own name (`docs-00003-<attempt>.jsonl`); the driver alone decides which
attempt wins and records it with its size and SHA-256 in the manifest, the commit
point. On a local file system it then renames the winner to `docs-00003.jsonl`
(cheap and atomic there); on object storage the winner keeps its attempt name.
Losing attempts and orphans of dead workers are deleted when the run ends.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

from ..errors import Errors

HASH_CHUNK = 1 << 20
ATTEMPT_RE = re.compile(r"^(docs|rejects)-(\d+)-([0-9a-f]{12})\.")


def new_attempt() -> str:
    """A name for one execution of a shard, unique across hosts and containers."""
    return uuid.uuid4().hex[:12]


def attempt_name(final: str, attempt: str) -> str:
    """`docs-00003.jsonl` -> `docs-00003-<attempt>.jsonl`."""
    stem, dot, ext = final.partition(".")
    return f"{stem}-{attempt}{dot}{ext}"


def file_digest(path: str | Path) -> tuple[int, str]:
    """Size and SHA-256 of a local file, fsynced first so that the size recorded in
    the manifest is what survives a crash of the node."""
    with open(path, "rb") as f:
        os.fsync(f.fileno())
        return stream_digest(f)


def stream_digest(f) -> tuple[int, str]:
    """Size and SHA-256 of a binary stream, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    size = 0
    while chunk := f.read(HASH_CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


class Storage:
    """A run's output location. Pickles by URL, so a worker opens its own
    file system with its own credentials.

    url (str | Path): a local path or an fsspec URL.
    """

    def __init__(self, url: str | Path):
        import fsspec
        from fsspec.implementations.local import LocalFileSystem

        from ..io.sources import check_no_credentials

        text = check_no_credentials(str(url))
        if "://" not in text:
            text = str(Path(text).resolve())
        self.url = text
        try:
            self.fs, root = fsspec.core.url_to_fs(text)
        except (ImportError, ValueError) as err:
            raise ValueError(Errors.E530.format(url=text, reason=err)) from err
        self.local = isinstance(self.fs, LocalFileSystem)
        self.root = root.rstrip("/") or root

    def __reduce__(self):
        return (Storage, (self.url,))

    def __repr__(self) -> str:
        return f"Storage({self.url!r})"

    def __str__(self) -> str:
        return self.url

    def path(self, name: str) -> str:
        return f"{self.root}/{name}"

    def local_path(self, name: str = "") -> Path:
        return Path(self.root) / name if name else Path(self.root)

    def exists(self, name: str) -> bool:
        return self.fs.exists(self.path(name))

    def size(self, name: str) -> int | None:
        """Size in bytes, None when the file is missing."""
        try:
            return int(self.fs.size(self.path(name)))
        except (FileNotFoundError, OSError):
            return None

    def remove(self, name: str) -> None:
        try:
            self.fs.rm_file(self.path(name))
        except FileNotFoundError:
            pass

    def names(self, prefix: str = "") -> list[str]:
        """Names of the files directly under the root (sorted)."""
        self.fs.invalidate_cache(self.root)
        try:
            entries = self.fs.ls(self.root, detail=False)
        except FileNotFoundError:
            return []
        names = (str(e).rstrip("/").rsplit("/", 1)[-1] for e in entries)
        return sorted(n for n in names if n.startswith(prefix))

    def read_bytes(self, name: str) -> bytes:
        return self.fs.cat_file(self.path(name))

    def write_bytes(self, name: str, data: bytes) -> None:
        """Write a whole file: one PUT on object storage (readers see all or nothing),
        temp + fsync + rename on a local disk."""
        if not self.local:
            self.fs.pipe_file(self.path(name), data)
            return
        path = self.local_path(name)
        tmp = path.with_name(f"{path.name}.tmp-{new_attempt()}")
        try:
            with tmp.open("wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        fd = os.open(path.parent, os.O_RDONLY)  # the rename itself survives a crash
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def open(self, name: str, mode: str = "rb", **kwargs) -> Any:
        return self.fs.open(self.path(name), mode, **kwargs)

    def makedirs(self) -> None:
        self.fs.makedirs(self.root, exist_ok=True)

    def staging_dir(self) -> Path:
        """Where a worker writes an attempt before it is stored: the output directory
        itself on a local disk, a private temp directory otherwise."""
        if self.local:
            return self.local_path()
        return Path(tempfile.mkdtemp(prefix="nlpkit-shard-"))

    def store(self, staged: Path, name: str) -> tuple[int, str]:
        """Put a staged local file under `name`; RETURNS its size and SHA-256."""
        size, sha256 = file_digest(staged)
        if not self.local:
            self.fs.put_file(str(staged), self.path(name))
        elif staged != self.local_path(name):
            shutil.move(staged, self.local_path(name))
        return size, sha256

    def promote(self, name: str, final: str) -> str:
        """The committed file's name: `final` on a local disk (renamed there), the
        attempt name on object storage, where a rename is a full copy."""
        if not self.local:
            return name
        os.replace(self.local_path(name), self.local_path(final))
        return final


def probe_visible(path: str, token: str) -> bool:
    """Run on a worker: whether it sees the driver's probe file with its content."""
    try:
        return Path(path).read_text(encoding="utf-8") == token
    except OSError:
        return False


def inputs_visible(files) -> tuple[int, str, str] | None:
    """Run on a worker: None when it sees every local input as the driver does
    (present, same size; one stat each, nothing read), else how many it does not,
    the first of them and what it finds there.

    files: (path, size on the driver) pairs.
    """
    blind, first = 0, None
    for path, size in files:
        try:
            seen = os.stat(path).st_size
        except OSError as err:
            detail = err.strerror or type(err).__name__
        else:
            if seen == size:
                continue
            detail = f"{seen} bytes there, {size} here"
        blind += 1
        first = first or (path, detail)
    return None if first is None else (blind, *first)
