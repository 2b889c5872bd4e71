"""numba kernels: X.T @ X of a doc-term matrix, off the diagonal, straight to CSR.

Row by row (Gustavson): row i sums the rows of X of the documents that hold word i
into a dense accumulator of n_words cells, which stays in cache. A first pass counts
each row's columns, so the CSR arrays are allocated once at their exact size; no
n_words x n_words matrix is ever made. Rows with many updates are summed without
branches and read back by one scan of the accumulator, which also sorts them.
"""

from __future__ import annotations

import numba
import numpy as np
import scipy.sparse as sp
from numba import njit, prange


@njit(cache=True, inline="always")
def _accumulate(i, x_indptr, x_indices, x_data, t_indptr, t_indices, t_data, acc):
    for p in range(t_indptr[i], t_indptr[i + 1]):
        d = t_indices[p]
        w = t_data[p]
        for q in range(x_indptr[d], x_indptr[d + 1]):
            acc[x_indices[q]] += w * x_data[q]
    acc[i] = 0.0


@njit(cache=True, inline="always")
def _row_work(i, x_indptr, t_indptr, t_indices):
    work = 0
    for p in range(t_indptr[i], t_indptr[i + 1]):
        d = t_indices[p]
        work += x_indptr[d + 1] - x_indptr[d]
    return work


@njit(parallel=True, cache=True)
def _row_sizes(x_indptr, x_indices, x_data, t_indptr, t_indices, t_data, n_blocks):
    n_words = t_indptr.shape[0] - 1
    sizes = np.zeros(n_words, dtype=np.int64)
    for b in prange(n_blocks):
        acc = np.zeros(n_words, dtype=np.float64)
        seen = np.full(n_words, -1, dtype=np.int32)
        # round-robin rows: ids are frequency-sorted, ranges would be unbalanced
        for i in range(b, n_words, n_blocks):
            c = 0
            if _row_work(i, x_indptr, t_indptr, t_indices) * 4 > n_words:
                _accumulate(
                    i, x_indptr, x_indices, x_data, t_indptr, t_indices, t_data, acc
                )
                for j in range(n_words):
                    if acc[j] != 0.0:
                        c += 1
                        acc[j] = 0.0
            else:
                for p in range(t_indptr[i], t_indptr[i + 1]):
                    d = t_indices[p]
                    for q in range(x_indptr[d], x_indptr[d + 1]):
                        j = x_indices[q]
                        if j != i and seen[j] != i:
                            seen[j] = i
                            c += 1
            sizes[i] = c
    return sizes


@njit(parallel=True, cache=True)
def _fill_rows(
    x_indptr, x_indices, x_data, t_indptr, t_indices, t_data, n_blocks,
    indptr, indices, data,
):  # fmt: skip
    n_words = t_indptr.shape[0] - 1
    for b in prange(n_blocks):
        acc = np.zeros(n_words, dtype=np.float64)
        touched = np.empty(n_words, dtype=np.int32)
        for i in range(b, n_words, n_blocks):
            out = indptr[i]
            if (indptr[i + 1] - out) * 16 > n_words:  # a dense row
                _accumulate(
                    i, x_indptr, x_indices, x_data, t_indptr, t_indices, t_data, acc
                )
                for j in range(n_words):
                    if acc[j] != 0.0:
                        indices[out] = j
                        data[out] = acc[j]
                        acc[j] = 0.0
                        out += 1
                continue
            k = 0
            for p in range(t_indptr[i], t_indptr[i + 1]):
                d = t_indices[p]
                w = t_data[p]
                for q in range(x_indptr[d], x_indptr[d + 1]):
                    j = x_indices[q]
                    if j == i:
                        continue
                    if acc[j] == 0.0:  # counts are positive: 0 means not seen yet
                        touched[k] = j
                        k += 1
                    acc[j] += w * x_data[q]
            for j in np.sort(touched[:k]):
                indices[out] = j
                data[out] = acc[j]
                acc[j] = 0.0
                out += 1


def gram_csr(X: sp.csr_matrix) -> sp.csr_matrix:
    """X.T @ X with a zero diagonal, for X of positive counts (docs x words).

    RETURNS (csr_matrix): (n_words, n_words) float64, columns sorted, no zeros.
    """
    X = X.tocsr()
    X.sum_duplicates()  # canonical: sorted, one entry per cell
    T = X.tocsc()  # rows of X.T: each word's documents, in order
    n_words = X.shape[1]
    x = (X.indptr.astype(np.int64), X.indices, X.data.astype(np.float64))
    t = (T.indptr.astype(np.int64), T.indices, T.data.astype(np.float64))
    n_blocks = numba.get_num_threads()
    sizes = _row_sizes(*x, *t, n_blocks)
    nnz = int(sizes.sum())
    index_dtype = np.int32 if max(nnz, n_words) < 2**31 else np.int64
    indptr = np.zeros(n_words + 1, dtype=index_dtype)
    np.cumsum(sizes, out=indptr[1:])
    del sizes
    indices = np.empty(nnz, dtype=index_dtype)
    data = np.empty(nnz, dtype=np.float64)
    _fill_rows(*x, *t, n_blocks, indptr, indices, data)
    matrix = sp.csr_matrix((data, indices, indptr), shape=(n_words, n_words))
    matrix.has_sorted_indices = True
    return matrix
