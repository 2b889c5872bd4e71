"""fastText subword vectors projected into a spaCy floret-mode Vectors table.

spaCy's floret mode hashes a word's padded key and its character n-grams with
MurmurHash into a fixed table and averages the rows, so every word, seen or not, gets
a vector, and `tok2vec` (StaticVectors) sees it during `spacy train`. fastText uses a
different hash (FNV-1a) and a separate row per vocabulary word, so the table is fitted:
every n-gram of the vocabulary (and every padded word) is a target, and the rows are
solved by least squares (averaging, then a few Jacobi refinements).
"""

from __future__ import annotations

import logging

import numpy as np
import scipy.sparse as sp

from ..errors import Errors

logger = logging.getLogger("nlpkit")


def fasttext_targets(wv) -> tuple[list[str], np.ndarray]:
    """Each padded word and each of its n-grams, with its fastText vector.

    The raw word vector is recovered from the combined one: fastText's word vector
    is the mean of the raw word row and its n-gram rows.
    RETURNS (tuple[list[str], ndarray]): strings and float32 targets.
    """
    from gensim.models.fasttext import compute_ngrams, ft_ngram_hashes

    cfg = wv.subword
    minn, maxn, bucket = cfg["minn"], cfg["maxn"], cfg["bucket"]
    seen: dict[str, int] = {}
    strings: list[str] = []
    targets: list[np.ndarray] = []
    for word, vec in zip(wv.words, wv.vectors):
        rows = ft_ngram_hashes(word, minn, maxn, bucket)
        ngram_sum = wv.ngrams[rows].sum(axis=0) if rows else 0.0
        raw = vec * (len(rows) + 1) - ngram_sum
        key = f"<{word}>"
        if key not in seen:
            seen[key] = len(strings)
            strings.append(key)
            targets.append(raw)
        for gram, row in zip(compute_ngrams(word, minn, maxn), rows):
            if gram not in seen:
                seen[gram] = len(strings)
                strings.append(gram)
                targets.append(wv.ngrams[row])
    return strings, np.asarray(targets, dtype=np.float32)


def to_floret(
    wv,
    *,
    strings=None,
    rows: int | None = None,
    hash_count: int = 2,
    hash_seed: int = 0,
    iterations: int = 10,
    attr: str = "ORTH",
):
    """Build a floret-mode spaCy Vectors table from fastText-style WordVectors.

    rows (int | None): table rows; default about 2 rows per target string.
    hash_count (int): 1-4 hashes per n-gram, as floret.
    iterations (int): least-squares refinement rounds.
    RETURNS (spacy.vectors.Vectors): mode "floret", bow "<", eow ">".
    """
    from spacy.strings import StringStore
    from spacy.vectors import Vectors

    if not wv.has_subwords:
        raise ValueError(
            Errors.E108.format(
                what="vectors for floret mode", rule="fastText-style (with subwords)",
                value=wv.meta.get("algorithm", "no subwords"),
            )
        )  # fmt: skip
    cfg = wv.subword
    keys, targets = fasttext_targets(wv)
    if rows is None:
        rows = int(min(2_000_000, max(1024, 2 * len(keys))))
    table = Vectors(
        strings=strings if strings is not None else StringStore(),
        mode="floret",
        data=np.zeros((rows, wv.dim), dtype=np.float32),
        hash_count=hash_count,
        hash_seed=hash_seed,
        minn=cfg["minn"],
        maxn=cfg["maxn"],
        bow="<",
        eow=">",
        attr=attr,
    )
    hashes = np.asarray(
        [[h % rows for h in table._get_ngram_hashes(k)] for k in keys], dtype=np.int64
    )
    n = len(keys)
    A = sp.csr_matrix(
        (
            np.full(n * hash_count, 1.0 / hash_count, dtype=np.float32),
            (np.repeat(np.arange(n), hash_count), hashes.ravel()),
        ),
        shape=(n, rows),
    )
    hits = np.asarray((A != 0).sum(axis=0)).ravel().astype(np.float32)
    scale = 1.0 / np.maximum(hits, 1.0)
    # start from the mean target of the strings hashed to each row ...
    T = (A.T @ targets) * (hash_count * scale)[:, None]
    # ... then Jacobi steps on ||A T - Y||^2
    for _ in range(iterations):
        residual = targets - A @ T
        T += (A.T @ residual) * (hash_count * scale)[:, None]
    T = np.asarray(T, dtype=np.float32)
    err = float(np.linalg.norm(targets - A @ T) / max(np.linalg.norm(targets), 1e-12))
    logger.info(
        "floret table %d x %d fitted to %d strings (rel. error %.3f)",
        rows,
        wv.dim,
        n,
        err,
    )
    table.data[:] = T
    return table


def floret_agreement(wv, table, words: list[str]) -> float:
    """Mean cosine between the floret table's vectors and fastText's for words."""
    from spacy.strings import StringStore

    mine = table.get_batch(
        [
            table.strings.add(w) if isinstance(table.strings, StringStore) else w
            for w in words
        ]
    )
    theirs = np.vstack([wv[w] for w in words])
    num = (mine * theirs).sum(axis=1)
    den = np.linalg.norm(mine, axis=1) * np.linalg.norm(theirs, axis=1)
    return float(np.mean(num / np.maximum(den, 1e-12)))
