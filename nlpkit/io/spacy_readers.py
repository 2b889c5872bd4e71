"""spaCy readers (registry.readers) that point a training config at raw corpus files.

Each returns a callable nlp -> Iterator[Example] that re-reads the files on every
call (every epoch), so the corpus is never held in memory.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import registry

from ..errors import Errors, Warnings
from .docbin import iter_docbin_docs
from .formats import detect_format, read_corpus
from .options import READER_DEFAULTS, ReaderOptions
from .records import Record
from .rejects import Rejects
from .sources import expand_inputs

TEXTCAT_FORMATS = ("jsonl", "csv", "tsv", "labelled")
CONFIG_REFERENCE = re.compile(r"\$\{(paths|vars)\.([^}.\s]+)")
# WikiANN writes "en:word"; a two- or three-letter language code and a colon
LANGUAGE_PREFIX = re.compile(r"^([a-z]{2,3}:)\S")
PREFIX_SAMPLE_TOKENS = 1000


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
        strict: bool = READER_DEFAULTS.strict,
    ):
        self.references = references
        self.gold_preproc = gold_preproc
        self.limit = limit
        self.strict = strict
        self._config_checked = False

    def __call__(self, nlp: Language) -> Iterator[Example]:
        if not self._config_checked:
            self._config_checked = True
            warn_unreferenced_settings(nlp.config)
        check_static_vectors(nlp)
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


def check_static_vectors(nlp: Language) -> None:
    """Raise E224 if a component's model reads static vectors that nlp does not have.

    spaCy's training reads the corpus to initialize each component before its model
    sees any data, so this stops the run before thinc fails with an IndexError.
    """
    if nlp.vocab.vectors.shape[0] > 0:
        return
    for name, proc in nlp.pipeline:
        model = getattr(proc, "model", None)
        if model is None or not hasattr(model, "walk"):
            continue
        if any(node.name == "static_vectors" for node in model.walk()):
            raise ValueError(
                Errors.E224.format(component=name, override=_no_vectors_override(nlp))
            )


def unreferenced_settings(config) -> tuple[list[str], list[str]]:
    """Settings of [paths] and [vars] with a value that nothing in config refers to,
    and the ones referred to. A typo in an override (--vars.token_prefx) lands here.
    """
    text = config.to_str(interpolate=False)
    used = {f"{section}.{key}" for section, key in CONFIG_REFERENCE.findall(text)}
    unused = [
        f"{section}.{key}"
        for section in ("paths", "vars")
        for key, value in config.get(section, {}).items()
        if value is not None and f"{section}.{key}" not in used
    ]
    return unused, sorted(used)


def warn_unreferenced_settings(config) -> list[str]:
    """Warn (W204) about [paths]/[vars] settings that have no effect."""
    unused, used = unreferenced_settings(config)
    if unused:
        warnings.warn(
            Warnings.W204.format(names=unused, known=", ".join(used)), stacklevel=3
        )
    return unused


def _no_vectors_override(nlp: Language) -> str:
    """The command-line override(s) that turn static vectors off in nlp's config."""
    found = []

    def visit(section: dict, path: list[str]) -> None:
        for key, value in section.items():
            if isinstance(value, dict):
                visit(value, [*path, key])
            elif key == "include_static_vectors" and value is True:
                found.append(".".join([*path, key]))

    visit(nlp.config.get("components", {}), ["components"])
    if not found:
        return "set include_static_vectors = false in the config"
    return " ".join(f"--{path} false" for path in found)


