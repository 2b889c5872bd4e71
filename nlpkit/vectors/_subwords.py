"""gensim FastText without its two fixed costs that training does not need.

gensim fills every n-gram bucket (2M x dim by default: 800 MB at dim 100) with
random values, though training reads and writes only the buckets of the vocabulary's
n-grams, and it composes each word's vector from its n-grams in a Python loop, before
and after training. Here the buckets the vocabulary uses get exactly the values
gensim gives them (its random stream, jumped to each used row), the others stay zero
(calloc: no page is touched), and the composition adds the k-th n-gram row of every
word at once. Word vectors and used buckets come out identical to gensim's; an unused
bucket holds zero instead of noise, so an unseen word's vector comes from the
n-grams that training saw.
"""

from __future__ import annotations

import numpy as np
from gensim.models.fasttext import FastTextKeyedVectors
from gensim.models.keyedvectors import prep_vectors

REAL = np.float32


def lean_fasttext(model) -> None:
    """Make `model.wv` (a gensim FastTextKeyedVectors) initialise and compose
    vectors as described above, for this model only."""
    # a subclass, not methods set on the instance: those would form a reference
    # cycle that keeps the 800 MB matrix alive until the garbage collector runs
    model.wv.__class__ = LeanKeyedVectors


def used_buckets(buckets_word) -> np.ndarray:
    """The sorted bucket rows that any vocabulary word's n-grams hash to."""
    if not len(buckets_word):
        return np.zeros(0, dtype=np.int64)
    return np.unique(np.concatenate(buckets_word)).astype(np.int64)


def random_rows(rows: np.ndarray, dim: int, seed: int) -> np.ndarray:
    """Rows `rows` of gensim's prep_vectors((n, dim), seed=seed), without the rest.

    prep_vectors draws n * dim float32 values from default_rng(seed) (PCG64) in
    row order; each float32 takes 32 bits of one 64-bit step. Jumping the
    generator (advance) to a row's first step gives that row's values.
    """
    bit_generator = np.random.PCG64(seed)
    draw = np.random.Generator(bit_generator).random
    out = np.empty((len(rows), dim), dtype=REAL)
    steps_per_row, odd = divmod(dim, 2)
    position = 0  # 64-bit steps drawn so far
    start = bit_generator.state
    for i, row in enumerate(rows.tolist()):
        first = row * dim  # the row's first float32 in the stream
        if odd:  # a row may start in the middle of a step: go back to the start
            bit_generator.state = start
            bit_generator.advance(first // 2)
            if first % 2:
                draw(dtype=REAL)
        else:
            bit_generator.advance(row * steps_per_row - position)
            position = (row + 1) * steps_per_row
        draw(out=out[i], dtype=REAL)
    out *= 2.0
    out -= 1.0
    out /= dim
    return out


def _resize_vectors(self, seed: int = 0) -> None:
    # gensim's FastTextKeyedVectors.resize_vectors, with the n-gram matrix made
    # sparse; a matrix already of the right shape (a vocabulary update) is kept.
    dim = self.vector_size
    self.vectors_vocab = prep_vectors(
        (len(self.index_to_key), dim), prior_vectors=self.vectors_vocab, seed=seed
    )
    self.allocate_vecattrs()
    self.norms = None
    self.recalc_char_ngram_buckets()
    if getattr(self.vectors_ngrams, "shape", None) != (self.bucket, dim):
        ngrams = np.zeros((self.bucket, dim), dtype=REAL)
        rows = used_buckets(self.buckets_word)
        ngrams[rows] = random_rows(rows, dim, seed + 1)
        self.vectors_ngrams = ngrams
    self.adjust_vectors()


def _adjust_vectors(self) -> None:
    if self.bucket == 0:
        self.vectors = self.vectors_vocab
        return
    self.vectors = compose(self.vectors_vocab, self.vectors_ngrams, self.buckets_word)


def compose(vocab: np.ndarray, ngrams: np.ndarray, buckets_word) -> np.ndarray:
    """gensim's adjust_vectors: each word's row plus its n-gram rows, added in the
    same order (the k-th n-gram of every word at once), divided by their count."""
    lengths = np.fromiter((len(b) for b in buckets_word), np.int64, len(buckets_word))
    out = vocab.copy()
    if not len(out):
        return out
    table = np.zeros((len(out), int(lengths.max())), dtype=np.int64)
    for i, buckets in enumerate(buckets_word):
        table[i, : len(buckets)] = buckets
    for k in range(table.shape[1]):
        words = np.flatnonzero(lengths > k)
        out[words] += ngrams[table[words, k]]
    out /= (lengths + 1).astype(REAL)[:, None]
    return out


class LeanKeyedVectors(FastTextKeyedVectors):
    """FastTextKeyedVectors with the set-up described in this module."""

    resize_vectors = _resize_vectors
    adjust_vectors = _adjust_vectors
