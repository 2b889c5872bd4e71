"""An LLM task over a corpus, with the run discipline of `nlpkit process`.

The docs go through nlpkit.batch.process: sharded output, manifest.json as the commit
point, --resume exactly once, the OUTPUT/.lock. Docs the LLM failed on are written
with doc._.llm_error set and listed once each in OUTPUT/llm_rejects.jsonl: entries of
docs this call processed replace those an earlier, interrupted call left.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Errors

LLM_REJECTS = "llm_rejects.jsonl"


@dataclass
class LLMRunSummary:
    """What `run_llm` did: the batch summary and the LLM component's stats."""

    process: Any  # nlpkit.batch.ProcessSummary
    stats: Any  # nlpkit.components.llm.RunStats
    rejects_file: str

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.process.to_dict(),
            **self.stats.to_dict(),
            "llm_rejects_file": self.rejects_file,
        }


class LLMRunFailed(RuntimeError):
    """Every doc sent to the LLM failed (E417); `summary` has the counts."""

    def __init__(self, message: str, summary: LLMRunSummary):
        super().__init__(message)
        self.summary = summary


def llm_component(nlp, name: str | None = None):
    """The nlpkit_llm component of nlp (by name, or the last one)."""
    from ..components.llm import LLMComponent

    if name is not None:
        return nlp.get_pipe(name)
    found = [proc for _, proc in nlp.pipeline if isinstance(proc, LLMComponent)]
    if not found:
        raise ValueError(f"The pipeline {nlp.pipe_names} has no nlpkit_llm component.")
    return found[-1]


def run_llm(
    nlp,
    inputs: str | Path | Iterable[str | Path],
    output_dir: str | Path,
    *,
    attrs: Sequence[str],
    component: str | None = None,
    timeout: float | None = None,
    resume: bool = False,
    overwrite: bool = False,
    batch_size: int = 16,
    shard_size: int = 100,
    max_reject_rate: float | None = None,
    input_format: str | None = None,
    reader_options: dict | None = None,
    on_total: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> LLMRunSummary:
    """Annotate a corpus with nlp's LLM component through nlpkit.batch.process.

    timeout: seconds per request (HTTP backends); may differ on --resume, as it is
        not part of the pipeline's fingerprint.
    resume / overwrite / shard_size / max_reject_rate / input_format /
        reader_options: as for nlpkit.batch.process (reader_options such as
        {"text_field": "body"} go to the corpus reader).
    on_total: called once with the number of records (for an ETA).
    on_progress: called with a number of records done, per doc as the LLM answers.
    RETURNS (LLMRunSummary): batch counts and LLM stats.
    RAISES: RuntimeError (E416) at once when no server answers at the backend's URL;
        LLMRunFailed (E417) when every doc sent failed; what process raises.
    """
    from ..batch import process

    llm = llm_component(nlp, component)
    backend = llm.backend
    if timeout is not None and hasattr(backend, "timeout"):
        backend.timeout = timeout
    preflight = getattr(backend, "preflight", None)
    if callable(preflight):
        preflight()
    output_dir = Path(output_dir)
    partial = output_dir / f".llm_rejects.{os.getpid()}.partial"
    done_places: set[tuple[str, Any]] = set()
    pending = 0

    def on_doc(doc) -> None:
        nonlocal pending
        done_places.add(_place(doc.user_data.get("source"), doc.user_data.get("line")))
        pending += 1
        if on_progress is not None:
            on_progress(1)

    def on_shard(n: int) -> None:
        # a shard is done (or skipped on resume): count what on_doc did not see
        nonlocal pending
        if on_progress is not None and n > pending:
            on_progress(n - pending)
        pending = 0

    llm.rejects_path = str(partial)
    llm.on_doc = on_doc
    llm.reset_stats()
    try:
        summary = process(
            nlp,
            inputs,
            output_dir,
            attrs=attrs,
            batch_size=batch_size,
            shard_size=shard_size,
            resume=resume,
            overwrite=overwrite,
            max_reject_rate=max_reject_rate,
            input_format=input_format,
            reader_options=reader_options,
            count_first=on_total is not None,
            on_total=on_total,
            on_progress=on_shard,
        )
    finally:
        llm.on_doc = None
        llm.close_rejects()
        forget_pipeline(nlp)
        if done_places or partial.exists():
            merge_rejects(output_dir, partial, done_places, keep_old=resume)
    final = output_dir / LLM_REJECTS
    result = LLMRunSummary(summary, llm.stats, str(final) if final.exists() else "")
    stats = llm.stats
    if stats.docs_routed and stats.failures == stats.docs_routed:
        first = first_reason(final)
        raise LLMRunFailed(
            Errors.E417.format(count=stats.failures, first=first, output=output_dir),
            result,
        )
    return result


def forget_pipeline(nlp) -> None:
    """Drop nlp from the batch worker's in-process pipeline cache after a run, so a
    library caller's pipeline (and its backend) is not kept alive by nlpkit."""
    from ..batch import worker

    for key, value in list(worker._PIPELINES.items()):
        if value is nlp:
            del worker._PIPELINES[key]


def _place(source, line) -> tuple[str, Any]:
    return (str(source), line)


def merge_rejects(
    output_dir: Path, partial: Path, done: set, *, keep_old: bool
) -> None:
    """Write llm_rejects.jsonl atomically: the earlier entries of docs this call did
    not process (keep_old), then this call's entries."""
    final = output_dir / LLM_REJECTS
    entries = []
    if keep_old and final.exists():
        for entry in _read(final):
            if _place(entry.get("source"), entry.get("line")) not in done:
                entries.append(entry)
    if partial.exists():
        entries.extend(_read(partial))
    if entries:
        tmp = final.with_name(f".{LLM_REJECTS}.{os.getpid()}.new")
        with tmp.open("w", encoding="utf-8") as f:
            for entry in entries:
                f.write(json.dumps(entry, ensure_ascii=False) + "\n")
        os.replace(tmp, final)
    else:
        final.unlink(missing_ok=True)
    partial.unlink(missing_ok=True)


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def first_reason(path: Path) -> str:
    if not path.exists():
        return "-"
    entries = _read(path)
    return entries[0]["reason"] if entries else "-"
