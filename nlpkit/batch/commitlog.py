"""The manifest's commit log: committed shards as small files of JSON lines
(`commits-00000007.jsonl`), written by a thread of their own, so a commit costs the
driver O(1) whatever the number of shards, and never blocks the thread that submits
tasks. Each file is written whole (one PUT, or temp + fsync + rename), so object
storage without append works the same as a disk. The manifest replays the files on
load and folds them into manifest.json when the run ends (compaction)."""

from __future__ import annotations

import json
import re
import threading
from typing import Any

from .storage import Storage

LOG_RE = re.compile(r"^commits-(\d{8})\.jsonl$")


def log_names(storage: Storage) -> list[str]:
    """The commit log files in order."""
    return [n for n in storage.names("commits-") if LOG_RE.match(n)]


def replay(storage: Storage, shards: dict[str, Any]) -> int:
    """Apply the commit log to `shards`; RETURNS the next file number."""
    seq = 0
    for name in log_names(storage):
        for line in storage.read_bytes(name).decode("utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                shards[str(item["shard"])] = item["entry"]
        seq = int(LOG_RE.match(name).group(1)) + 1
    return seq


class CommitLog:
    """Appends commits in memory and flushes them every `every` seconds on a
    background thread; a failed write is raised by the next append() or close()."""

    def __init__(self, storage: Storage, *, seq: int = 0, every: float = 0.5):
        self.storage = storage
        self.seq = seq
        self.every = every
        self._pending: list[str] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, name="nlpkit-commit-log", daemon=True
        )
        self._thread.start()

    def append(self, index: int, entry: dict[str, Any]) -> None:
        if self._error is not None:
            raise self._error
        line = json.dumps({"shard": index, "entry": entry}, ensure_ascii=False)
        with self._lock:
            self._pending.append(line)

    def flush(self) -> None:
        with self._lock:
            lines, self._pending = self._pending, []
        if lines:
            name = f"commits-{self.seq:08d}.jsonl"
            self.seq += 1
            self.storage.write_bytes(name, ("\n".join(lines) + "\n").encode("utf-8"))

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.flush()
            except BaseException as err:  # raised in the driver's thread
                self._error = err
                return

    def close(self) -> None:
        """Stop the thread and write what is left."""
        self._stop.set()
        self._thread.join()
        if self._error is not None:
            raise self._error
        self.flush()
