"""word2vec with negative sampling (skip-gram and CBOW): nlpkit's own training loop.

gensim still builds the model: the vocabulary (min_count, max_final_vocab and its
order), the subsampling thresholds, the negative-sampling table and the seeded initial
weights are gensim's own. Only the loop over the corpus is replaced, by a numba kernel
that runs the algorithm of gensim's corpus_file trainer and word2vec.c: words outside
the vocabulary and subsampled words are dropped before windowing, each word gets a
random reduced window, negatives come from the unigram^0.75 table, the sigmoid is the
1000-entry table clipped at +-6, and sentences are cut at 10,000 words. On one line of
text and a constant learning rate the result is gensim's to float rounding. Each
thread trains its own share of the corpus without the GIL and without locks (Hogwild),
as gensim's threads do.

The learning rate follows gensim's corpus_file schedule, so that the same settings
give vectors of the same quality: each epoch starts at its point of the linear fall
from alpha to min_alpha, and within the epoch each thread moves it by its own
progress measured against the whole corpus (with 2 threads, half an epoch's fall).
On the 2.08M-token benchmark corpus (5 epochs, seed 1) a full fall per epoch, as in
word2vec.c, scored 0.224 mean Spearman against 0.240 for this schedule and 0.241 for
gensim's own training. gensim moves the rate once per 10,000-word batch; this kernel
every sentence.

Why not gensim's loop: it makes three BLAS calls per negative where one fused pass
does the update, and bisects the whole table for every negative where a 64k-entry
index of the table leaves one or two steps.
"""

from __future__ import annotations

from array import array
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numba import njit

from .train import MAX_SENTENCE_LEN

MAX_EXP = 6.0
EXP_TABLE_SIZE = 1000
SIGMOID_SCALE = EXP_TABLE_SIZE // 6 // 2  # 83: gensim's C integer division, not 83.3
INDEX_BITS = 16


