"""Converting any corpus nlpkit reads into a .spacy (DocBin), JSONL or Parquet file."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import CorpusError, Errors, check_settings
from .docdict import doc_to_dict
from .formats import read_corpus
from .options import READER_DEFAULTS, ReaderOptions
from .rejects import ReadStats, Rejects
from .writers import open_writer

logger = logging.getLogger("nlpkit")


@dataclass
class ConvertSummary:
    """What a conversion did. `read` is counted by the readers, and the run fails
    (E023) unless read == written + rejected."""

    read: int
    written: int
    rejected: int
    output: str
    rejects_path: str | None
    empty_files: int = 0
    skipped_files: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


def convert(
    inputs: str | Path | Iterable[str | Path],
    output: str | Path,
    *,
    format: str | None = None,
    output_format: str | None = None,
    n_sents: int | None = None,
    strict: bool = READER_DEFAULTS.strict,
    rejects_path: str | Path | None = None,
    lang: str = "en",
    shard_size: int = 0,
    overwrite: bool = True,
    max_length: int | None = None,
    max_reject_rate: float | None = None,
    on_progress: Callable[[int], None] | None = None,
    reader_options: ReaderOptions | None = None,
    **options,
) -> ConvertSummary:
    """Read records from inputs and write them as spaCy Docs.

    inputs: files, directories or globs, in any format nlpkit reads. A missing file
        or a glob that matches nothing raises CorpusError before anything is written.
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
    max_length: reject records of more characters than this (None: no limit).
    max_reject_rate: fail (E024) when more than this fraction of the records read
        is rejected (None: never; a run that writes nothing always fails, E022).
    reader_options: reader settings, each passed to the readers that take it.
    options: passed on to the readers (token_prefix, scheme, text_field, ...).
    RETURNS (ConvertSummary): counts of records read, written and rejected. A run
        that fails leaves no output (the rejects file stays, for inspection).
    """
    import spacy

    check_settings(
        Errors.E025,
        [
            (
                "max_length",
                max_length,
                max_length is None or max_length > 0,
                "a positive number of characters",
            ),
            (
                "max_reject_rate",
                max_reject_rate,
                max_reject_rate is None or 0 <= max_reject_rate <= 1,
                "a fraction between 0 and 1",
            ),
        ],
    )
    output = Path(output)
    if rejects_path is None and not strict:
        rejects_path = output.with_name(output.name.split(".")[0] + ".rejects.jsonl")
    if n_sents is not None:
        options["n_sents"] = n_sents
    nlp = spacy.blank(lang)
    # Length is checked by max_length above; spaCy's own limit (E088) would
    # abort the whole run at the first long text.
    nlp.max_length = sys.maxsize
    fmt = output_format or (
        "spacy" if shard_size and not output.suffix else _output_format(output)
    )
    rejects = Rejects(rejects_path, strict=strict)
    stats = ReadStats()
    # checks the inputs now, so a missing one fails before anything is written
    records = read_corpus(
        inputs,
        format=format,
        rejects=rejects,
        stats=stats,
        max_length=max_length,
        reader_options=reader_options,
        **options,
    )
    if rejects_path is not None:
        Path(rejects_path).unlink(missing_ok=True)
    if shard_size:
        writer = ShardedWriter(output, fmt, shard_size, overwrite=overwrite)
    else:
        writer = open_writer(output, fmt, overwrite=overwrite)
    made = 0
    with rejects, writer:
        for record in records:
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
        summary = ConvertSummary(
            read=stats.read,
            written=writer.count,
            rejected=rejects.count,
            output=str(output),
            rejects_path=str(rejects_path) if rejects.count and rejects_path else None,
            empty_files=stats.empty_files,
            skipped_files=stats.skipped_files,
        )
        # raised inside the with: a failed run leaves no output behind
        check_summary(summary, rejects.first, max_reject_rate)
    logger.info("converted %s", summary.to_dict())
    return summary


def check_summary(
    summary: ConvertSummary, first: str | None, max_reject_rate: float | None
) -> None:
    """Raise CorpusError when a conversion lost records, wrote nothing, or rejected
    more than max_reject_rate of what it read."""
    total = summary.written + summary.rejected
    if summary.read != total:
        raise CorpusError(
            Errors.E023.format(
                output=summary.output,
                read=summary.read,
                written=summary.written,
                rejected=summary.rejected,
                total=total,
                lost=summary.read - total,
            )
        )
    if summary.written == 0:
        if summary.rejected:
            cause = (
                f"all {summary.rejected} record(s) rejected, see "
                f"{summary.rejects_path}; first reason: {first}"
            )
        else:
            cause = "no records in the input"
            if summary.empty_files or summary.skipped_files:
                cause += (
                    f" ({summary.empty_files} empty file(s), "
                    f"{summary.skipped_files} skipped file(s))"
                )
        raise CorpusError(Errors.E022.format(output=summary.output, cause=cause))
    if max_reject_rate is not None and summary.rejected / summary.read > (
        max_reject_rate
    ):
        raise CorpusError(
            Errors.E024.format(
                rejected=summary.rejected,
                read=summary.read,
                rate=summary.rejected / summary.read,
                limit=max_reject_rate,
                rejects=summary.rejects_path,
                first=first,
            )
        )


class ShardedWriter:
    """Writes numbered files of at most shard_size items into a directory."""

    def __init__(self, directory: Path, fmt: str, shard_size: int, **options):
        self.directory = Path(directory)
        self.fmt, self.shard_size, self.options = fmt, shard_size, options
        self.directory.mkdir(parents=True, exist_ok=True)
        self.count = 0
        self._current = None
        self._n = 0
        self._done: list[Path] = []

    def write(self, item) -> None:
        if self._current is None or self._current.count >= self.shard_size:
            if self._current is not None:
                self._current.close()
                self._done.append(self._current.path)
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
        if exc_type is not None:
            # a failed run leaves no output, as a single-file writer does
            for path in self._done:
                path.unlink(missing_ok=True)


def _output_format(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    return {"ndjson": "jsonl", "docbin": "spacy"}.get(suffix, suffix)
