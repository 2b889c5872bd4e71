"""nlpkit_vectors: token/span/doc .vector and .similarity from nlpkit WordVectors.

Out-of-vocabulary words get a vector from their character n-grams when the vectors
are fastText-style. The component sets user hooks on each doc, so the pipeline's own
vocab vectors (and any model that uses them) are left untouched.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from ..errors import Errors
from ..vectors.kv import WordVectors, dense_ngrams, load_vectors
from ._base import BatchPipe, read_bytes, read_folder, write_bytes, write_folder

DEFAULT_VECTORS_CONFIG = {"path": None, "lowercase": True, "subwords": True}


@Language.factory("nlpkit_vectors", default_config=DEFAULT_VECTORS_CONFIG)
def make_vectors(
    nlp: Language, name: str, path: str | None, lowercase: bool, subwords: bool
) -> VectorsComponent:
    """Create the nlpkit_vectors component.

    path (str | None): nlpkit vectors directory or any file load_vectors reads;
        None to set them later (initialize(path=...) or set_vectors).
    lowercase (bool): look words up lowercased when the exact form is missing.
    subwords (bool): build OOV vectors from n-grams when the vectors have them.
    """
    return VectorsComponent(
        nlp.vocab, name, path=path, lowercase=lowercase, subwords=subwords
    )


class VectorsComponent(BatchPipe):
    """Gives docs, spans and tokens vectors and similarity from WordVectors.

    Saved as spaCy saves a pipe: `cfg` (JSON) and `vectors` (a WordVectors folder);
    from_disk also reads the `cfg.json` of pipelines saved before nlpkit 0.3.
    """

    def __init__(
        self,
        vocab,
        name: str = "nlpkit_vectors",
        *,
        path: str | None = None,
        lowercase: bool = True,
        subwords: bool = True,
    ):
        for setting, value in (("lowercase", lowercase), ("subwords", subwords)):
            if not isinstance(value, bool):
                raise ValueError(
                    Errors.E108.format(what=setting, rule="true or false", value=value)
                )
        self.vocab = vocab
        self.name = name
        self.cfg = {"path": path, "lowercase": lowercase, "subwords": subwords}
        self.vectors: WordVectors | None = load_vectors(path) if path else None
        self._cache: dict[str, np.ndarray | None] = {}

    def set_vectors(self, vectors: WordVectors) -> None:
        self.vectors = vectors
        self._cache = {}

    def initialize(self, get_examples=None, *, nlp=None, path: str | None = None):
        """Load the vectors from path (or the configured one)."""
        path = path or self.cfg["path"]
        if path:
            self.set_vectors(load_vectors(path))
            self.cfg["path"] = str(path)

    def predict(self, docs: Iterable[Doc]) -> None:
        """Nothing to compute ahead: the hooks look vectors up when asked."""
        if self.vectors is None:
            raise ValueError(Errors.E111.format(name=self.name))

    def set_annotations(self, docs: Iterable[Doc], scores: None = None) -> None:
        """Set the vector and similarity hooks on each doc."""
        for doc in docs:
            doc.user_hooks["vector"] = self.doc_vector
            doc.user_hooks["has_vector"] = self.doc_has_vector
            doc.user_hooks["similarity"] = self.similarity
            doc.user_span_hooks["vector"] = self.doc_vector
            doc.user_span_hooks["has_vector"] = self.doc_has_vector
            doc.user_span_hooks["similarity"] = self.similarity
            doc.user_token_hooks["vector"] = self.token_vector
            doc.user_token_hooks["has_vector"] = self.token_has_vector
            doc.user_token_hooks["vector_norm"] = self.vector_norm
            doc.user_token_hooks["similarity"] = self.similarity

    def lookup(self, text: str) -> np.ndarray | None:
        """The vector for a word form, or None (exact, lowercased, then subwords)."""
        if text in self._cache:
            return self._cache[text]
        wv = self.vectors
        vector = None
        for form in (text, text.lower()) if self.cfg["lowercase"] else (text,):
            i = wv.index.get(form)
            if i is not None:
                vector = wv.vectors[i]
                break
        if vector is None and self.cfg["subwords"] and wv.has_subwords:
            vector = wv.get(text.lower() if self.cfg["lowercase"] else text)
        if len(self._cache) < 100_000:
            self._cache[text] = vector
        return vector

    def token_vector(self, token: Token) -> np.ndarray:
        vector = self.lookup(token.text)
        return vector if vector is not None else np.zeros(self.vectors.dim, "float32")

    def token_has_vector(self, token: Token) -> bool:
        return self.lookup(token.text) is not None

    def vector_norm(self, token: Token) -> float:
        return float(np.linalg.norm(self.token_vector(token)))

    def doc_vector(self, doc: Doc | Span) -> np.ndarray:
        """Mean of the vectors of the tokens that have one (zeros if none)."""
        found = [v for v in (self.lookup(t.text) for t in doc) if v is not None]
        if not found:
            return np.zeros(self.vectors.dim, dtype="float32")
        return np.mean(found, axis=0).astype("float32")

    def doc_has_vector(self, doc: Doc | Span) -> bool:
        return any(self.lookup(t.text) is not None for t in doc)

    def similarity(self, a, b) -> float:
        """Cosine similarity of two docs, spans or tokens (0.0 if either is zero)."""
        va = self.token_vector(a) if isinstance(a, Token) else self.doc_vector(a)
        vb = self.token_vector(b) if isinstance(b, Token) else self.doc_vector(b)
        na, nb = float(np.linalg.norm(va)), float(np.linalg.norm(vb))
        if na == 0 or nb == 0:
            return 0.0
        return float(np.dot(va, vb) / (na * nb))

    def _set_vectors_from_bytes(self, data: bytes) -> None:
        self.set_vectors(_vectors_from_bytes(data))

    def to_bytes(self, *, exclude: Iterable[str] = tuple()) -> bytes:
        writers = {}
        if self.vectors is not None:
            writers["vectors"] = lambda: _vectors_to_bytes(self.vectors)
        return write_bytes(self.cfg, writers, exclude)

    def from_bytes(
        self, bytes_data: bytes, *, exclude: Iterable[str] = tuple()
    ) -> VectorsComponent:
        readers = {"vectors": self._set_vectors_from_bytes}
        read_bytes(bytes_data, readers, exclude, set_cfg=self.cfg.update)
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = tuple()) -> None:
        writers = {}
        if self.vectors is not None:
            writers["vectors"] = self.vectors.to_disk
        write_folder(path, self.cfg, writers, exclude)

    def from_disk(
        self, path: str | Path, *, exclude: Iterable[str] = tuple()
    ) -> VectorsComponent:
        readers = {"vectors": self._read_vectors}
        read_folder(path, readers, exclude, set_cfg=self.cfg.update)
        return self

    def _read_vectors(self, path: Path) -> None:
        if path.exists():
            self.set_vectors(WordVectors.from_disk(path))


def _vectors_to_bytes(wv: WordVectors) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, vectors=wv.vectors, **wv.ngram_arrays())
    head = {"words": wv.words, "subword": wv.subword, "meta": wv.meta}
    return srsly.msgpack_dumps({"head": json.dumps(head), "arrays": buf.getvalue()})


def _vectors_from_bytes(data: bytes) -> WordVectors:
    msg = srsly.msgpack_loads(data)
    head = json.loads(msg["head"])
    arrays = np.load(io.BytesIO(msg["arrays"]), allow_pickle=False)
    ngrams = dense_ngrams(
        {name: arrays[name] for name in arrays.files}, head["subword"]
    )
    return WordVectors(
        head["words"],
        arrays["vectors"],
        ngrams=ngrams,
        subword=head["subword"],
        meta=head["meta"],
    )
