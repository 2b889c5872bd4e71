"""GloVe: nlpkit vs the Stanford GloVe C tools, same corpus and settings, same run.

Settings: dim 100, window 10 (symmetric, 1/distance), min_count 5, x_max 100,
alpha 0.75, 15 iterations, 2 threads. Both read the same pre-tokenized file (one
paragraph per line). Each stage is timed; the vectors of both are scored with the
same evaluator (WS-353, SimLex-999, MEN, Google analogies).

Build the C tools outside the repo first, e.g. into /tmp/glove (GLOVE_BUILD=.../build):
    git clone https://github.com/stanfordnlp/GloVe /tmp/glove && make -C /tmp/glove
Run: flock /tmp/nlpkit-bench.lock .venv/bin/python -m benchmarks.vectors_glove
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks._common import peak_rss_mb, save_results
from benchmarks.vectors_data import build, n_tokens

BUILD = Path(os.environ.get("GLOVE_BUILD", "/tmp/glove/build"))


def run_c_tools(tokens: Path, work: Path, args) -> dict:
    times = {}

    def stage(name, cmd, stdin, stdout):
        start = time.perf_counter()
        with open(stdin, "rb") as fin, open(stdout, "wb") as fout:
            subprocess.run(
                cmd, stdin=fin, stdout=fout, stderr=subprocess.DEVNULL, check=True
            )
        times[name] = time.perf_counter() - start

    vocab = work / "vocab.txt"
    stage(
        "vocab",
        [BUILD / "vocab_count", "-min-count", str(args.min_count), "-verbose", "0"],
        tokens,
        vocab,
    )
    stage(
        "cooccur",
        [BUILD / "cooccur", "-memory", "4.0", "-vocab-file", vocab, "-verbose", "0",
         "-window-size", str(args.window)],
        tokens, work / "cooc.bin",
    )  # fmt: skip
    stage(
        "shuffle",
        [BUILD / "shuffle", "-memory", "4.0", "-verbose", "0"],
        work / "cooc.bin",
        work / "cooc.shuf.bin",
    )
    start = time.perf_counter()
    subprocess.run(
        [BUILD / "glove", "-save-file", work / "vectors", "-threads", str(args.threads),
         "-input-file", work / "cooc.shuf.bin", "-x-max", "100", "-alpha", "0.75",
         "-iter", str(args.iter), "-vector-size", str(args.dim), "-binary", "0",
         "-vocab-file", vocab, "-verbose", "0", "-write-header", "0"],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    times["train"] = time.perf_counter() - start
    times["count_total"] = times["vocab"] + times["cooccur"] + times["shuffle"]
    times["total"] = times["count_total"] + times["train"]
    times["peak_rss_mb_children"] = (
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    )
    return times


def run_nlpkit(tokens: Path, args):
    from nlpkit.vectors.cooc import count_cooccurrence
    from nlpkit.vectors.corpus import TokenCorpus
    from nlpkit.vectors.glove import fit_glove
    from nlpkit.vectors.kv import WordVectors

    times = {}
    start = time.perf_counter()
    corpus = TokenCorpus(tokens, format="txt", tokenizer="whitespace")
    cooc = count_cooccurrence(
        corpus, window=args.window, weighting="harmonic", min_count=args.min_count,
        drop_oov=True,
    )  # fmt: skip
    times["count_total"] = time.perf_counter() - start
    start = time.perf_counter()
    vectors, costs = fit_glove(
        cooc, dim=args.dim, epochs=args.iter, threads=args.threads
    )
    times["train"] = time.perf_counter() - start
    times["total"] = times["count_total"] + times["train"]
    times["nnz"] = int(cooc.nnz)
    times["n_words"] = len(cooc.vocab)
    times["final_cost"] = costs[-1]
    times["peak_rss_mb"] = peak_rss_mb()
    return times, WordVectors(cooc.vocab.words, vectors)


def warm_up() -> None:
    """Compile the numba kernels (cached on disk) outside the timed region."""
    from nlpkit.vectors.cooc import count_cooccurrence
    from nlpkit.vectors.glove import fit_glove

    cooc = count_cooccurrence(
        [["a", "b", "c", "a"]] * 3, window=2, weighting="harmonic", drop_oov=True
    )
    fit_glove(cooc, dim=4, epochs=1, threads=2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="3 iterations")
    parser.add_argument("--iter", type=int, default=15)
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--window", type=int, default=10)
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    if args.quick:
        args.iter = 3
    from nlpkit.vectors.evaluate import evaluate_all
    from nlpkit.vectors.kv import load_vectors

    tokens = build()["tokens"]
    warm_up()
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="glove-c-") as tmp:
        c_times = run_c_tools(tokens, Path(tmp), args)
        c_vectors = load_vectors(Path(tmp) / "vectors.txt", format="glove")
    n_times, n_vectors = run_nlpkit(tokens, args)
    load_end = os.getloadavg()[0]
    c_scores = evaluate_all(c_vectors)
    n_scores = evaluate_all(n_vectors)
    results = {
        "settings": vars(args),
        "n_tokens": n_tokens(),
        "loadavg_start_end": [load_start, load_end],
        "glove_c": {"times": c_times, "scores": c_scores},
        "nlpkit": {"times": n_times, "scores": n_scores},
        "ratio_total_time": n_times["total"] / c_times["total"],
        "ratio_train_time": n_times["train"] / c_times["train"],
        "ratio_count_time": n_times["count_total"] / c_times["count_total"],
    }
    path = save_results("vectors_glove", results)
    print(
        f"{results['n_tokens']:,} tokens, {n_times['n_words']:,} words, {n_times['nnz']:,} pairs; load {load_start:.1f} -> {load_end:.1f}"
    )
    print(f"{'stage':<14}{'GloVe C (s)':>12}{'nlpkit (s)':>12}{'ratio':>8}")
    for key in ("count_total", "train", "total"):
        print(
            f"{key:<14}{c_times[key]:>12.1f}{n_times[key]:>12.1f}{n_times[key] / c_times[key]:>8.2f}"
        )
    print(f"{'score':<14}{'GloVe C':>12}{'nlpkit':>12}{'diff':>8}")
    for name in ("ws353", "simlex999", "men"):
        c, n = c_scores[name]["spearman"], n_scores[name]["spearman"]
        print(f"{name:<14}{100 * c:>12.1f}{100 * n:>12.1f}{100 * (n - c):>+8.1f}")
    for key in ("accuracy_add", "accuracy_mul"):
        c, n = c_scores["analogy"][key], n_scores["analogy"][key]
        print(
            f"{'analogy ' + key[9:]:<14}{100 * c:>12.1f}{100 * n:>12.1f}{100 * (n - c):>+8.1f}"
        )
    print(f"results: {path}")


if __name__ == "__main__":
    main()
