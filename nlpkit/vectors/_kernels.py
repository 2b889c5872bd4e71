"""numba kernels: an open-addressing hash table of (row, col) -> weight."""

from __future__ import annotations

import numpy as np
from numba import njit

EMPTY = np.int64(-1)
MODES = {"symmetric": 0, "left": 1, "right": 2}


@njit(cache=True, inline="always")
def _slot(key, mask):
    h = np.uint64(key) * np.uint64(0x9E3779B97F4A7C15)
    return np.int64((h ^ (h >> np.uint64(29))) & np.uint64(mask))


@njit(cache=True)
def _add(keys, vals, mask, key, weight):
    # returns 1 when a new slot was taken
    i = _slot(key, mask)
    while True:
        k = keys[i]
        if k == key:
            vals[i] += weight
            return 0
        if k == -1:
            keys[i] = key
            vals[i] = weight
            return 1
        i = (i + 1) & mask


@njit(cache=True, inline="always")
def _put(keys, vals, mask, dense, offsets, r, c, w):
    # frequent pairs (small ids, sorted by frequency) go to a dense block, as in
    # the GloVe tools; the rest to the hash table
    if r < offsets.shape[0] - 1 and c < offsets[r + 1] - offsets[r]:
        dense[offsets[r] + c] += w
        return 0
    return _add(keys, vals, mask, (r << 32) | c, w)


@njit(cache=True)
def count_windows(
    ids, starts, seg0, window, mode, harmonic, keys, vals, n_filled, dense, offsets
):
    """Add window pairs of segments seg0.. until the table gets too full.

    ids: int64 token ids (-1 = out of vocabulary, skipped but keeps distances).
    starts: segment boundaries, len n_segments + 1.
    dense / offsets: the dense block; row r holds columns < offsets[r+1]-offsets[r].
    RETURNS (next segment, n_filled): the caller grows the table and resumes.
    """
    mask = keys.shape[0] - 1
    limit = (keys.shape[0] * 6) // 10
    n_seg = starts.shape[0] - 1
    seg = seg0
    while seg < n_seg:
        a = starts[seg]
        b = starts[seg + 1]
        # the caller sized the table for segment seg0; later ones may need more
        if seg > seg0 and n_filled + (b - a) * window * 2 > limit:
            return seg, n_filled
        for t in range(a, b):
            c = ids[t]
            if c < 0:
                continue
            lo = max(a, t - window)
            for s in range(t - 1, lo - 1, -1):
                x = ids[s]
                if x < 0:
                    continue
                w = 1.0 / (t - s) if harmonic else 1.0
                if mode == 0:
                    n_filled += _put(keys, vals, mask, dense, offsets, c, x, w)
                    n_filled += _put(keys, vals, mask, dense, offsets, x, c, w)
                elif mode == 1:
                    n_filled += _put(keys, vals, mask, dense, offsets, c, x, w)
                else:
                    n_filled += _put(keys, vals, mask, dense, offsets, x, c, w)
        seg += 1
    return seg, n_filled


