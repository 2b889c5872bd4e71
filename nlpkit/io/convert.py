"""Converting any corpus nlpkit reads into a .spacy (DocBin), JSONL or Parquet file."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import CorpusError
from .docdict import doc_to_dict
from .formats import read_corpus
from .rejects import Rejects
from .writers import open_writer

logger = logging.getLogger("nlpkit")


@dataclass
class ConvertSummary:
    """What a conversion did; read == written + rejected."""

    read: int
    written: int
    rejected: int
    output: str
    rejects_path: str | None

    def to_dict(self) -> dict:
        return asdict(self)


def convert(
    inputs: str | Path | Iterable[str | Path],
    output: str | Path,
    *,
    format: str | None = None,
    output_format: str | None = None,
    n_sents: int | None = None,
    strict: bool = False,
    rejects_path: str | Path | None = None,
    lang: str = "en",
    shard_size: int = 0,
    overwrite: bool = True,
    on_progress: Callable[[int], None] | None = None,
    **options,
) -> ConvertSummary:
    """Read records from inputs and write them as spaCy Docs.

    inputs: files, directories or globs, in any format nlpkit reads.
    output: a .spacy file (DocBin), or .jsonl / .parquet (doc_to_dict rows).
    format: the input format (inferred per file from its extension when None).
    n_sents: sentences per doc, for IOB/CoNLL inputs.
    strict: stop at the first bad record (CorpusError); otherwise bad records go
        to rejects_path (default '<output stem>.rejects.jsonl' beside the output).
    lang: language of the blank pipeline that tokenizes raw-text records.
    shard_size: when > 0, output is a directory of numbered files of at most this
        many docs each (00000.spacy, ...), so memory stays flat on any corpus size
        (a DocBin is written in one piece); spaCy and nlpkit readers take the
        directory as a path.
    options: passed on to the readers (token_prefix, scheme, text_field, ...).
    RETURNS (ConvertSummary): counts of records read, written and rejected.
    """
    import spacy

    output = Path(output)
    if rejects_path is None and not strict:
        rejects_path = output.with_name(output.name.split(".")[0] + ".rejects.jsonl")
    if rejects_path is not None:
        Path(rejects_path).unlink(missing_ok=True)
    if n_sents is not None:
        options["n_sents"] = n_sents
    nlp = spacy.blank(lang)
    fmt = output_format or (
        "spacy" if shard_size and not output.suffix else _output_format(output)
    )
    rejects = Rejects(rejects_path, strict=strict)
    if shard_size:
        writer = ShardedWriter(output, fmt, shard_size, overwrite=overwrite)
    else:
        writer = open_writer(output, fmt, overwrite=overwrite)
    made = 0
    with rejects, writer:
        for record in read_corpus(inputs, format=format, rejects=rejects, **options):
            made += 1
            try:
                doc = record.to_doc(nlp)
            except CorpusError as err:
                # the error already names the place: keep only the reason
                reason = str(err).split(f"{record.place}: ", 1)[-1]
                rejects.add(record.source, record.line, reason)
            else:
                writer.write(doc if fmt == "spacy" else doc_to_dict(doc))
            if on_progress is not None and made % 100 == 0:
                on_progress(100)
        if on_progress is not None and made % 100:
            on_progress(made % 100)
    written = writer.count
    rejected = rejects.count
    summary = ConvertSummary(
        read=written + rejected,
        written=written,
        rejected=rejected,
        output=str(output),
        rejects_path=str(rejects_path) if rejected and rejects_path else None,
    )
    logger.info("converted %s", summary.to_dict())
    return summary


class ShardedWriter:
    """Writes numbered files of at most shard_size items into a directory."""

    def __init__(self, directory: Path, fmt: str, shard_size: int, **options):
        self.directory = Path(directory)
        self.fmt, self.shard_size, self.options = fmt, shard_size, options
        self.directory.mkdir(parents=True, exist_ok=True)
        self.count = 0
        self._current = None
        self._n = 0

    def write(self, item) -> None:
        if self._current is None or self._current.count >= self.shard_size:
            if self._current is not None:
                self._current.close()
            path = self.directory / f"{self._n:05d}.{self.fmt}"
            self._current = open_writer(path, self.fmt, **self.options)
            self._n += 1
        self._current.write(item)
        self.count += 1

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if self._current is not None:
            if exc_type is None:
                self._current.close()
            else:
                self._current.abort()


def _output_format(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    return {"ndjson": "jsonl", "docbin": "spacy"}.get(suffix, suffix)
