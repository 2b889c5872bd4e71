"""Co-occurrence counting: nlpkit against the strongest plain peers.

- cooc_window: word-word counts, window 5 symmetric, lines as contexts, from the
  token file to a CSR matrix. The peer is written here: words to ids with a dict,
  then for each distance d one vectorised pass (ids[:-d], ids[d:], masked where the
  pair crosses a line) summed into a scipy CSR matrix. Cells are compared one by one
  (after mapping the peer's word ids onto nlpkit's), and each side's peak memory is
  measured in a fresh process.
- cooc_document: word-by-document X.T @ X over the top 5,000 words against
  scikit-learn's CountVectorizer + X.T @ X, cells compared on the shared words.

Run: python -m benchmarks.bench_cooc --name cooc_window --size quick
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.sparse as sp

from benchmarks.data import token_file
from benchmarks.harness import alternate, cli, memory_child, row


def peer_window(path, window: int = 5) -> tuple[sp.csr_matrix, list[str]]:
    """Symmetric window counts with numpy/scipy; RETURNS (matrix, words)."""
    vocab: dict[str, int] = {}
    ids_list, lengths = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            tokens = line.split()
            ids_list.extend(vocab.setdefault(t, len(vocab)) for t in tokens)
            lengths.append(len(tokens))
    ids = np.fromiter(ids_list, np.int32, len(ids_list))
    del ids_list
    line_of = np.repeat(np.arange(len(lengths), dtype=np.int32), lengths)
    n = len(vocab)
    total = sp.csr_matrix((n, n), dtype=np.float32)
    for d in range(1, window + 1):
        same = line_of[:-d] == line_of[d:]
        a, b = ids[:-d][same], ids[d:][same]
        ones = np.ones(len(a), dtype=np.float32)
        part = sp.coo_matrix((ones, (a, b)), shape=(n, n)).tocsr()
        total = total + part + part.T.tocsr()
    return total.tocsr(), list(vocab)


def ours_window(path, window: int = 5):
    from nlpkit.vectors.cooc import count_cooccurrence
    from nlpkit.vectors.corpus import TokenCorpus

    corpus = TokenCorpus(path, format="txt", tokenizer="whitespace")
    return count_cooccurrence(corpus, window=window, direction="symmetric")


def compare_window(ours, peer: sp.csr_matrix, words: list[str]) -> dict:
    index = ours.vocab.index
    perm = np.array([index[w] for w in words], dtype=np.int64)
    coo = peer.tocoo()
    mapped = sp.csr_matrix(
        (coo.data, (perm[coo.row], perm[coo.col])), shape=ours.matrix.shape
    )
    diff = (ours.matrix.astype(np.float64) - mapped.astype(np.float64)).tocsr()
    diff.eliminate_zeros()
    return {
        "cells_equal": bool(diff.nnz == 0),
        "nnz": int(ours.matrix.nnz),
        "peer_nnz": int(peer.nnz),
        "words": len(words),
    }


def child_window(*, path: str, side: str, prepare=False, state=None):
    """memory_child target: one side's whole count from the token file."""
    if prepare:
        if side == "ours":  # load the compiled code (numba cache) before measuring
            import tempfile

            with tempfile.TemporaryDirectory() as tmp:
                tiny = Path(tmp) / "tiny.txt"
                tiny.write_text("a b c a\nb c\n", encoding="utf-8")
                ours_window(tiny)
        return path
    if side == "ours":
        return int(ours_window(state).nnz)
    return int(peer_window(state)[0].nnz)


def run_window(exp, size: str) -> dict:
    params = exp.sizes[size]
    path, n = token_file(params["corpus"], params["max_tokens"])
    window = exp.settings["window"]
    ours = ours_window(path, window)
    peer, words = peer_window(path, window)
    checks = compare_window(ours, peer, words)
    del ours, peer
    times = alternate(
        {
            "nlpkit": lambda: ours_window(path, window),
            "peer": lambda: peer_window(path, window),
        },
        exp.rounds(size),
        warmup=False,
    )
    mem = {
        side: memory_child("benchmarks.bench_cooc:child_window", path=str(path),
                           side=side)
        for side in ("ours", "peer")
    }  # fmt: skip
    checks["memory_ok"] = mem["ours"]["net_peak_mb"] <= mem["peer"]["net_peak_mb"]
    rows = [
        row(f"{n:,} tokens, time", times["nlpkit"], "numpy/scipy counter",
            times["peer"]),
        row(f"{n:,} tokens, net peak RSS", mem["ours"]["net_peak_mb"],
            "numpy/scipy counter", mem["peer"]["net_peak_mb"], unit="MB",
            ratio=mem["ours"]["net_peak_mb"] / max(mem["peer"]["net_peak_mb"], 0.1),
            ratio_means="ours / peer (<= 1: nlpkit uses less)"),
    ]  # fmt: skip
    ratio = rows[0]["ratio"] if checks["cells_equal"] else None
    body = {"rows": rows, "ratio": ratio, "checks": checks, "extra": {"n_tokens": n}}
    if not checks["cells_equal"]:
        body["status"], body["message"] = "failed", "cells differ from the peer's"
    return body


def run_document(exp, size: str) -> dict:
    from sklearn.feature_extraction.text import CountVectorizer

    from nlpkit.vectors.cooc import cooccurrence_by_document
    from nlpkit.vectors.corpus import TokenCorpus

    params = exp.sizes[size]
    path, n = token_file(params["corpus"], params["max_tokens"])
    max_size = exp.settings["max_size"]

    def ours():
        corpus = TokenCorpus(path, format="txt", tokenizer="whitespace")
        return cooccurrence_by_document(corpus, context="line", max_size=max_size)

    def peer():
        with open(path, encoding="utf-8") as f:
            docs = f.readlines()
        cv = CountVectorizer(
            token_pattern=r"\S+", lowercase=False, max_features=max_size
        )
        X = cv.fit_transform(docs)
        C = (X.T @ X).tocsr()
        C.setdiag(0)
        C.eliminate_zeros()
        return C, cv.get_feature_names_out()

    mine = ours()
    theirs, names = peer()
    common = [w for w in names if w in mine.vocab.index]
    a = mine.matrix[[mine.vocab.index[w] for w in common]][
        :, [mine.vocab.index[w] for w in common]
    ]
    pos = {w: i for i, w in enumerate(names)}
    b = theirs[[pos[w] for w in common]][:, [pos[w] for w in common]]
    diff = (a.astype(np.float64) - b.astype(np.float64)).tocsr()
    diff.eliminate_zeros()
    checks = {
        "cells_equal_on_shared_words": bool(diff.nnz == 0),
        "shared_words": len(common),
        "nnz": int(mine.nnz),
    }
    del mine, theirs
    times = alternate({"nlpkit": ours, "peer": peer}, exp.rounds(size), warmup=False)
    rows = [
        row(f"{n:,} tokens, top {max_size:,} words", times["nlpkit"],
            "CountVectorizer + X.T @ X", times["peer"]),
    ]  # fmt: skip
    body = {"rows": rows, "ratio": rows[0]["ratio"], "checks": checks}
    if not checks["cells_equal_on_shared_words"]:
        body.update(status="failed", message="cells differ", ratio=None)
    return body


def run(exp, size: str) -> dict:
    return (
        run_window(exp, size) if exp.name == "cooc_window" else run_document(exp, size)
    )


if __name__ == "__main__":
    cli(run)
