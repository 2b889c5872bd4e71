"""The run manifest: what was asked, of which input and pipeline, and which shards
are done, with the committed attempt's file names, sizes and SHA-256. Only the driver
writes it, always whole (one PUT on object storage, temp + rename on a disk); it is
the commit point of a shard, so a shard not in the manifest is redone on resume."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

from ..about import __version__
from ..errors import Errors
from .commitlog import CommitLog, log_names, replay
from .storage import Storage, stream_digest

MANIFEST = "manifest.json"


def file_fingerprint(path: str | Path, *, content: bool = False) -> dict[str, Any]:
    """Path, size and modification time of an input; with content=True
    (--fingerprint content) also the SHA-256 of the whole file, streamed through
    fsspec, so that a file touched or copied with the same bytes resumes.

    A URL's fingerprint comes from `fs.info()`: size plus the ETag where the
    backend gives one (S3 `ETag`, GCS `md5Hash`: a new upload of the same bytes
    keeps it), else the last-modified time (`LastModified`, `mtime`, `updated`).
    """
    text = str(path)
    if "://" in text:
        import fsspec

        fs, root = fsspec.core.url_to_fs(text)
        info = fs.info(root)
        found = {"path": text, "size": int(info["size"])}
        for key in ("ETag", "etag", "md5Hash"):
            if info.get(key):
                found["etag"] = str(info[key])
                break
        else:
            for key in ("LastModified", "mtime", "updated", "last_modified"):
                if info.get(key):
                    found["mtime"] = str(info[key])
                    break
    else:
        stat = Path(text).stat()
        found = {
            "path": str(Path(text).resolve()),
            "size": stat.st_size,
            "mtime_ns": stat.st_mtime_ns,
        }
    if content:
        import fsspec

        with fsspec.open(text, "rb") as f:
            found["sha256"] = stream_digest(f)[1]
    return found


def pipeline_fingerprint(nlp) -> dict[str, Any]:
    """Name, version, components and hashes of the config and of the weights."""
    config = nlp.config.to_str()
    weights = hashlib.sha256()
    for name, proc in nlp.pipeline:
        weights.update(name.encode())
        if hasattr(proc, "to_bytes"):
            try:
                weights.update(proc.to_bytes(exclude=["vocab"]))
            except (TypeError, NotImplementedError, ValueError):
                weights.update(b"<no bytes>")
    meta = nlp.meta
    return {
        "name": f"{meta.get('lang', nlp.lang)}_{meta.get('name', '')}",
        "version": meta.get("version", ""),
        "components": list(nlp.pipe_names),
        "config_sha256": hashlib.sha256(config.encode()).hexdigest(),
        "weights_sha256": weights.hexdigest(),
    }


def compare_inputs(old: list[dict], new: list[dict]) -> str | None:
    """None when the inputs are the same files with the same content, else why not."""
    old_paths = [item["path"] for item in old]
    new_paths = [item["path"] for item in new]
    if old_paths != new_paths:
        added = sorted(set(new_paths) - set(old_paths))
        removed = sorted(set(old_paths) - set(new_paths))
        parts = []
        if added:
            parts.append(f"new file(s) {', '.join(added[:3])}")
        if removed:
            parts.append(f"missing file(s) {', '.join(removed[:3])}")
        return "; ".join(parts) or "the files are in a different order"
    for before, after in zip(old, new):
        if before["size"] != after["size"]:
            return (
                f"{after['path']} is {after['size']} bytes, was {before['size']} bytes"
            )
        if "sha256" in before and "sha256" in after:
            if before["sha256"] != after["sha256"]:
                return f"{after['path']} has different content (SHA-256 differs)"
            continue
        for key in ("etag", "mtime_ns", "mtime"):
            if key in before and key in after and before[key] != after[key]:
                return (
                    f"{after['path']} was modified since ({key} {before[key]} -> "
                    f"{after[key]}). This run compares size and modification time "
                    "(--fingerprint stat); if the bytes are the same, restore the "
                    "time (touch -d), or start runs with --fingerprint content to "
                    "compare bytes"
                )
    return None


def compare_dicts(old: dict, new: dict) -> str | None:
    diffs = [
        f"{key}: {old.get(key)!r} -> {new.get(key)!r}"
        for key in sorted(set(old) | set(new))
        if old.get(key) != new.get(key)
    ]
    return "; ".join(diffs) if diffs else None


class Manifest:
    """The manifest of one output directory.

    inputs: file fingerprints; pipeline: pipeline fingerprint; options: the settings
    that shape the output (shard size, formats, attributes). shards maps the shard
    number (as a string, JSON keys) to its counts and file names.
    """

    def __init__(self, directory: Storage | str | Path, data: dict[str, Any]):
        self.storage = as_storage(directory)
        self.directory = self.storage.url
        self.path = self.storage.path(MANIFEST)
        self.data = data
        self._saved_at = 0.0
        self._dirty = False
        self.log: CommitLog | None = None
        self._log_seq = 0

    @classmethod
    def new(cls, directory, *, inputs, pipeline, options) -> Manifest:
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        data = {
            "nlpkit_version": __version__,
            "created": now,
            "updated": now,
            "status": "running",
            "inputs": inputs,
            "pipeline": pipeline,
            "options": options,
            "n_shards": None,
            "shards": {},
        }
        return cls(directory, data)

    @classmethod
    def load(cls, directory) -> Manifest:
        storage = as_storage(directory)
        path = storage.path(MANIFEST)
        try:
            data = json.loads(storage.read_bytes(MANIFEST).decode("utf-8"))
            if not isinstance(data.get("shards"), dict):
                raise ValueError("no 'shards' table")
        except (OSError, ValueError) as err:
            raise ValueError(Errors.E508.format(path=path, reason=err)) from err
        manifest = cls(storage, data)
        manifest._log_seq = replay(storage, manifest.shards)
        return manifest

    def check_compatible(self, *, inputs, pipeline, options) -> None:
        """Raise a numbered ValueError if input, pipeline or options changed
        (inputs: by size and modification time, or by content where both runs
        hashed it)."""
        where = self.directory
        detail = compare_inputs(self.data["inputs"], inputs)
        if detail:
            raise ValueError(Errors.E503.format(path=where, detail=detail))
        detail = compare_dicts(self.data["pipeline"], pipeline)
        if detail:
            raise ValueError(Errors.E504.format(path=where, detail=detail))
        detail = compare_dicts(self.data["options"], options)
        if detail:
            raise ValueError(Errors.E505.format(path=where, detail=detail))
        # Same content (hashed); refresh mtimes so a `touch` is not reported again.
        self.data["inputs"] = inputs

    @property
    def shards(self) -> dict[str, dict[str, Any]]:
        return self.data["shards"]

    def is_done(self, index: int) -> bool:
        return str(index) in self.shards

    def forget(self, index: int) -> None:
        self.shards.pop(str(index), None)
        self._dirty = True

    def record(self, index: int, entry: dict[str, Any]) -> None:
        """Commit shard `index`: in the commit log if one is open (O(1), written by
        its thread), else at the next save()."""
        self.shards[str(index)] = entry
        self._dirty = True
        if self.log is not None:
            self.log.append(index, entry)

    def open_log(self, *, every: float = 0.5) -> None:
        """Record commits in an append-only commit log until the next full save."""
        if self.log is None:
            self.log = CommitLog(self.storage, seq=self._log_seq, every=every)

    def totals(self) -> dict[str, int]:
        keys = ("read", "written", "rejected", "words")
        return {k: sum(s.get(k, 0) for s in self.shards.values()) for k in keys}

    def save(self, *, status: str | None = None, every: float = 0.0) -> bool:
        """Write the manifest atomically; with `every`, at most once per that many
        seconds (a shard done but not yet saved is only redone on resume). A full
        save closes the commit log and folds it in (compaction)."""
        if self.log is not None:
            if every:
                return False
            self.log.close()
            self.log = None
        if status is not None:
            self._dirty = self._dirty or status != self.data["status"]
            self.data["status"] = status
        now = time.monotonic()
        if every and now - self._saved_at < every:
            return False
        self.data["updated"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        self.data["totals"] = self.totals()
        text = json.dumps(self.data, indent=1, ensure_ascii=False)
        self.storage.write_bytes(MANIFEST, text.encode("utf-8"))
        self._saved_at = now
        self._dirty = False
        for name in log_names(self.storage):
            self.storage.remove(name)
        self._log_seq = 0
        return True

    @property
    def dirty(self) -> bool:
        return self._dirty


def as_storage(directory) -> Storage:
    return directory if isinstance(directory, Storage) else Storage(directory)
