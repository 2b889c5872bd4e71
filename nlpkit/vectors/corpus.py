"""Token streams for training and counting: a fast regex tokenizer, spaCy optional."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Literal

from ..errors import Errors

Context = Literal["document", "sentence", "line"]
TOKEN_RE = re.compile(r"\w+(?:['’\-]\w+)*", re.UNICODE)
SENT_RE = re.compile(r"(?<=[.!?])\s+|\n\s*\n")
CONTEXTS = ("document", "sentence", "line")


def simple_tokenize(text: str, *, lowercase: bool = True) -> list[str]:
    """Split text into word tokens (letters, digits, inner hyphens/apostrophes).

    text (str): the text.
    lowercase (bool): lowercase the text first.
    RETURNS (list[str]): the tokens, punctuation dropped.
    """
    if lowercase:
        text = text.lower()
    return TOKEN_RE.findall(text)


def split_sentences(text: str) -> list[str]:
    """Split text into sentences at . ! ? followed by space, and at blank lines."""
    return [s for s in SENT_RE.split(text) if s.strip()]


def spacy_tokenizer(
    model: str = "en", *, lowercase: bool = True
) -> Callable[[str], list[str]]:
    """A tokenize(text) function backed by a spaCy tokenizer (blank `model` language
    code, or an installed pipeline name / path).

    RETURNS (Callable[[str], list[str]]): tokens without punctuation or spaces.
    """
    import spacy

    if len(model) <= 3:
        nlp = spacy.blank(model)
    else:
        nlp = spacy.load(model, exclude=["tagger", "parser", "ner", "lemmatizer"])

    def tokenize(text: str) -> list[str]:
        return [
            (t.lower_ if lowercase else t.text)
            for t in nlp.make_doc(text)
            if not (t.is_punct or t.is_space)
        ]

    return tokenize


class TokenCorpus:
    """A re-iterable stream of token lists (one per context) read from a corpus.

    Each pass re-reads the inputs, so memory stays constant whatever the corpus size;
    gensim and the counters iterate it several times.
    """

    def __init__(
        self,
        inputs=None,
        *,
        texts: Iterable[str] | None = None,
        format: str | None = None,
        context: Context = "line",
        lowercase: bool = True,
        tokenizer: str | Callable[[str], list[str]] = "simple",
        min_length: int = 1,
        **read_options,
    ):
        """Set up the stream.

        inputs: files, directories or globs read with nlpkit.io.read_corpus.
        texts (Iterable[str] | None): in-memory texts instead of (or with no) inputs;
            must be re-iterable (a list) to allow several passes.
        context (str): "document" (one token list per record), "sentence" (split
            each record into sentences) or "line" (one per record line).
        tokenizer: "simple" (regex), "whitespace" (pre-tokenized text), "spacy"
            (blank English) or a callable.
        read_options: passed to read_corpus (e.g. text_field, mode).
        """
        if context not in CONTEXTS:
            raise ValueError(
                Errors.E107.format(
                    what="context", value=context, known=", ".join(CONTEXTS)
                )
            )
        self.inputs = inputs
        self.texts = texts
        self.format = format
        self.context = context
        self.lowercase = lowercase
        self.min_length = min_length
        self.read_options = read_options
        # the fast path for plain token files (tokenfile.py) needs to know the rule
        self.tokenizer_name = None if callable(tokenizer) else tokenizer
        if callable(tokenizer):
            self.tokenize = tokenizer
        elif tokenizer == "simple":
            self.tokenize = lambda text: simple_tokenize(text, lowercase=lowercase)
        elif tokenizer == "whitespace":
            if lowercase:
                self.tokenize = lambda text: text.lower().split()
            else:
                self.tokenize = str.split
        elif tokenizer == "spacy":
            self.tokenize = spacy_tokenizer("en", lowercase=lowercase)
        else:
            raise ValueError(
                Errors.E107.format(
                    what="tokenizer", value=tokenizer, known="simple, whitespace, spacy"
                )
            )

    @property
    def source(self) -> str:
        if self.inputs is None:
            return "<texts>"
        if isinstance(self.inputs, (str, Path)):
            return str(self.inputs)
        return ", ".join(str(p) for p in self.inputs)

    def iter_texts(self) -> Iterator[str]:
        if self.texts is not None:
            yield from self.texts
        if self.inputs is not None:
            from ..errors import CorpusError
            from ..io import detect_format, expand_inputs, read_corpus

            for path in expand_inputs(self.inputs):
                fmt = self.format
                if fmt is None:
                    try:
                        fmt = detect_format(path)
                    except CorpusError:
                        fmt = "txt"  # .cor, .tok and other plain-text corpora
                for record in read_corpus(path, format=fmt, **self.read_options):
                    yield record.get_text()

    def __iter__(self) -> Iterator[list[str]]:
        tokenize = self.tokenize
        for text in self.iter_texts():
            if self.context == "document":
                parts = [text]
            elif self.context == "sentence":
                parts = split_sentences(text)
            else:
                parts = text.splitlines()
            for part in parts:
                tokens = tokenize(part)
                if len(tokens) >= self.min_length:
                    yield tokens


def as_token_corpus(corpus, **options) -> Iterable[list[str]]:
    """Accept a TokenCorpus, a list of token lists, a list of texts or input paths."""
    if isinstance(corpus, TokenCorpus):
        return corpus
    if isinstance(corpus, (str, Path)):
        return TokenCorpus(corpus, **options)
    if isinstance(corpus, list) and corpus and isinstance(corpus[0], (str, Path)):
        if all(_is_path(c) for c in corpus):
            return TokenCorpus(corpus, **options)
        return TokenCorpus(texts=corpus, **options)
    return corpus


def _is_path(value) -> bool:
    if isinstance(value, Path):
        return True
    return len(value) < 1024 and "\n" not in value and Path(value).exists()