def corpus_reader(
    path: str | Path, format: str, **options: Any
) -> Callable[[Rejects], Iterable[Record]]:
    """read(rejects): the records of path (files, directories or globs) in format,
    read afresh on every call."""

    def read(rejects: Rejects) -> Iterable[Record]:
        return read_corpus(path, format=format, rejects=rejects, **options)

    return read


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
    scheme: str = READER_DEFAULTS.scheme,
    token_prefix: str | None = READER_DEFAULTS.token_prefix,
    n_sents: int = READER_DEFAULTS.n_sents,
    limit: int = 0,
    columns: list[int] | None = None,
    gold_preproc: bool = False,
    strict: bool = READER_DEFAULTS.strict,
) -> Callable[[Language], Iterator[Example]]:
    """Examples with gold entities from IOB/CoNLL files (a file, directory or glob).

    scheme, token_prefix, n_sents, columns: as nlpkit.io.conll.read_iob.
    strict: raise on a bad sentence; by default it is logged and skipped.
    """
    options = {"scheme": scheme, "token_prefix": token_prefix, "n_sents": n_sents}
    read = corpus_reader(path, "iob", columns=columns, **options)
    references = record_docs(read)
    if not token_prefix:
        references = warn_language_prefix(references, path)
    return ExampleCorpus(
        references, gold_preproc=gold_preproc, limit=limit, strict=strict
    )


def warn_language_prefix(references: References, path: str | Path) -> References:
    """Warn (W203, once) when most tokens start with a prefix like WikiANN's "en:".

    Only the first PREFIX_SAMPLE_TOKENS tokens are looked at.
    """
    checked = []

    def check(counts: Counter, seen: int) -> None:
        checked.append(True)
        if not counts:
            return
        prefix, count = counts.most_common(1)[0]
        if count > seen / 2:
            warnings.warn(
                Warnings.W203.format(share=count / seen, path=path, prefix=prefix),
                stacklevel=2,
            )

    def with_check(nlp: Language, rejects: Rejects) -> Iterator[Doc]:
        counts: Counter = Counter()
        seen = 0
        for doc in references(nlp, rejects):
            if not checked:
                for token in doc:
                    match = LANGUAGE_PREFIX.match(token.text)
                    if match:
                        counts[match.group(1)] += 1
                seen += len(doc)
                if seen >= PREFIX_SAMPLE_TOKENS:
                    check(counts, seen)
            yield doc
        if not checked and seen:
            check(counts, seen)

    return with_check


@registry.readers("nlpkit.JsonlCorpus.v1")
def create_jsonl_corpus(
    path: str | Path,
    text_field: str = READER_DEFAULTS.text_field,
    limit: int = 0,
    id_field: str | None = READER_DEFAULTS.id_field,
    spans_field: str | None = READER_DEFAULTS.spans_field,
    strict: bool = READER_DEFAULTS.strict,
) -> Callable[[Language], Iterator[Example]]:
    """Examples from JSONL, with gold entities (char spans) and cats when present."""
    read = corpus_reader(
        path, "jsonl", text_field=text_field, id_field=id_field, spans_field=spans_field
    )
    return ExampleCorpus(record_docs(read), limit=limit, strict=strict)


@registry.readers("nlpkit.TextCatCorpus.v1")
def create_textcat_corpus(
    path: str | Path,
    format: str | None = None,
    text_field: str = READER_DEFAULTS.text_field,
    label_field: str = READER_DEFAULTS.label_field,
    labels: list[str] | None = None,
    exclusive: bool = True,
    limit: int = 0,
    label_separator: str | None = READER_DEFAULTS.label_separator,
    strict: bool = READER_DEFAULTS.strict,
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
    # each format's reader takes the options it knows (labelled lines: none)
    options = ReaderOptions(
        text_field=text_field, label_field=label_field, label_separator=label_separator
    )

    def read(rejects: Rejects) -> Iterator[Record]:
        for file in expand_inputs(path, rejects=rejects):
            fmt = format or _textcat_format(file)
            if fmt not in TEXTCAT_FORMATS:
                raise ValueError(
                    Errors.E014.format(
                        fmt=fmt, path=file, known=", ".join(TEXTCAT_FORMATS)
                    )
                )
            yield from read_corpus(
                file, format=fmt, rejects=rejects, reader_options=options
            )

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
            yield from iter_docbin_docs(file, nlp.vocab)

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