def dense_offsets(n_words: int, budget: int) -> np.ndarray:
    """Row offsets of a dense block of about `budget` cells: row r keeps columns
    c < min(n, P // (r + 1)), P chosen to fill the budget (GloVe's max_product)."""
    if n_words == 0 or budget <= 0:
        return np.zeros(1, dtype=np.int64)
    ranks = np.arange(1, n_words + 1, dtype=np.int64)
    lo, hi = 1, n_words * n_words
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if np.minimum(n_words, mid // ranks).sum() <= budget:
            lo = mid
        else:
            hi = mid - 1
    lengths = np.minimum(n_words, lo // ranks)
    offsets = np.zeros(n_words + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return offsets


@njit(cache=True, inline="always")
def _cell(key, new_id):
    """The renumbered (row, column) of a hash table key; (-1, -1) for an empty slot."""
    if key == -1:
        return -1, -1
    return new_id[key >> 32], new_id[key & 0xFFFFFFFF]


@njit(cache=True)
def to_csr(keys, vals, dense, offsets, new_id, n_out):
    """CSR arrays (indptr, indices, data) from the hash table and the dense block,
    rows/cols renumbered by new_id (-1 = dropped); columns sorted within rows."""
    n_rows_dense = offsets.shape[0] - 1
    counts = np.zeros(n_out + 1, dtype=np.int64)
    for i in range(keys.shape[0]):
        r, c = _cell(keys[i], new_id)
        if r >= 0 and c >= 0:
            counts[r + 1] += 1
    for r0 in range(n_rows_dense):
        r = new_id[r0]
        if r < 0:
            continue
        for c0 in range(offsets[r0 + 1] - offsets[r0]):
            if dense[offsets[r0] + c0] != 0 and new_id[c0] >= 0:
                counts[r + 1] += 1
    indptr = np.cumsum(counts)
    nnz = indptr[-1]
    indices = np.empty(nnz, dtype=np.int32)
    data = np.empty(nnz, dtype=np.float64)
    fill = indptr[:-1].copy()
    for i in range(keys.shape[0]):
        r, c = _cell(keys[i], new_id)
        if r >= 0 and c >= 0:
            indices[fill[r]] = c
            data[fill[r]] = vals[i]
            fill[r] += 1
    for r0 in range(n_rows_dense):
        r = new_id[r0]
        if r < 0:
            continue
        for c0 in range(offsets[r0 + 1] - offsets[r0]):
            v = dense[offsets[r0] + c0]
            if v != 0 and new_id[c0] >= 0:
                indices[fill[r]] = new_id[c0]
                data[fill[r]] = v
                fill[r] += 1
    for r in range(n_out):
        a, b = indptr[r], indptr[r + 1]
        order = np.argsort(indices[a:b])
        indices[a:b] = indices[a:b][order]
        data[a:b] = data[a:b][order]
    return indptr, indices, data


@njit(cache=True)
def rehash(keys, vals, new_size):
    new_keys = np.full(new_size, -1, dtype=np.int64)
    new_vals = np.zeros(new_size, dtype=vals.dtype)
    mask = new_size - 1
    for i in range(keys.shape[0]):
        k = keys[i]
        if k != -1:
            _add(new_keys, new_vals, mask, k, vals[i])
    return new_keys, new_vals


@njit(cache=True)
def doc_term_counts(ids, starts, n_docs):
    """CSR arrays (indptr, indices, data) of per-document term counts."""
    indptr = np.zeros(n_docs + 1, dtype=np.int64)
    indices = np.empty(ids.shape[0], dtype=np.int32)
    data = np.empty(ids.shape[0], dtype=np.float64)
    nnz = 0
    for d in range(n_docs):
        seg = np.sort(ids[starts[d] : starts[d + 1]])
        prev = -1
        for v in seg:
            if v < 0:
                continue
            if v == prev:
                data[nnz - 1] += 1.0
            else:
                indices[nnz] = v
                data[nnz] = 1.0
                nnz += 1
                prev = v
        indptr[d + 1] = nnz
    return indptr, indices[:nnz], data[:nnz]


@njit(cache=True, inline="always")
def _is_space(b):
    return b == 32 or b == 9 or b == 10 or b == 13


@njit(cache=True)
def intern_tokens(
    buf, slots, word_hash, word_off, word_len, counts, arena, n_words, arena_used,
    ids, n_ids, lengths, n_lines, cur, pos,
):  # fmt: skip
    """Split buf (UTF-8 lines) at spaces/tabs, give each token an id in order of
    first occurrence, count it, and add the token count of each non-empty line to
    lengths; cur is the count of the line still open, closed at a newline.

    Stops early (status 1) when a table is too small: the caller grows it and calls
    again with the returned state. RETURNS (status, pos, n_words, arena_used, n_ids,
    n_lines, cur).
    """
    n = buf.shape[0]
    mask = slots.shape[0] - 1
    limit = (slots.shape[0] * 6) // 10
    i = pos
    while i < n:
        b = buf[i]
        if b == 10:
            if cur > 0:
                lengths[n_lines] = cur
                n_lines += 1
                cur = 0
            i += 1
            continue
        if _is_space(b):
            i += 1
            continue
        s = i
        h = np.uint64(14695981039346656037)
        while i < n and not _is_space(buf[i]):
            h = (h ^ np.uint64(buf[i])) * np.uint64(1099511628211)
            i += 1
        length = i - s
        j = np.int64((h ^ (h >> np.uint64(31))) & np.uint64(mask))
        while True:
            w = slots[j]
            if w == -1:
                break
            if word_hash[w] == h and word_len[w] == length:
                o = word_off[w]
                same = True
                for k in range(length):
                    if arena[o + k] != buf[s + k]:
                        same = False
                        break
                if same:
                    break
            j = (j + 1) & mask
        if w == -1:
            if (
                n_words + 1 > limit
                or n_words == word_off.shape[0]
                or arena_used + length > arena.shape[0]
            ):
                return 1, s, n_words, arena_used, n_ids, n_lines, cur
            w = n_words
            n_words += 1
            slots[j] = w
            word_hash[w] = h
            word_off[w] = arena_used
            word_len[w] = length
            arena[arena_used : arena_used + length] = buf[s:i]
            arena_used += length
        counts[w] += 1
        ids[n_ids] = w
        n_ids += 1
        cur += 1
    return 0, n, n_words, arena_used, n_ids, n_lines, cur


@njit(cache=True)
def rehash_words(word_hash, n_words, new_size):
    slots = np.full(new_size, -1, dtype=np.int64)
    mask = new_size - 1
    for w in range(n_words):
        h = word_hash[w]
        j = np.int64((h ^ (h >> np.uint64(31))) & np.uint64(mask))
        while slots[j] != -1:
            j = (j + 1) & mask
        slots[j] = w
    return slots
