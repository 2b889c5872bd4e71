"""numba kernels: window co-occurrences of a block of token ids straight to CSR.

Row by row (Gustavson's sparse accumulator): the positions of each word are grouped
by a counting sort, then one thread builds a whole row from that word's neighbours
in a dense accumulator of n_words cells. A first pass counts each row's distinct
columns, so the CSR arrays are allocated once at their exact size; memory is the
token ids, two int32 arrays per token and the matrix itself.
"""

from __future__ import annotations

import numba
import numpy as np
import scipy.sparse as sp
from numba import njit, prange

SYMMETRIC, LEFT, RIGHT = 0, 1, 2
TRANSPOSED = {SYMMETRIC: SYMMETRIC, LEFT: RIGHT, RIGHT: LEFT}


@njit(cache=True)
def _group_positions(ids, starts, n_words):
    """Positions of each id (ascending) and the context of every position."""
    row_start = np.zeros(n_words + 1, dtype=np.int64)
    for t in range(ids.shape[0]):
        if ids[t] >= 0:
            row_start[ids[t] + 1] += 1
    for r in range(n_words):
        row_start[r + 1] += row_start[r]
    fill = row_start[:-1].copy()
    positions = np.empty(row_start[-1], dtype=np.int32)
    context = np.empty(ids.shape[0], dtype=np.int32)
    for k in range(starts.shape[0] - 1):
        for t in range(starts[k], starts[k + 1]):
            context[t] = k
            r = ids[t]
            if r >= 0:
                positions[fill[r]] = t
                fill[r] += 1
    return row_start, positions, context


@njit(cache=True, inline="always")
def _bounds(t, k, starts, window, mode):
    lo = t if mode == RIGHT else max(starts[k], t - window)
    hi = t + 1 if mode == LEFT else min(starts[k + 1], t + window + 1)
    return lo, hi


@njit(parallel=True, cache=True)
def _column_counts(ids, starts, row_start, positions, context, window, mode, bounds):
    """counts[b, x]: distinct rows of block b (rows bounds[b]..bounds[b+1]) that have
    column x."""
    n_words = row_start.shape[0] - 1
    n_blocks = bounds.shape[0] - 1
    counts = np.zeros((n_blocks, n_words), dtype=np.int32)
    for b in prange(n_blocks):
        seen = np.full(n_words, -1, dtype=np.int32)
        for r in range(bounds[b], bounds[b + 1]):
            for p in range(row_start[r], row_start[r + 1]):
                t = positions[p]
                lo, hi = _bounds(t, context[t], starts, window, mode)
                for s in range(lo, hi):
                    x = ids[s]
                    if s != t and x >= 0 and seen[x] != r:
                        seen[x] = r
                        counts[b, x] += 1
    return counts


@njit(parallel=True, cache=True)
def _scatter_rows(
    ids, starts, row_start, positions, context, window, mode, harmonic, bounds,
    fill, indices, data,
):  # fmt: skip
    """Build each row r of the mode's matrix and write it as column r of the
    transpose: rows ascend within a block and blocks are in order, so every output
    row gets its columns sorted without a sort. fill[b, x]: next slot of block b in
    output row x."""
    n_words = row_start.shape[0] - 1
    n_blocks = bounds.shape[0] - 1
    for b in prange(n_blocks):
        acc = np.zeros(n_words, dtype=np.float64)
        touched = np.empty(n_words, dtype=np.int32)
        for r in range(bounds[b], bounds[b + 1]):
            n = 0
            for p in range(row_start[r], row_start[r + 1]):
                t = positions[p]
                lo, hi = _bounds(t, context[t], starts, window, mode)
                for s in range(lo, hi):
                    x = ids[s]
                    if s == t or x < 0:
                        continue
                    if acc[x] == 0.0:
                        touched[n] = x
                        n += 1
                    acc[x] += 1.0 / abs(t - s) if harmonic else 1.0
            for q in range(n):
                x = touched[q]
                k = fill[b, x]
                indices[k] = r
                data[k] = acc[x]
                fill[b, x] = k + 1
                acc[x] = 0.0


def _balanced_bounds(row_start: np.ndarray, n_blocks: int) -> np.ndarray:
    """Row ranges of about equal numbers of positions (rows are frequency-sorted)."""
    n_words = len(row_start) - 1
    targets = row_start[-1] * np.arange(1, n_blocks) / n_blocks
    inner = np.searchsorted(row_start[1:], targets, side="left") + 1
    return np.concatenate([[0], np.minimum(inner, n_words), [n_words]]).astype(np.int64)


def window_csr(
    ids: np.ndarray,
    starts: np.ndarray,
    n_words: int,
    window: int,
    mode: int,
    harmonic: bool,
) -> sp.csr_matrix:
    """The (n_words, n_words) window counts of one block of contexts.

    ids: token ids, -1 for words outside the vocabulary (skipped, keep their place).
    starts (int64): context boundaries, n_contexts + 1 of them.
    mode: SYMMETRIC, LEFT (row word, words before it) or RIGHT.
    RETURNS (csr_matrix): float64 counts, columns sorted, no explicit zeros.
    """
    ids = np.ascontiguousarray(ids, dtype=np.int32)
    starts = np.ascontiguousarray(starts, dtype=np.int64)
    row_start, positions, context = _group_positions(ids, starts, n_words)
    bounds = _balanced_bounds(row_start, numba.get_num_threads())
    # rows of the transposed mode, scattered, are the rows of this mode
    args = (ids, starts, row_start, positions, context, window, TRANSPOSED[mode])
    counts = _column_counts(*args, bounds)
    sizes = counts.sum(axis=0, dtype=np.int64)
    nnz = int(sizes.sum())
    index_dtype = np.int32 if max(nnz, n_words) < 2**31 else np.int64
    indptr = np.zeros(n_words + 1, dtype=index_dtype)
    np.cumsum(sizes, out=indptr[1:])
    fill = np.cumsum(counts, axis=0, dtype=np.int64)
    fill -= counts
    fill += indptr[:-1]
    del counts, sizes
    indices = np.empty(nnz, dtype=index_dtype)
    data = np.empty(nnz, dtype=np.float64)
    _scatter_rows(*args, harmonic, bounds, fill, indices, data)
    del row_start, positions, context, fill
    matrix = sp.csr_matrix((data, indices, indptr), shape=(n_words, n_words))
    matrix.has_sorted_indices = True
    return matrix


class CsrSum:
    """Adds CSR blocks of one shape, merging partial sums of similar size (as a
    binary counter does), so each count is merged O(log blocks) times."""

    def __init__(self):
        self.parts: list[sp.csr_matrix] = []

    def add(self, matrix: sp.csr_matrix) -> None:
        self.parts.append(matrix)
        while len(self.parts) > 1 and 2 * self.parts[-1].nnz >= self.parts[-2].nnz:
            last = self.parts.pop()
            self.parts[-1] = (self.parts[-1] + last).tocsr()

    def total(self) -> sp.csr_matrix | None:
        while len(self.parts) > 1:
            last = self.parts.pop()
            self.parts[-1] = (self.parts[-1] + last).tocsr()
        return self.parts[0] if self.parts else None
