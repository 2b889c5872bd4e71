"""Co-occurrence counting: nlpkit vs a Python Counter loop and vs scikit-learn.

1. window counts (window 5, symmetric) from the token file to a CSR matrix, against a
   straightforward Counter loop over the same tokens (the loop does not even build a
   matrix);
2. word-by-document (each line a document, top 5,000 words): nlpkit's doc_term_matrix
   + X.T @ X against CountVectorizer + X.T @ X;
3. memory: peak RSS of counting the corpus and the corpus repeated 10 times, each in
   its own process; the matrix is the same, the corpus 10x larger.

Run: flock /tmp/nlpkit-bench.lock .venv/bin/python -m benchmarks.vectors_cooc [--quick]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import Counter
from itertools import islice
from pathlib import Path

from benchmarks._common import save_results
from benchmarks.vectors_data import build, scaled


def lines(path: Path, limit: int | None):
    with path.open(encoding="utf-8") as f:
        yield from islice(f, limit)


def counter_loop(path: Path, window: int, limit: int | None) -> Counter:
    counts: Counter = Counter()
    for line in lines(path, limit):
        tokens = line.split()
        for i, word in enumerate(tokens):
            for j in range(max(0, i - window), i):
                counts[(word, tokens[j])] += 1
                counts[(tokens[j], word)] += 1
    return counts


def bench_window(path: Path, window: int, limit: int | None) -> dict:
    token_lists = [line.split() for line in lines(path, limit)]
    n_tokens = sum(len(t) for t in token_lists)
    from nlpkit.vectors.cooc import count_cooccurrence

    count_cooccurrence(token_lists[:50], window=window)  # compile outside the clock
    start = time.perf_counter()
    cooc = count_cooccurrence(token_lists, window=window)
    t_nlpkit = time.perf_counter() - start
    start = time.perf_counter()
    counts = counter_loop(path, window, limit)
    t_counter = time.perf_counter() - start
    assert len(counts) == cooc.nnz, (len(counts), cooc.nnz)
    return {
        "n_tokens": n_tokens,
        "nnz": cooc.nnz,
        "nlpkit_s": t_nlpkit,
        "counter_s": t_counter,
        "speedup": t_counter / t_nlpkit,
    }


def bench_document(path: Path, max_size: int, limit: int | None) -> dict:
    from sklearn.feature_extraction.text import CountVectorizer

    from nlpkit.vectors.cooc import cooccurrence_by_document

    docs = list(lines(path, limit))
    cooccurrence_by_document(docs[:20], context="line", tokenizer="whitespace")
    start = time.perf_counter()
    cooc = cooccurrence_by_document(
        docs, context="line", tokenizer="whitespace", max_size=max_size
    )
    t_nlpkit = time.perf_counter() - start
    start = time.perf_counter()
    cv = CountVectorizer(token_pattern=r"\S+", lowercase=False, max_features=max_size)
    X = cv.fit_transform(docs)
    C = (X.T @ X).tocsr()
    C.setdiag(0)
    C.eliminate_zeros()
    t_sklearn = time.perf_counter() - start
    # same counts for a frequent word
    word = cooc.vocab.words[10]
    j = cv.vocabulary_[word]
    row = C.getrow(j)
    names = cv.get_feature_names_out()
    theirs = {names[k]: v for k, v in zip(row.indices, row.data)}
    mine = cooc.row(word)
    assert all(abs(mine[w] - theirs[w]) < 1e-6 for w in list(mine)[:50] if w in theirs)
    return {
        "n_docs": len(docs),
        "vocab": max_size,
        "nnz": cooc.nnz,
        "nlpkit_s": t_nlpkit,
        "sklearn_s": t_sklearn,
        "speedup": t_sklearn / t_nlpkit,
    }


CHILD = """
import json, resource, sys, time
from nlpkit.vectors.cooc import count_cooccurrence
from nlpkit.vectors.corpus import TokenCorpus
start = time.perf_counter()
corpus = TokenCorpus(sys.argv[1], format="txt", tokenizer="whitespace")
cooc = count_cooccurrence(corpus, window=5, min_count=1)
m = cooc.matrix
print(json.dumps({"seconds": time.perf_counter() - start, "nnz": int(m.nnz),
  "matrix_mb": (m.data.nbytes + m.indices.nbytes + m.indptr.nbytes) / 2**20,
  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def bench_memory(factor: int) -> dict:
    out = {}
    for scale in (1, factor):
        path = build()["tokens"] if scale == 1 else scaled(scale)
        res = subprocess.run(
            [sys.executable, "-c", CHILD, str(path)],
            capture_output=True,
            text=True,
            check=True,
        )
        out[f"x{scale}"] = {
            "file_mb": path.stat().st_size / 2**20,
            **json.loads(res.stdout),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="first 20,000 lines, x3")
    args = parser.parse_args()
    limit = 20000 if args.quick else None
    path = build()["tokens"]
    results = {
        "window": bench_window(path, 5, limit),
        "document": bench_document(path, 5000, limit),
        "memory": bench_memory(3 if args.quick else 10),
    }
    out = save_results("vectors_cooc", results)
    w, d, m = results["window"], results["document"], results["memory"]
    print(
        f"window counts, {w['n_tokens']:,} tokens, {w['nnz']:,} pairs: nlpkit {w['nlpkit_s']:.1f}s, Counter loop {w['counter_s']:.1f}s -> {w['speedup']:.1f}x"
    )
    print(
        f"word-by-document, {d['n_docs']:,} docs, top {d['vocab']:,} words: nlpkit {d['nlpkit_s']:.1f}s, CountVectorizer + X.T@X {d['sklearn_s']:.1f}s -> {d['speedup']:.2f}x"
    )
    for key, v in m.items():
        print(
            f"memory {key}: corpus {v['file_mb']:.0f} MB, matrix {v['matrix_mb']:.0f} MB ({v['nnz']:,} nnz), peak RSS {v['peak_rss_mb']:.0f} MB, {v['seconds']:.0f}s"
        )
    print(f"results: {out}")


if __name__ == "__main__":
    main()
