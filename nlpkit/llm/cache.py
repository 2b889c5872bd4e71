"""A disk cache of LLM results keyed by backend/model, prompt and settings (SQLite).

Only answers the caller accepted are stored (for the component: answers its task
parsed), so a rerun asks again for anything that failed instead of replaying it.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

from .types import GenerationSettings, Result

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, backend TEXT, "
    "prompt TEXT, settings TEXT, text TEXT, tokens_in INTEGER, tokens_out INTEGER)"
)


def cache_key(backend_key: str, prompt: str, settings: GenerationSettings) -> str:
    """A stable SHA-256 over backend identity, prompt and generation settings."""
    blob = json.dumps(
        [backend_key, prompt, settings.to_dict()], sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class ResultCache:
    """Successful results stored in one SQLite file; only plain text and numbers.

    path (str | Path): the database file (parent folders are created).
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(str(self.path), check_same_thread=False)
        with self._lock, self._conn:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute(SCHEMA)

    def get(self, key: str) -> Result | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT text, tokens_in, tokens_out FROM results WHERE key = ?", (key,)
            ).fetchone()
        if row is None:
            return None
        return Result(
            text=row[0], tokens_in=row[1], tokens_out=row[2], cached=True, attempts=0
        )

    def put(
        self,
        key: str,
        backend: str,
        prompt: str,
        settings: GenerationSettings,
        result: Result,
    ) -> None:
        """Store a successful result; failed results are never cached."""
        if not result.ok:
            return
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    backend,
                    prompt,
                    json.dumps(settings.to_dict()),
                    result.text,
                    result.tokens_in,
                    result.tokens_out,
                ),
            )

    def delete(self, key: str) -> None:
        with self._lock, self._conn:
            self._conn.execute("DELETE FROM results WHERE key = ?", (key,))

    def __len__(self) -> int:
        with self._lock:
            return self._conn.execute("SELECT COUNT(*) FROM results").fetchone()[0]

    def clear(self) -> None:
        with self._lock, self._conn:
            self._conn.execute("DELETE FROM results")

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def generate_cached(
    backend,
    prompts,
    settings: GenerationSettings,
    cache: ResultCache | None,
    *,
    accept: Callable[[int, Result], bool] | None = None,
) -> list[Result]:
    """Results for prompts, sending only those the cache holds no usable answer for.

    backend (Backend): sends the misses, concurrently where it can.
    cache (ResultCache | None): None bypasses the cache entirely.
    accept (Callable[[int, Result], bool] | None): whether the successful answer to
        prompts[i] is usable (e.g. the task parsed it). Only accepted answers are
        stored; a cached answer it refuses is dropped and asked for again. None
        accepts every successful answer.
    RETURNS (list[Result]): one per prompt, in order; cached ones have cached=True.
    """
    if cache is None:
        return backend.generate_batch(list(prompts), settings)
    keys = [cache_key(backend.cache_key, p, settings) for p in prompts]
    results: list[Result | None] = []
    for i, key in enumerate(keys):
        hit = cache.get(key)
        if hit is not None and accept is not None and not accept(i, hit):
            cache.delete(key)  # stored by an older nlpkit, or the task changed
            hit = None
        results.append(hit)
    # identical prompts in one batch are sent once
    todo: dict[str, list[int]] = {}
    for i, r in enumerate(results):
        if r is None:
            todo.setdefault(keys[i], []).append(i)
    if todo:
        firsts = [idxs[0] for idxs in todo.values()]
        fresh = backend.generate_batch([prompts[i] for i in firsts], settings)
        for idxs, result in zip(todo.values(), fresh):
            first = idxs[0]
            usable = result.ok and (accept is None or accept(first, result))
            if usable:
                cache.put(
                    keys[first], backend.cache_key, prompts[first], settings, result
                )
            results[first] = result
            for j in idxs[1:]:
                results[j] = Result(
                    text=result.text,
                    tokens_in=0,
                    tokens_out=0,
                    error=result.error,
                    cached=usable,
                    attempts=0,
                    meta=dict(result.meta),
                )
    return results  # type: ignore[return-value]
