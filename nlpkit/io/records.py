"""The record every corpus reader yields, and its conversion to a spaCy Doc."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import CorpusError, Errors

USER_DATA_KEYS = ("id", "meta", "source", "line")


@dataclass
class Record:
    """One document read from a corpus, with the place it came from.

    text (str | None): raw text; None for pre-tokenized records.
    id (str | None): document id, from the corpus or made from source and line.
    meta (dict): any other fields the reader kept.
    words / spaces: tokens for pre-tokenized records (IOB/CoNLL, SST-2).
    ents: entity spans as token offsets [start, end) with a label (pre-tokenized).
    char_spans: entity spans as character offsets [start, end) with a label (raw text).
    cats: text-classification labels, label -> 0.0/1.0.
    source / line: the file (or zip member) and 1-based line the record starts at.
    """

    text: str | None = None
    id: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    words: list[str] | None = None
    spaces: list[bool] | None = None
    ents: list[tuple[int, int, str]] | None = None
    char_spans: list[tuple[int, int, str]] | None = None
    cats: dict[str, float] | None = None
    source: str = ""
    line: int | None = None

    @property
    def place(self) -> str:
        return place(self.source, self.line)

    def get_text(self) -> str:
        if self.text is not None:
            return self.text
        words = self.words or []
        spaces = self.spaces or [True] * len(words)
        return "".join(w + (" " if s else "") for w, s in zip(words, spaces)).rstrip()

    def to_doc(self, nlp_or_vocab) -> Any:
        """Make a spaCy Doc carrying the record's tokens, entities, cats and id.

        nlp_or_vocab (Language | Vocab): tokenizes raw text when a Language is given.
        RETURNS (Doc): the doc; id, meta, source and line are in doc.user_data.
        """
        from spacy.language import Language
        from spacy.tokens import Doc, Span

        vocab = (
            nlp_or_vocab.vocab if isinstance(nlp_or_vocab, Language) else nlp_or_vocab
        )
        if self.words is not None:
            spaces = self.spaces if self.spaces is not None else None
            doc = Doc(vocab, words=self.words, spaces=spaces)
        elif isinstance(nlp_or_vocab, Language):
            doc = nlp_or_vocab.make_doc(self.text or "")
        else:
            doc = Doc(vocab, words=(self.text or "").split())
        spans = []
        for start, end, label in self.ents or []:
            spans.append(Span(doc, start, end, label=label))
        for start, end, label in self.char_spans or []:
            span = doc.char_span(start, end, label=label, alignment_mode="strict")
            if span is None:
                raise CorpusError(
                    Errors.E002.format(
                        place=self.place,
                        reason=f"entity [{start}, {end}) '{label}' does not align "
                        f"with token boundaries ({doc.text[start:end]!r})",
                    ),
                    source=self.source,
                    line=self.line,
                )
            spans.append(span)
        if spans:
            doc.ents = spans
        if self.cats:
            doc.cats = dict(self.cats)
        for key in USER_DATA_KEYS:
            value = getattr(self, key)
            if value is not None and value != {}:
                doc.user_data[key] = value
        return doc


def place(source: str, line: int | None) -> str:
    """A 'file:line' string for messages (just the file when line is unknown)."""
    return f"{source}:{line}" if line is not None else str(source)


def check_length(record: Record | str, max_length: int | None) -> str | None:
    """Why a record is too long to process, or None when it fits.

    record (Record | str): a record, or its text.
    max_length (int | None): the most characters allowed; None or 0 means no limit.
    RETURNS (str | None): "text of N characters exceeds max_length M", or None.
    """
    if not max_length:
        return None
    text = record if isinstance(record, str) else record.get_text()
    if len(text) > max_length:
        return f"text of {len(text)} characters exceeds max_length {max_length}"
    return None
