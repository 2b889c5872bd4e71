"""PPMI weighting with context-distribution smoothing, and SVD embeddings from it."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..errors import Errors
from .cooc import CoocMatrix, count_cooccurrence


def ppmi(counts: sp.spmatrix, *, alpha: float = 0.75, shift: float = 1.0):
    """Positive PMI of a count matrix; context counts raised to alpha (Levy et al.).

    counts (spmatrix): word x context counts (non-negative).
    alpha (float): context-distribution smoothing exponent (1.0 = none).
    shift (float): k of shifted PPMI, max(PMI - log k, 0).
    RETURNS (csr_matrix): float32 PPMI values, zeros dropped.
    """
    if not 0 < alpha <= 1:
        raise ValueError(
            Errors.E108.format(what="alpha", rule="in (0, 1]", value=alpha)
        )
    m = sp.csr_matrix(counts, dtype=np.float64)
    total = m.sum()
    if total <= 0:
        raise ValueError(Errors.E101.format(source="<co-occurrence matrix>"))
    row_sums = np.asarray(m.sum(axis=1)).ravel()
    col_sums = np.asarray(m.sum(axis=0)).ravel() ** alpha
    col_p = col_sums / col_sums.sum()
    row_p = row_sums / total
    coo = m.tocoo()
    pmi = np.log(coo.data / total) - np.log(row_p[coo.row]) - np.log(col_p[coo.col])
    pmi -= np.log(shift)
    keep = pmi > 0
    out = sp.csr_matrix(
        (pmi[keep].astype(np.float32), (coo.row[keep], coo.col[keep])), shape=m.shape
    )
    return out


def svd_embeddings(
    matrix: sp.spmatrix,
    dim: int = 100,
    *,
    eig_power: float = 0.5,
    seed: int = 0,
    n_iter: int = 5,
) -> np.ndarray:
    """Word vectors U * S**eig_power from a randomized truncated SVD.

    dim (int): number of components (at most n_words - 1).
    eig_power (float): weight of the singular values (0.5 is symmetric, Levy et al.).
    RETURNS (ndarray): float32 (n_words, dim).
    """
    from sklearn.utils.extmath import randomized_svd

    n = min(matrix.shape)
    if dim < 1 or dim >= n:
        raise ValueError(
            Errors.E108.format(what="dim", rule=f"between 1 and {n - 1}", value=dim)
        )
    u, s, _ = randomized_svd(matrix, dim, n_iter=n_iter, random_state=seed)
    return (u * s**eig_power).astype(np.float32)


def train_ppmi_svd(
    corpus,
    *,
    dim: int = 100,
    window: int = 5,
    min_count: int = 5,
    max_size: int | None = None,
    alpha: float = 0.75,
    weighting: str = "none",
    seed: int = 0,
    cooc: CoocMatrix | None = None,
    **corpus_options,
):
    """Count, weight with PPMI and factorize: count-based word vectors.

    RETURNS (WordVectors): one vector per vocabulary word.
    """
    from .kv import WordVectors

    if cooc is None:
        cooc = count_cooccurrence(
            corpus,
            window=window,
            min_count=min_count,
            max_size=max_size,
            weighting=weighting,
            **corpus_options,
        )
    vectors = svd_embeddings(ppmi(cooc.matrix, alpha=alpha), dim, seed=seed)
    return WordVectors(cooc.vocab.words, vectors, meta={"algorithm": "ppmi-svd"})
