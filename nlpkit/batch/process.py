"""Run a spaCy pipeline over a corpus and write the annotations, with rejects."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from ..io import Rejects, open_writer, read_corpus
from ..io.docdict import DEFAULT_ATTRS, doc_to_dict
from ..util import load_pipeline

logger = logging.getLogger("nlpkit")


@dataclass
class ProcessSummary:
    read: int
    written: int
    rejected: int
    seconds: float
    output: str
    rejects_file: str

    @property
    def docs_per_second(self) -> float:
        return self.written / self.seconds if self.seconds else 0.0

    def to_dict(self) -> dict:
        return {**asdict(self), "docs_per_second": round(self.docs_per_second, 1)}


def process(
    model,
    inputs: str | Path | Iterable[str | Path],
    output_dir: str | Path,
    *,
    input_format: str | None = None,
    output_format: str = "jsonl",
    attrs: Sequence[str] = DEFAULT_ATTRS,
    batch_size: int = 256,
    strict: bool = False,
    reader_options: dict | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ProcessSummary:
    """Annotate a corpus with a pipeline and write one output file plus rejects.

    model (str | Path | Language): a pipeline name, path, or loaded Language.
    inputs: files, directories or globs, read by any nlpkit reader.
    output_dir: receives docs.<format> and rejects.jsonl (only if something failed).
    strict: raise on the first bad record instead of writing it to rejects.
    RETURNS (ProcessSummary): read = written + rejected.
    """
    nlp = model if hasattr(model, "pipe") else load_pipeline(model)
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    out_path = output_dir / f"docs.{output_format}"
    rejects_path = output_dir / "rejects.jsonl"
    rejects_path.unlink(missing_ok=True)
    start = time.perf_counter()
    read = 0
    with Rejects(rejects_path, strict=strict) as rejects:
        records = read_corpus(
            inputs, format=input_format, rejects=rejects, **(reader_options or {})
        )

        def docs():
            nonlocal read
            for record in records:
                read += 1
                yield record.to_doc(nlp)

        with open_writer(out_path, output_format) as writer:
            for doc in nlp.pipe(docs(), batch_size=batch_size):
                writer.write(doc_to_dict(doc, attrs))
                if on_progress is not None:
                    on_progress(1)
        # Unreadable lines never became records: count them as read and rejected.
        rejected = rejects.count
    summary = ProcessSummary(
        read=read + rejected,
        written=writer.count,
        rejected=rejected,
        seconds=time.perf_counter() - start,
        output=str(out_path),
        rejects_file=str(rejects_path) if rejected else "",
    )
    logger.debug("Processed %s", summary.to_dict())
    return summary
