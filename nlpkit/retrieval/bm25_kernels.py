"""Numba kernels for BM25: the score matrix from flat term ids, and top-k search.

The matrix is bm25s' CSC layout (one column per term: data, indices, indptr), so
indexes saved by bm25s and by nlpkit open in both. Scores are computed in float64
and stored as float32, in the same order of operations as bm25s, so the values are
the same to the bit.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def term_columns(ids, offsets, n_terms):
    """Per term, the documents holding it (ascending) and how often.

    ids (int32[:]), offsets (int64[:]): document i is ids[offsets[i]:offsets[i + 1]].
    RETURNS (indptr int64, docs int32, tf float32, df int64).
    """
    n_docs = len(offsets) - 1
    df = np.zeros(n_terms, np.int64)
    last = np.full(n_terms, -1, np.int64)
    for d in range(n_docs):
        for j in range(offsets[d], offsets[d + 1]):
            t = ids[j]
            if last[t] != d:
                last[t] = d
                df[t] += 1
    indptr = np.zeros(n_terms + 1, np.int64)
    for t in range(n_terms):
        indptr[t + 1] = indptr[t] + df[t]
    docs = np.empty(indptr[n_terms], np.int32)
    tf = np.zeros(indptr[n_terms], np.float32)
    fill = indptr[:-1].copy()
    slot = np.empty(n_terms, np.int64)
    last[:] = -1
    for d in range(n_docs):
        for j in range(offsets[d], offsets[d + 1]):
            t = ids[j]
            if last[t] != d:
                last[t] = d
                slot[t] = fill[t]
                fill[t] += 1
                docs[slot[t]] = d
            tf[slot[t]] += 1
    return indptr, docs, tf, df


@njit(cache=True)
def weigh(indptr, docs, tf, idf, lengths, l_avg, k1, b, atire):
    """Turn tf into BM25 weights in place: idf * tfc (Robertson/Lucene or ATIRE)."""
    for t in range(len(indptr) - 1):
        w = np.float64(idf[t])
        for s in range(indptr[t], indptr[t + 1]):
            f = np.float64(tf[s])
            l_d = np.float64(lengths[docs[s]])
            if atire:
                # bm25s multiplies in float32 here (a float32 array times k1 + 1)
                top = np.float64(tf[s] * np.float32(k1 + 1))
                tfc = top / (f + k1 * (1 - b + b * l_d / l_avg))
            else:
                tfc = f / (k1 * ((1 - b) + b * l_d / l_avg) + f)
            tf[s] = np.float32(w * tfc)


@njit(cache=True, inline="always")
def _worse(s1, d1, s2, d2):
    return s1 < s2 or (s1 == s2 and d1 > d2)


@njit(cache=True)
def _sift_down(hs, hd, i, n):
    while True:
        c = 2 * i + 1
        if c >= n:
            return
        if c + 1 < n and _worse(hs[c + 1], hd[c + 1], hs[c], hd[c]):
            c += 1
        if not _worse(hs[c], hd[c], hs[i], hd[i]):
            return
        hs[i], hs[c] = hs[c], hs[i]
        hd[i], hd[c] = hd[c], hd[i]
        i = c


@njit(cache=True)
def _best(scores, k, hs, hd):
    """The up to k best documents (score > 0) into hs/hd, best first; ties go to
    the lower document number (documents come in order, so a later one that only
    ties the worst kept one is not better). RETURNS how many."""
    size = 0
    thr = np.float32(0)
    for d in range(len(scores)):
        s = scores[d]
        if s <= thr:
            continue
        if size < k:
            i = size
            hs[i], hd[i] = s, d
            size += 1
            while i > 0:  # sift up: the worst stays at the root
                p = (i - 1) // 2
                if not _worse(hs[i], hd[i], hs[p], hd[p]):
                    break
                hs[i], hs[p] = hs[p], hs[i]
                hd[i], hd[p] = hd[p], hd[i]
                i = p
            if size == k:
                thr = hs[0]
        else:
            hs[0], hd[0] = s, d
            _sift_down(hs, hd, 0, size)
            thr = hs[0]
    for end in range(size - 1, 0, -1):
        hs[0], hs[end] = hs[end], hs[0]
        hd[0], hd[end] = hd[end], hd[0]
        _sift_down(hs, hd, 0, end)
    return size


@njit(cache=True, nogil=True)
def search(q_ids, q_offsets, data, indices, indptr, n_docs, k, base):
    """The k best documents of each query (term ids, repeats counted).

    One thread, like bm25s' default: on a busy machine numba's parallel loop was
    slower, and a serial kernel is safe to call from several threads (no GIL held).

    base (float32[:]): a score every document gets per query (BM25L/BM25+), or an
        empty array. Only documents scoring > 0 are returned.
    RETURNS (doc ids int32 (n, k), scores float32 (n, k), counts int64 (n,)).
    """
    n_queries = len(q_offsets) - 1
    n_terms = len(indptr) - 1
    out_docs = np.full((n_queries, k), -1, np.int32)
    out_scores = np.zeros((n_queries, k), np.float32)
    counts = np.zeros(n_queries, np.int64)
    for q in range(n_queries):
        scores = np.zeros(n_docs, np.float32)
        for j in range(q_offsets[q], q_offsets[q + 1]):
            t = q_ids[j]
            if t < n_terms:
                for s in range(indptr[t], indptr[t + 1]):
                    scores[indices[s]] += data[s]
        if len(base):
            scores += base[q]
        counts[q] = _best(scores, k, out_scores[q], out_docs[q])
    return out_docs, out_scores, counts
