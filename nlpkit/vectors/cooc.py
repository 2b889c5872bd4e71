"""Co-occurrence counting: word-by-word windows and word-by-document, sparse, streamed.

count_cooccurrence counts each chunk of the corpus straight into a CSR matrix, row by
row (_window.py), and sums the chunks' matrices, so memory is the matrix and one
chunk. CoocCounter, for counts that grow a batch at a time (the spaCy component),
keeps a numba hash table of (row, col) -> weight that persists across batches.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Literal

import numpy as np
import scipy.sparse as sp

from ..errors import Errors
from . import _kernels as K
from ._gram import gram_csr
from ._window import CsrSum, window_csr
from .corpus import as_token_corpus
from .vocab import Vocabulary, saved_folder

logger = logging.getLogger("nlpkit")
Direction = Literal["symmetric", "left", "right"]
CHUNK_TOKENS = 1_000_000
# a token file's ids are in memory already: counted in large blocks (12 bytes of
# scratch a token), there are fewer partial matrices to sum
ID_BLOCK_TOKENS = 16_000_000
DENSE_CELLS = 32_000_000  # 256 MB of float64 at most, for the most frequent pairs


class CoocCounter:
    """Accumulates weighted window co-occurrences; the vocabulary may grow as it goes.

    With a fixed vocabulary (two-pass counting) words outside it are skipped but
    still count for distances, as in the GloVe tools.
    """

    def __init__(
        self,
        *,
        window: int = 5,
        direction: Direction = "symmetric",
        weighting: Literal["none", "harmonic"] = "none",
        vocab: Vocabulary | None = None,
        drop_oov: bool = False,
        capacity: int = 1 << 16,
        dense_cells: int | None = None,
    ):
        _check_window_settings(window, direction, weighting)
        self.window = window
        self.direction = direction
        self.weighting = weighting
        self.fixed = vocab is not None
        # drop_oov: remove unknown words before windowing (GloVe tools) instead of
        # keeping their positions
        self.drop_oov = drop_oov
        self.words: list[str] = list(vocab.words) if vocab else []
        self.index: dict[str, int] = dict(vocab.index) if vocab else {}
        self.word_counts = np.zeros(max(16, len(self.words)), dtype=np.int64)
        self.n_tokens = 0
        self.n_contexts = 0
        size = 1 << max(4, int(capacity - 1).bit_length())
        self.keys = np.full(size, -1, dtype=np.int64)
        self.vals = np.zeros(size, dtype=np.float64)
        self.n_filled = 0
        # a dense block for frequent pairs needs frequency-sorted ids (fixed vocab)
        if dense_cells is None:
            dense_cells = min(DENSE_CELLS, len(self.words) ** 2) if self.fixed else 0
        self.offsets = K.dense_offsets(
            len(self.words) if dense_cells else 0, dense_cells
        )
        self.dense = np.zeros(int(self.offsets[-1]), dtype=np.float64)

    def _encode(self, tokens: list[str]) -> np.ndarray:
        if self.fixed:
            get = self.index.get
            return np.fromiter((get(t, -1) for t in tokens), np.int64, len(tokens))
        index, words = self.index, self.words
        out = np.empty(len(tokens), dtype=np.int64)
        for i, t in enumerate(tokens):
            j = index.get(t)
            if j is None:
                j = index[t] = len(words)
                words.append(t)
            out[i] = j
        return out

    def add_contexts(self, contexts: Iterable[list[str]]) -> None:
        """Count a batch of token lists (each a context: sentence, line or doc)."""
        parts, lengths = [], []
        for tokens in contexts:
            parts.append(self._encode(tokens))
            lengths.append(len(tokens))
        if parts:
            self.add_ids(np.concatenate(parts), np.asarray(lengths, dtype=np.int64))

    def add_ids(self, ids: np.ndarray, lengths: np.ndarray) -> None:
        """Count token ids given as one flat array and the length of each context."""
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        lengths = np.asarray(lengths, dtype=np.int64)
        if self.drop_oov and len(ids) and (ids < 0).any():
            keep = ids >= 0
            offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
            np.cumsum(lengths, out=offsets[1:])
            kept = np.concatenate([[0], np.cumsum(keep)])
            lengths = kept[offsets[1:]] - kept[offsets[:-1]]
            ids = ids[keep]
        starts = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=starts[1:])
        n_words = len(self.words)
        if n_words > len(self.word_counts):
            grown = np.zeros(max(n_words, 2 * len(self.word_counts)), dtype=np.int64)
            grown[: len(self.word_counts)] = self.word_counts
            self.word_counts = grown
        known = ids[ids >= 0]
        self.word_counts[:n_words] += np.bincount(known, minlength=n_words)[:n_words]
        self.n_tokens += len(ids)
        self.n_contexts += len(lengths)
        mode = K.MODES[self.direction]
        harmonic = self.weighting == "harmonic"
        seg, n_seg = 0, len(lengths)
        while seg < n_seg:
            need = int(starts[seg + 1] - starts[seg]) * self.window * 2
            self._reserve(need)
            seg, self.n_filled = K.count_windows(
                ids, starts, seg, self.window, mode, harmonic,
                self.keys, self.vals, self.n_filled, self.dense, self.offsets,
            )  # fmt: skip

    def _reserve(self, need: int) -> None:
        size = len(self.keys)
        while self.n_filled + need > (size * 6) // 10:
            size *= 2
        if size != len(self.keys):
            self.keys, self.vals = K.rehash(self.keys, self.vals, size)

    @property
    def nbytes(self) -> int:
        return self.keys.nbytes + self.vals.nbytes + self.dense.nbytes

    def entries(self) -> tuple[np.ndarray, np.ndarray]:
        """All (row << 32 | col) keys and their values, sorted by key."""
        filled = self.keys != -1
        nz = np.flatnonzero(self.dense)
        rows = np.searchsorted(self.offsets, nz, side="right") - 1
        dense_keys = (rows.astype(np.int64) << 32) | (nz - self.offsets[rows])
        keys = np.concatenate([self.keys[filled], dense_keys])
        vals = np.concatenate([self.vals[filled], self.dense[nz]])
        order = np.argsort(keys)
        return keys[order], vals[order]

    def to_matrix(
        self, *, min_count: int = 1, max_size: int | None = None
    ) -> CoocMatrix:
        """The counts as a CSR matrix over the words kept by min_count / max_size."""
        n = len(self.words)
        counts = self.word_counts[:n]
        if self.n_tokens == 0 or n == 0:
            raise ValueError(Errors.E101.format(source="<counter>"))
        order = np.argsort(-counts, kind="stable")
        order = order[counts[order] >= min_count]
        if len(order) == 0:
            raise ValueError(
                Errors.E102.format(
                    source="<counter>", min_count=min_count, top=int(counts.max())
                )
            )
        if max_size is not None:
            order = order[:max_size]
        new_id = np.full(n, -1, dtype=np.int64)
        new_id[order] = np.arange(len(order))
        m = len(order)
        indptr, indices, data = K.to_csr(
            self.keys, self.vals, self.dense, self.offsets, new_id, m
        )
        matrix = sp.csr_matrix((data, indices, indptr), shape=(m, m))
        vocab = Vocabulary([self.words[i] for i in order], counts[order])
        return CoocMatrix(vocab, matrix, self.settings())

    def settings(self) -> dict:
        return {
            "window": self.window,
            "direction": self.direction,
            "weighting": self.weighting,
        }

    def to_bytes(self) -> bytes:
        keys, vals = self.entries()  # canonical order
        buf = io.BytesIO()
        np.savez(
            buf,
            keys=keys,
            vals=vals,
            word_counts=self.word_counts[: len(self.words)],
        )
        meta = {
            **self.settings(),
            "fixed": self.fixed,
            "words": self.words,
            "n_tokens": self.n_tokens,
            "n_contexts": self.n_contexts,
        }
        head = json.dumps(meta, ensure_ascii=False).encode("utf-8")
        return len(head).to_bytes(8, "little") + head + buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> CoocCounter:
        n = int.from_bytes(data[:8], "little")
        meta = json.loads(data[8 : 8 + n].decode("utf-8"))
        arrays = np.load(io.BytesIO(data[8 + n :]), allow_pickle=False)
        words = meta["words"]
        vocab = Vocabulary(words, [0] * len(words)) if meta["fixed"] else None
        self = cls(
            window=meta["window"],
            direction=meta["direction"],
            weighting=meta["weighting"],
            vocab=vocab,
            capacity=max(16, 2 * len(arrays["keys"])),
            dense_cells=0,
        )
        self.words = list(words)
        self.index = {w: i for i, w in enumerate(words)}
        counts = arrays["word_counts"]
        self.word_counts = np.zeros(max(16, len(counts)), dtype=np.int64)
        self.word_counts[: len(counts)] = counts
        self.n_tokens, self.n_contexts = meta["n_tokens"], meta["n_contexts"]
        self._reserve(len(arrays["keys"]))
        self.keys, self.vals = K.rehash(
            arrays["keys"].astype(np.int64), arrays["vals"], len(self.keys)
        )
        self.n_filled = len(arrays["keys"])
        return self


class CoocMatrix:
    """A square co-occurrence matrix (rows = words, cols = context words)."""

    def __init__(self, vocab: Vocabulary, matrix: sp.csr_matrix, settings: dict):
        self.vocab = vocab
        self.matrix = matrix.tocsr()
        self.settings = dict(settings)

    @property
    def shape(self) -> tuple[int, int]:
        return self.matrix.shape

    @property
    def nnz(self) -> int:
        return self.matrix.nnz

    def row(self, word: str, *, top: int | None = None) -> dict[str, float]:
        """The counts in a word's row, most frequent first."""
        if word not in self.vocab:
            raise KeyError(Errors.E105.format(words=[word], size=len(self.vocab)))
        r = self.matrix.getrow(self.vocab[word])
        pairs = sorted(
            zip(r.indices.tolist(), r.data.tolist()), key=lambda p: (-p[1], p[0])
        )
        if top is not None:
            pairs = pairs[:top]
        return {self.vocab.words[j]: v for j, v in pairs}

    def to_disk(self, path: str | Path) -> Path:
        """Save as matrix.npz (scipy, no pickle), vocab.json and cfg.json."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        sp.save_npz(path / "matrix.npz", self.matrix)
        self.vocab.to_disk(path / "vocab.json")
        (path / "cfg.json").write_text(json.dumps(self.settings), encoding="utf-8")
        return path

    @classmethod
    def from_disk(cls, path: str | Path) -> CoocMatrix:
        path = saved_folder(path, "matrix.npz")
        matrix = sp.load_npz(path / "matrix.npz")
        vocab = Vocabulary.from_disk(path / "vocab.json")
        settings = json.loads((path / "cfg.json").read_text(encoding="utf-8"))
        return cls(vocab, matrix, settings)


def iter_chunks(
    corpus: Iterable[list[str]], chunk_tokens: int = CHUNK_TOKENS
) -> Iterator[list[list[str]]]:
    """Group token lists into chunks of about chunk_tokens tokens."""
    chunk, n = [], 0
    for tokens in corpus:
        chunk.append(tokens)
        n += len(tokens)
        if n >= chunk_tokens:
            yield chunk
            chunk, n = [], 0
    if chunk:
        yield chunk


def count_cooccurrence(
    corpus,
    *,
    window: int = 5,
    direction: Direction = "symmetric",
    weighting: Literal["none", "harmonic"] = "none",
    min_count: int = 1,
    max_size: int | None = None,
    vocab: Vocabulary | None = None,
    drop_oov: bool = False,
    chunk_tokens: int = CHUNK_TOKENS,
    **corpus_options,
) -> CoocMatrix:
    """Count word-by-word co-occurrences within a window, streaming in chunks.

    corpus: a TokenCorpus, token lists, texts or input paths (see TokenCorpus).
    window (int): context words on each side (or on one side for left/right).
    direction (str): "symmetric", "left" (row word, words before it) or "right".
    weighting (str): "none" or "harmonic" (1/distance, as GloVe).
    min_count / max_size: vocabulary limits (a first pass counts the words).
    vocab (Vocabulary): count over this vocabulary instead (rows in its order).
    drop_oov (bool): remove words outside the vocabulary before windowing, as the
        GloVe tools do (default: they keep their place and distances).
    chunk_tokens (int): tokens counted at a time (a token file's: at least
        ID_BLOCK_TOKENS); the chunks' matrices are summed.
    RETURNS (CoocMatrix): counts over the kept vocabulary.
    """
    _check_window_settings(window, direction, weighting)
    corpus = as_token_corpus(corpus, **corpus_options)
    vocab, blocks = _vocab_and_blocks(corpus, vocab, min_count, max_size, chunk_tokens)
    mode, harmonic = K.MODES[direction], weighting == "harmonic"
    total = CsrSum()
    for ids, lengths in blocks:
        if drop_oov:
            ids, lengths = _drop_oov(ids, lengths)
        starts = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=starts[1:])
        total.add(window_csr(ids, starts, len(vocab), window, mode, harmonic))
    matrix = total.total()
    if matrix is None:
        raise ValueError(Errors.E101.format(source=_source(corpus)))
    settings = {"window": window, "direction": direction, "weighting": weighting}
    return CoocMatrix(vocab, matrix, settings)


def _check_window_settings(window: int, direction: str, weighting: str) -> None:
    if window < 1:
        raise ValueError(Errors.E108.format(what="window", rule=">= 1", value=window))
    if direction not in K.MODES:
        raise ValueError(
            Errors.E107.format(
                what="direction", value=direction, known=", ".join(K.MODES)
            )
        )
    if weighting not in ("none", "harmonic"):
        raise ValueError(
            Errors.E107.format(
                what="weighting", value=weighting, known="none, harmonic"
            )
        )


def _encode_blocks(corpus, vocab: Vocabulary, chunk_tokens: int):
    """(int32 ids, context lengths) per chunk of token lists; -1 = not in vocab."""
    get = vocab.index.get
    for chunk in iter_chunks(corpus, chunk_tokens):
        lengths = np.fromiter((len(t) for t in chunk), np.int64, len(chunk))
        ids = np.fromiter(
            (get(t, -1) for tokens in chunk for t in tokens),
            np.int32,
            int(lengths.sum()),
        )
        yield ids, lengths


def _split_blocks(ids: np.ndarray, lengths: np.ndarray, chunk_tokens: int):
    """Whole contexts of about chunk_tokens tokens at a time, as (ids, lengths)."""
    ends = np.cumsum(lengths)
    cuts = np.searchsorted(ends, np.arange(chunk_tokens, ends[-1], chunk_tokens))
    first, start = 0, 0
    for last in [*np.unique(cuts + 1).tolist(), len(lengths)]:
        if last <= first:
            continue
        stop = int(ends[last - 1])
        yield ids[start:stop], lengths[first:last]
        first, start = last, stop


def _drop_oov(ids: np.ndarray, lengths: np.ndarray):
    """Ids and context lengths with out-of-vocabulary ids (-1) removed."""
    keep = ids >= 0
    if keep.all():
        return ids, lengths
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    kept = np.concatenate([[0], np.cumsum(keep)])
    return ids[keep], kept[offsets[1:]] - kept[offsets[:-1]]


def _source(corpus) -> str:
    return getattr(corpus, "source", "<corpus>")


def _vocab_and_blocks(corpus, vocab, min_count, max_size, chunk_tokens):
    """The vocabulary (given, or counted) and the corpus as (ids, lengths) blocks."""
    source = _source(corpus)
    token_file = _read_token_file(corpus) if vocab is None else None
    if token_file is None:
        if vocab is None:
            vocab = Vocabulary.build(
                corpus, min_count=min_count, max_size=max_size, source=source
            )
        return vocab, _encode_blocks(corpus, vocab, chunk_tokens)
    # one pass over a plain token file: ids, then renumbered to the vocabulary
    words, counts, ids, lengths = token_file
    del token_file  # the int64 ids go once the int32 copy is made
    vocab, new_id = Vocabulary.from_counts(
        words, counts, min_count=min_count, max_size=max_size, source=source
    )
    new_ids = new_id[ids]
    del ids
    return vocab, _split_blocks(new_ids, lengths, max(chunk_tokens, ID_BLOCK_TOKENS))


def _read_token_file(corpus):
    """(words, counts, ids, line lengths) of a plain token file; None otherwise."""
    from .tokenfile import Interner, NotATokenFile, iter_token_blocks

    interner = Interner()
    blocks = iter_token_blocks(corpus, interner)
    if blocks is None:
        return None
    try:
        parts = list(blocks)
    except NotATokenFile:
        return None
    if not parts:
        return None
    ids = np.concatenate([p[0] for p in parts])
    lengths = np.concatenate([p[1] for p in parts])
    return interner.words(), interner.word_counts(), ids, lengths


def doc_term_matrix(
    corpus,
    *,
    min_count: int = 1,
    max_size: int | None = None,
    vocab: Vocabulary | None = None,
    chunk_tokens: int = CHUNK_TOKENS,
    **corpus_options,
) -> tuple[sp.csr_matrix, Vocabulary]:
    """Word counts per context (document by default) as a CSR matrix (docs x words).

    RETURNS (tuple[csr_matrix, Vocabulary]): the matrix and its column vocabulary.
    """
    corpus_options.setdefault("context", "document")
    corpus = as_token_corpus(corpus, **corpus_options)
    vocab, blocks = _vocab_and_blocks(corpus, vocab, min_count, max_size, chunk_tokens)
    parts = []
    for ids, lengths in blocks:
        starts = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=starts[1:])
        indptr, indices, data = K.doc_term_counts(ids, starts, len(lengths))
        shape = (len(lengths), len(vocab))
        parts.append(sp.csr_matrix((data, indices, indptr), shape=shape))
    if not parts:
        raise ValueError(Errors.E101.format(source=_source(corpus)))
    matrix = parts[0] if len(parts) == 1 else sp.vstack(parts, format="csr")
    return matrix, vocab


def cooccurrence_by_document(corpus, *, binary: bool = False, **options) -> CoocMatrix:
    """Word-by-word counts with the whole context as window: X.T @ X of doc_term_matrix.

    binary (bool): count each word once per context (document frequency of pairs).
    """
    X, vocab = doc_term_matrix(corpus, **options)
    if binary:
        X.data[:] = 1.0
    matrix = gram_csr(X)
    return CoocMatrix(vocab, matrix, {"window": "document", "binary": binary})
