"""spaCy readers (registry.readers) that point a training config at raw corpus files.

Each returns a callable nlp -> Iterator[Example] that re-reads the files on every
call (every epoch), so the corpus is never held in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, DocBin
from spacy.training import Example
from spacy.util import registry

from ..errors import Errors
from .formats import detect_format, read_corpus
from .records import Record
from .rejects import Rejects
from .sources import expand_inputs

TEXTCAT_FORMATS = ("jsonl", "csv", "tsv", "labelled")


References = Callable[[Language, Rejects], Iterable[Doc]]


class ExampleCorpus:
    """Examples whose reference docs carry the gold annotation, made afresh per call.

    references (Callable[[Language, Rejects], Iterable[Doc]]): yields gold docs.
    gold_preproc (bool): predicted docs use the gold words; otherwise they come
        from nlp.make_doc(text), as spacy.Corpus.v1 does.
    limit (int): stop after this many examples (0: no limit).
    strict (bool): raise on the first bad record; otherwise log it and go on.
    """

    def __init__(
        self,
        references: References,
        *,
        gold_preproc: bool = False,
        limit: int = 0,
        strict: bool = False,
    ):
        self.references = references
        self.gold_preproc = gold_preproc
        self.limit = limit
        self.strict = strict

    def __call__(self, nlp: Language) -> Iterator[Example]:
        n = 0
        with Rejects(strict=self.strict) as rejects:
            for reference in self.references(nlp, rejects):
                if self.gold_preproc:
                    predicted = Doc(
                        nlp.vocab,
                        words=[t.text for t in reference],
                        spaces=[bool(t.whitespace_) for t in reference],
                    )
                else:
                    predicted = nlp.make_doc(reference.text)
                yield Example(predicted, reference)
                n += 1
                if self.limit and n >= self.limit:
                    break


def record_docs(
    read: Callable[[Rejects], Iterable[Record]],
    make_reference: Callable[[Language, Record], Doc] | None = None,
) -> References:
    """Gold docs from records; a record that cannot become a doc is rejected."""
    make_reference = make_reference or (lambda nlp, record: record.to_doc(nlp))

    def references(nlp: Language, rejects: Rejects) -> Iterator[Doc]:
        for record in read(rejects):
            try:
                yield make_reference(nlp, record)
            except ValueError as err:
                rejects.add(record.source, record.line, str(err))

    return references


@registry.readers("nlpkit.IOBCorpus.v1")
def create_iob_corpus(
    path: str | Path,
    scheme: str = "auto",
    token_prefix: str | None = None,
    n_sents: int = 1,
    limit: int = 0,
    columns: list[int] | None = None,
    gold_preproc: bool = False,
    strict: bool = False,
) -> Callable[[Language], Iterator[Example]]:
    """Examples with gold entities from IOB/CoNLL files (a file, directory or glob).

    scheme, token_prefix, n_sents, columns: as nlpkit.io.conll.read_iob.
    strict: raise on a bad sentence; by default it is logged and skipped.
    """

    def read(rejects: Rejects) -> Iterable[Record]:
        return read_corpus(
            path,
            format="iob",
            rejects=rejects,
            scheme=scheme,
            token_prefix=token_prefix,
            n_sents=n_sents,
            columns=columns,
        )

    return ExampleCorpus(
        record_docs(read), gold_preproc=gold_preproc, limit=limit, strict=strict
    )


@registry.readers("nlpkit.JsonlCorpus.v1")
def create_jsonl_corpus(
    path: str | Path,
    text_field: str = "text",
    limit: int = 0,
    id_field: str | None = "id",
    spans_field: str | None = "entities",
    strict: bool = False,
) -> Callable[[Language], Iterator[Example]]:
    """Examples from JSONL, with gold entities (char spans) and cats when present."""

    def read(rejects: Rejects) -> Iterable[Record]:
        return read_corpus(
            path,
            format="jsonl",
            rejects=rejects,
            text_field=text_field,
            id_field=id_field,
            spans_field=spans_field,
        )

    return ExampleCorpus(record_docs(read), limit=limit, strict=strict)


@registry.readers("nlpkit.TextCatCorpus.v1")
def create_textcat_corpus(
    path: str | Path,
    format: str | None = None,
    text_field: str = "text",
    label_field: str = "label",
    labels: list[str] | None = None,
    exclusive: bool = True,
    limit: int = 0,
    label_separator: str | None = None,
    strict: bool = False,
) -> Callable[[Language], Iterator[Example]]:
    """Examples with gold cats from JSONL, CSV/TSV or SST-2 `label sentence` files.

    format: "jsonl", "csv", "tsv" or "labelled"; inferred from the extension when
        None (a .txt file is read as labelled lines).
    text_field / label_field: the JSONL field or CSV column with the text / label.
    labels: every label; None collects them in one pass over the files.
    exclusive: each record must have exactly one label.
    Gold cats give 1.0 to the record's labels and 0.0 to every other known label.
    """
    known: list[str] = list(labels or [])

    def read(rejects: Rejects) -> Iterator[Record]:
        for file in expand_inputs(path, rejects=rejects):
            fmt = format or _textcat_format(file)
            if fmt not in TEXTCAT_FORMATS:
                raise ValueError(
                    Errors.E014.format(
                        fmt=fmt, path=file, known=", ".join(TEXTCAT_FORMATS)
                    )
                )
            if fmt == "jsonl":
                options = {"text_field": text_field, "label_field": label_field}
            elif fmt in ("csv", "tsv"):
                options = {
                    "text_column": text_field,
                    "label_column": label_field,
                    "label_separator": label_separator,
                }
            else:
                options = {}
            yield from read_corpus(file, format=fmt, rejects=rejects, **options)

    def make_reference(nlp: Language, record: Record) -> Doc:
        if not known:
            known.extend(_collect_labels(read))
        given = {k for k, v in (record.cats or {}).items() if v > 0.5}
        unknown = given - set(known)
        if unknown:
            raise ValueError(f"label(s) {sorted(unknown)} not in labels {known}")
        if exclusive and len(given) != 1:
            raise ValueError(
                Errors.E015.format(path=record.place, labels=sorted(given) or "none")
            )
        record.cats = {label: float(label in given) for label in known}
        return record.to_doc(nlp)

    return ExampleCorpus(record_docs(read, make_reference), limit=limit, strict=strict)


@registry.readers("nlpkit.DocBinCorpus.v1")
def create_docbin_corpus(
    path: str | Path, limit: int = 0, gold_preproc: bool = False
) -> Callable[[Language], Iterator[Example]]:
    """Examples from .spacy (DocBin) files, one file in memory at a time."""

    def references(nlp: Language, rejects: Rejects) -> Iterator[Doc]:
        for file in expand_inputs(path, rejects=rejects):
            yield from DocBin().from_disk(file).get_docs(nlp.vocab)

    return ExampleCorpus(references, gold_preproc=gold_preproc, limit=limit)


def _textcat_format(path: Path) -> str:
    name = path.name.lower().removesuffix(".gz")
    if name.endswith(".txt"):
        return "labelled"
    return detect_format(path)


def _collect_labels(read) -> list[str]:
    labels: set[str] = set()
    with Rejects() as rejects:
        for record in read(rejects):
            labels.update(record.cats or {})
    return sorted(labels)
