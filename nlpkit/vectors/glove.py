"""GloVe (Pennington et al. 2014): weighted least squares on log co-occurrences.

AdaGrad updates as in the reference C tools, compiled with numba; several threads
update the shared parameters lock-free (Hogwild). One thread and a seed give the same
vectors on every run.
"""

from __future__ import annotations

import inspect
import logging
import time

import numba
import numpy as np
from numba import njit, prange

from ..errors import Errors
from .cooc import CoocMatrix, count_cooccurrence

logger = logging.getLogger("nlpkit")


@njit(parallel=True, fastmath=True, cache=True)
def _epoch(rows, cols, logx, fx, W, C, bw, bc, gW, gC, gbw, gbc, eta, clip, n_blocks):
    n = rows.shape[0]
    dim = W.shape[1]
    costs = np.zeros(n_blocks)
    for block in prange(n_blocks):
        lo = block * n // n_blocks
        hi = (block + 1) * n // n_blocks
        cost = 0.0
        for k in range(lo, hi):
            i = rows[k]
            j = cols[k]
            diff = bw[i] + bc[j] - logx[k]
            for d in range(dim):
                diff += W[i, d] * C[j, d]
            fdiff = fx[k] * diff
            cost += 0.5 * fdiff * diff
            for d in range(dim):
                t1 = min(max(fdiff * C[j, d], -clip), clip) * eta
                t2 = min(max(fdiff * W[i, d], -clip), clip) * eta
                W[i, d] -= t1 / np.sqrt(gW[i, d])
                C[j, d] -= t2 / np.sqrt(gC[j, d])
                gW[i, d] += t1 * t1
                gC[j, d] += t2 * t2
            # biases step without eta, as in the C tools (glove.c)
            bw[i] -= fdiff / np.sqrt(gbw[i])
            bc[j] -= fdiff / np.sqrt(gbc[j])
            gbw[i] += fdiff * fdiff
            gbc[j] += fdiff * fdiff
        costs[block] = cost
    return costs.sum()


def fit_glove(
    cooc,
    *,
    dim: int = 100,
    epochs: int = 15,
    x_max: float = 100.0,
    alpha: float = 0.75,
    learning_rate: float = 0.05,
    threads: int = 1,
    seed: int = 0,
    clip: float = 100.0,
    output: str = "sum",
    shuffle: bool = True,
):
    """Fit GloVe vectors to a co-occurrence matrix.

    cooc (CoocMatrix | spmatrix): word x context counts (symmetric windows with
        harmonic weighting reproduce the reference tools).
    dim (int): vector size. epochs (int): passes over the non-zero entries.
    x_max, alpha: the weighting f(x) = min(1, (x / x_max) ** alpha).
    threads (int): Hogwild threads; 1 is deterministic for a given seed.
    output (str): "sum" (word + context vectors, as the C tools' -model 2) or "word".
    RETURNS (tuple[ndarray, list[float]]): float32 (n_words, dim) and the cost per epoch.
    """
    matrix = cooc.matrix if isinstance(cooc, CoocMatrix) else cooc
    for what, value, ok in (
        ("dim", dim, dim >= 1),
        ("epochs", epochs, epochs >= 1),
        ("threads", threads, threads >= 1),
        ("x_max", x_max, x_max > 0),
        ("alpha", alpha, alpha > 0),
    ):
        if not ok:
            raise ValueError(
                Errors.E108.format(what=what, rule="positive", value=value)
            )
    coo = matrix.tocoo()
    keep = coo.data > 0
    if not keep.any():
        raise ValueError(Errors.E101.format(source="<co-occurrence matrix>"))
    rng = np.random.default_rng(seed)
    order = np.flatnonzero(keep)
    if shuffle:
        rng.shuffle(order)
    rows = coo.row[order].astype(np.int32)
    cols = coo.col[order].astype(np.int32)
    x = coo.data[order]
    logx = np.log(x).astype(np.float32)
    fx = np.minimum(1.0, (x / x_max) ** alpha).astype(np.float32)
    n_words = matrix.shape[0]
    W = ((rng.random((n_words, dim), dtype=np.float32) - 0.5) / dim).astype(np.float32)
    C = ((rng.random((n_words, dim), dtype=np.float32) - 0.5) / dim).astype(np.float32)
    bw = ((rng.random(n_words, dtype=np.float32) - 0.5) / dim).astype(np.float32)
    bc = ((rng.random(n_words, dtype=np.float32) - 0.5) / dim).astype(np.float32)
    # As in the C tools: squared gradients start at 1 and are summed in double, since
    # float32 drops the many tiny increments of rare pairs.
    gW, gC = np.ones(W.shape), np.ones(C.shape)
    gbw, gbc = np.ones(bw.shape), np.ones(bc.shape)
    previous = numba.get_num_threads()
    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    costs = []
    try:
        for epoch in range(epochs):
            start = time.perf_counter()
            cost = _epoch(
                rows, cols, logx, fx, W, C, bw, bc, gW, gC, gbw, gbc,
                np.float32(learning_rate), np.float32(clip), threads,
            )  # fmt: skip
            costs.append(cost / len(rows))
            logger.info(
                "GloVe epoch %d/%d: cost %.5f (%.1fs)",
                epoch + 1, epochs, costs[-1], time.perf_counter() - start,
            )  # fmt: skip
            if not np.isfinite(cost):
                raise FloatingPointError(
                    Errors.E108.format(
                        what="GloVe cost",
                        rule="finite (lower learning_rate)",
                        value=cost,
                    )
                )
    finally:
        numba.set_num_threads(previous)
    vectors = W + C if output == "sum" else W
    return vectors.astype(np.float32), costs


# fit_glove's settings: train_glove passes these on, and the rest to the corpus
FIT_OPTIONS = tuple(inspect.signature(fit_glove).parameters)[1:]


def train_glove(
    corpus,
    *,
    window: int = 10,
    min_count: int = 5,
    max_size: int | None = None,
    cooc: CoocMatrix | None = None,
    **options,
):
    """Count co-occurrences (symmetric, 1/distance) and fit GloVe vectors.

    corpus: a TokenCorpus, token lists, texts or input paths.
    window, min_count, max_size: the counting (count_cooccurrence).
    cooc (CoocMatrix): fit these counts instead of counting the corpus.
    options: fit_glove's settings (dim, epochs, x_max, alpha, learning_rate,
        threads, seed, ...); any other option is a corpus option.
    RETURNS (WordVectors): vectors with meta["costs"] per epoch.
    """
    from .kv import WordVectors

    fit_options = {k: options.pop(k) for k in FIT_OPTIONS if k in options}
    if cooc is None:
        cooc = count_cooccurrence(
            corpus,
            window=window,
            weighting="harmonic",
            drop_oov=True,
            min_count=min_count,
            max_size=max_size,
            **options,
        )
    vectors, costs = fit_glove(cooc, **fit_options)
    meta = {"algorithm": "glove", "costs": costs}
    return WordVectors(cooc.vocab.words, vectors, meta=meta)
