"""The driver's side of the commit protocol (see storage.py): commit one attempt per
shard in the manifest, check a committed shard before skipping it on resume, and
delete what no manifest entry names (losing attempts, orphans of dead workers)."""

from __future__ import annotations

import logging
from typing import Any

from ..errors import Warnings
from .manifest import Manifest
from .shards import ShardResult, docs_name, rejects_name
from .storage import ATTEMPT_RE, Storage

logger = logging.getLogger("nlpkit")


def commit(storage: Storage, manifest: Manifest, result: ShardResult) -> bool:
    """Record `result` as its shard's committed attempt, unless one already is.

    RETURNS (bool): True if this attempt won; a later attempt at a committed shard
    (two executions of one task racing) is deleted and changes nothing.
    """
    if manifest.is_done(result.index):
        for name in (result.docs, result.rejects):
            if name and name not in committed_names(manifest):
                storage.remove(name)
        return False
    entry = result.manifest_entry()
    fmt = result.docs.rsplit(".", 1)[-1]
    entry["docs"] = storage.promote(result.docs, docs_name(result.index, fmt))
    if result.rejects:
        entry["rejects"] = storage.promote(result.rejects, rejects_name(result.index))
    manifest.record(result.index, entry)
    return True


def is_committed(storage: Storage, manifest: Manifest, index: int) -> bool:
    """Whether shard `index` is done: in the manifest, and its files there at the
    committed size (a shard truncated by a node crash is redone, W511)."""
    entry: dict[str, Any] | None = manifest.shards.get(str(index))
    if entry is None:
        return False
    for name, key in (
        (entry["docs"], "docs_size"),
        (entry.get("rejects"), "rejects_size"),
    ):
        if not name:
            continue
        size = storage.size(name)
        expected = entry.get(key)
        if size is None:
            logger.warning(Warnings.W501.format(shard=index, path=storage.path(name)))
        elif expected is not None and size != expected:
            logger.warning(
                Warnings.W511.format(
                    shard=index, path=storage.path(name), size=size, expected=expected
                )
            )
        else:
            continue
        manifest.forget(index)
        return False
    return True


def committed_names(manifest: Manifest) -> set[str]:
    names = set()
    for entry in manifest.shards.values():
        names.add(entry["docs"])
        if entry.get("rejects"):
            names.add(entry["rejects"])
    return names


def remove_orphans(storage: Storage, manifest: Manifest) -> int:
    """Delete attempts no manifest entry names and writers' temp files.

    Call it only when no worker of this run can still be writing (at the start of a
    run holding the lock, or after the backend closed).
    RETURNS (int): files deleted.
    """
    keep = committed_names(manifest)
    removed = 0
    for name in storage.names():
        orphan = ATTEMPT_RE.match(name) and name not in keep
        if orphan or ".tmp-" in name:
            storage.remove(name)
            removed += 1
    return removed