class IdCorpus:
    """A corpus as word ids in first-seen order: ids (int32), the token count of each
    non-empty line, and the words with their counts. It takes 4 bytes a token."""

    def __init__(self, ids: np.ndarray, lengths: np.ndarray, words: list[str]):
        self.ids = ids
        self.lengths = lengths
        self.words = words
        self.counts = np.bincount(ids, minlength=len(words))

    @property
    def n_tokens(self) -> int:
        return len(self.ids)

    @property
    def n_sentences(self) -> int:
        """Sentences as gensim counts them: lines cut every MAX_SENTENCE_LEN tokens."""
        return int((-(-self.lengths // MAX_SENTENCE_LEN)).sum())

    def word_counts(self) -> dict[str, int]:
        return dict(zip(self.words, self.counts.tolist()))

    def token_lists(self):
        """The corpus back as token lists, a line each."""
        ends = np.cumsum(self.lengths).tolist()
        words, ids, start = self.words, self.ids.tolist(), 0
        for end in ends:
            yield [words[i] for i in ids[start:end]]
            start = end

    def encode(self, key_to_index: dict) -> tuple[np.ndarray, np.ndarray]:
        """(ids, sentence starts) in the model's vocabulary, other words dropped.
        The ids are rewritten in place: the IdCorpus is used up."""
        remap = np.fromiter(
            (key_to_index.get(w, -1) for w in self.words), np.int32, len(self.words)
        )
        starts = np.empty(len(self.lengths) + 1, np.int64)
        n = _compact(self.ids, self.lengths, remap, starts)
        ids, self.ids = self.ids[:n], None
        return ids, starts


def ids_from_lists(corpus) -> IdCorpus:
    """IdCorpus from any iterable of token lists, in one pass."""
    index: dict[str, int] = {}
    setdefault = index.setdefault
    ids, lengths = array("i"), array("q")
    for tokens in corpus:
        if tokens:
            ids.extend([setdefault(w, len(index)) for w in tokens])
            lengths.append(len(tokens))
    return IdCorpus(np.array(ids, np.int32), np.array(lengths, np.int64), list(index))


def ids_from_byte_blocks(blocks) -> IdCorpus:
    """IdCorpus from tokenfile.iter_checked_blocks (whole lines of plain tokens), in
    Python: for a small file, sooner than loading numba."""
    corpus = ids_from_lists(
        tokens for block in blocks for line in block.split(b"\n")
        if (tokens := line.split())
    )  # fmt: skip
    corpus.words = [w.decode("utf-8") for w in corpus.words]
    return corpus


def ids_from_blocks(blocks, interner, n_bytes: int) -> IdCorpus:
    """IdCorpus from tokenfile.iter_token_blocks over a file of n_bytes, read once.
    A token takes at least 2 bytes, so n_bytes // 2 ids always fit; the pages past
    the last id are never written, so they take no memory."""
    ids = np.empty(n_bytes // 2 + 1, np.int32)
    lengths, n = [], 0
    for block_ids, block_lengths in blocks:
        if n + len(block_ids) > len(ids):  # the file grew while it was read
            ids = np.concatenate([ids[:n], np.empty(2 * len(block_ids), np.int32)])
        ids[n : n + len(block_ids)] = block_ids
        n += len(block_ids)
        lengths.append(block_lengths)
    lengths = np.concatenate(lengths) if lengths else np.zeros(0, np.int64)
    return IdCorpus(ids[:n], lengths, interner.words())


@njit(cache=True)
def _compact(ids, lengths, remap, starts):
    """Map ids through remap in place, dropping -1; RETURNS how many are left."""
    p = out = 0
    starts[0] = 0
    for s in range(len(lengths)):
        for _ in range(lengths[s]):
            w = remap[ids[p]]
            p += 1
            if w >= 0:
                ids[out] = w
                out += 1
        starts[s + 1] = out
    return out


def sigmoid_table() -> np.ndarray:
    x = np.exp((np.arange(EXP_TABLE_SIZE) / EXP_TABLE_SIZE * 2 - 1) * MAX_EXP)
    return (x / (x + 1)).astype(np.float32)


def table_index(cum: np.ndarray) -> tuple[np.ndarray, int]:
    """For each 2**shift-wide range of draws, where its bisection of cum (gensim's
    cum_table as int64) starts."""
    shift = max(0, int(cum[-1]).bit_length() - INDEX_BITS)
    edges = np.arange((int(cum[-1]) >> shift) + 2, dtype=np.int64) << shift
    return np.searchsorted(cum, edges, side="left").astype(np.int64), shift


def shares(starts: np.ndarray, n: int) -> list[np.ndarray]:
    """Sentence starts cut into n shares of about equal tokens; a cut inside a line
    starts a new sentence there (so one long line still trains on every thread)."""
    total = int(starts[-1])
    cuts = (total * np.arange(1, n, dtype=np.int64)) // n
    merged = np.union1d(starts, cuts)
    pos = np.searchsorted(merged, np.concatenate([[0], cuts, [total]]))
    return [merged[pos[k] : pos[k + 1] + 1] for k in range(n)]


def train(model, corpus: IdCorpus, threads: int) -> None:
    """Train model.wv.vectors and model.syn1neg in place on the corpus (used up)."""
    ids, starts = corpus.encode(model.wv.key_to_index)
    if len(ids) == 0:
        return
    keep = np.asarray(model.wv.expandos["sample_int"], dtype=np.int64)
    cum = model.cum_table.astype(np.int64)
    index, shift = table_index(cum)
    seeds = np.random.default_rng(model.seed).integers(1, 1 << 48, size=threads)
    table = sigmoid_table()

    def run(k, share):
        return train_share(
            ids, share, model.wv.vectors, model.syn1neg, cum, index, shift, keep,
            table, bool(model.sg), bool(model.cbow_mean), model.window,
            model.negative, model.alpha, model.min_alpha, model.epochs,
            int(seeds[k]), (share[-1] - share[0]) / len(ids),
        )  # fmt: skip

    parts = shares(starts, threads)
    if threads == 1:
        run(0, parts[0])
        return
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(run, range(threads), parts))


@njit(cache=True, inline="always")
def _next(rnd):
    return (rnd * 25214903917 + 11) & 0xFFFFFFFFFFFF


@njit(cache=True, inline="always")
def _negative(rnd, cum, index, shift):
    draw = (rnd >> 16) % cum[-1]
    lo = index[draw >> shift]
    hi = min(index[(draw >> shift) + 1] + 1, len(cum))
    while lo < hi:  # gensim's bisect_left, started near the answer
        mid = (lo + hi) >> 1
        if cum[mid] >= draw:
            hi = mid
        else:
            lo = mid + 1
    return lo


@njit(cache=True, inline="always")
def _update(l1, word, syn1, work, cum, index, shift, table, negative, alpha, rnd):
    """One input vector l1 against word and its negatives; RETURNS the random state.
    work collects l1's correction; syn1 rows are updated in place."""
    dim = l1.shape[0]
    for t in range(negative + 1):
        if t == 0:
            target, label = word, np.float32(1.0)
        else:
            target = _negative(rnd, cum, index, shift)
            rnd = _next(rnd)
            if target == word:
                continue
            label = np.float32(0.0)
        l2 = syn1[target]
        f = np.float32(0.0)
        for d in range(dim):
            f += l1[d] * l2[d]
        if f <= -MAX_EXP or f >= MAX_EXP:
            continue
        f = table[int((f + MAX_EXP) * SIGMOID_SCALE)]
        g = np.float32((label - f) * alpha)
        for d in range(dim):
            work[d] += g * l2[d]
            l2[d] += g * l1[d]
    return rnd


@njit(cache=True, nogil=True, fastmath=True)
def train_share(
    ids, starts, syn0, syn1, cum, index, shift, keep, table, sg, cbow_mean,
    window, negative, alpha, min_alpha, epochs, rnd, reach,
):  # fmt: skip
    """All epochs over one share of the corpus; RETURNS the words trained on.
    reach: the share's part of the corpus, which is how far one epoch moves the
    learning rate (gensim's corpus_file schedule)."""
    dim = syn0.shape[1]
    work = np.empty(dim, np.float32)
    neu1 = np.empty(dim, np.float32)
    sent = np.empty(MAX_SENTENCE_LEN, np.int32)
    reduced = np.empty(MAX_SENTENCE_LEN, np.int32)
    total = starts[-1] - starts[0]
    trained = 0
    if total == 0:
        return trained
    for epoch in range(epochs):
        done = 0
        for s in range(len(starts) - 1):
            p, end = starts[s], starts[s + 1]
            while p < end:
                progress = (epoch + reach * done / total) / epochs
                a = max(min_alpha, alpha - (alpha - min_alpha) * progress)
                n = 0
                while p < end and n < MAX_SENTENCE_LEN:
                    w = ids[p]
                    p += 1
                    done += 1
                    draw = rnd >> 16
                    rnd = _next(rnd)
                    if keep[w] >= draw:
                        sent[n] = w
                        n += 1
                for i in range(n):
                    reduced[i] = (rnd >> 16) % window
                    rnd = _next(rnd)
                trained += n
                for i in range(n):
                    lo = max(0, i - window + reduced[i])
                    hi = min(n, i + window + 1 - reduced[i])
                    if sg:
                        for j in range(lo, hi):
                            if j == i:
                                continue
                            l1 = syn0[sent[j]]
                            work[:] = 0.0
                            rnd = _update(
                                l1, sent[i], syn1, work, cum, index, shift, table,
                                negative, a, rnd,
                            )  # fmt: skip
                            for d in range(dim):
                                l1[d] += work[d]
                        continue
                    count = hi - lo - 1
                    if count < 1:
                        continue
                    neu1[:] = 0.0
                    for j in range(lo, hi):
                        if j != i:
                            row = syn0[sent[j]]
                            for d in range(dim):
                                neu1[d] += row[d]
                    scale = np.float32(1.0 / count)
                    if cbow_mean:
                        for d in range(dim):
                            neu1[d] *= scale
                    work[:] = 0.0
                    rnd = _update(
                        neu1, sent[i], syn1, work, cum, index, shift, table,
                        negative, a, rnd,
                    )  # fmt: skip
                    if not cbow_mean:
                        for d in range(dim):
                            work[d] *= scale
                    for j in range(lo, hi):
                        if j != i:
                            row = syn0[sent[j]]
                            for d in range(dim):
                                row[d] += work[d]
    return trained
